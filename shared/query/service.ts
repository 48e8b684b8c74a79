import type { Match } from '#shared/model.ts';
import { NotFoundError } from './errors.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { parseListParams, parseUpdateId, type ListFilters, type ListParams, type RawParams } from './params.ts';
import type { Partition, QueryStore, RangeRow, RowKey } from './ports.ts';
import { matchesTerms } from './text-search.ts';
import {
  toFeedHealth,
  toUpdateDetail,
  toUpdateView,
  type FeedHealth,
  type TopicSummary,
  type UpdateDetail,
  type UpdateView,
} from './views.ts';

/**
 * The query service: listing, one update with its duplicates, topic counts and feed health.
 * Pure domain over the `QueryStore` port; transports (Lambda, CLI, local server) only parse
 * their input into `RawParams` and render what comes back.
 */

export interface TopicInfo {
  id: string;
  title: string;
}

export interface QueryServiceOptions {
  /**
   * How far either side of a first report its near-duplicates can be published: the range one
   * update's detail view reads for its duplicates. The duplicate finder links items within its
   * own window (`alerts.duplicateWindowHours`); this must be at least as wide. Listings do not
   * read it: their counts are on the rows.
   */
  duplicateWindowHours?: number;
  /**
   * DynamoDB reads one listing request may spend. With selective filters the matching items
   * may be sparse; past this budget the response carries fewer than `limit` items and a
   * cursor, so one request's latency stays bounded and the client simply continues.
   */
  maxReadsPerRequest?: number;
}

export interface QueryDeps {
  store: QueryStore;
  topics: readonly TopicInfo[];
  options?: QueryServiceOptions;
}

export interface UpdatesPage {
  items: UpdateView[];
  /** Pass back as `cursor` for the next page; null at the end. */
  nextCursor: string | null;
}

export interface QueryService {
  readonly topicIds: readonly string[];
  /** Validates raw parameters; throws BadRequestError. */
  parseListParams(raw: RawParams): ListParams;
  listUpdates(params: ListParams): Promise<UpdatesPage>;
  getUpdate(id: string | undefined): Promise<UpdateDetail>;
  listTopics(now: Date): Promise<TopicSummary[]>;
  listFeeds(): Promise<FeedHealth[]>;
}

const HOUR_MS = 3_600_000;

export function createQueryService({ store, topics, options = {} }: QueryDeps): QueryService {
  const topicIds = topics.map((t) => t.id);
  const windowMs = (options.duplicateWindowHours ?? 72) * HOUR_MS;
  const maxReads = options.maxReadsPerRequest ?? 10;

  /**
   * The stored near-duplicates of one first report, oldest first. One bounded index read per
   * detail view: the duplicate finder links items published within the window on either side
   * of an earlier-stored match (a feed polled late can carry the same story published earlier),
   * so the range is the window either side of the first report's publication.
   */
  async function duplicatesOf(first: Match): Promise<Match[]> {
    const published = Date.parse(first.publishedAt);
    if (Number.isNaN(published)) return [];
    const found = await store.duplicatesOf(first.id, isoClamped(published - windowMs), isoClamped(published + windowMs));
    return found
      .filter((m) => m.duplicateOf === first.id && m.id !== first.id)
      .sort((a, b) => (a.publishedAt < b.publishedAt ? -1 : a.publishedAt > b.publishedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async function listUpdates(params: ListParams): Promise<UpdatesPage> {
    const partition: Partition = params.topic ? { kind: 'topic', topic: params.topic } : { kind: 'all' };
    let startKey: RowKey | undefined = params.cursor ? decodeCursor(params.cursor, params, partition) : undefined;
    const passes = predicate(params);
    const filtered = isFiltered(params);
    const wide = Math.min(1000, Math.max(100, params.limit * 4));
    // Unfiltered, one extra row tells whether another page exists. Hiding duplicates alone drops
    // a minority of rows, so half a page more usually fills it in one read (the read units are the
    // rows read); later reads are sized by the share of rows that passed. Other filters may be
    // selective: larger pages save round trips.
    const collapseOnly = filtered && params.duplicates === 'collapse' && !isFiltered({ ...params, duplicates: 'include' });
    let pageSize = !filtered ? params.limit + 1 : collapseOnly ? params.limit + Math.ceil(params.limit / 2) + 1 : wide;
    let seen = 0;
    const found: RangeRow[] = [];
    let next: RowKey | undefined;
    for (let reads = 0; ; ) {
      const page = await store.queryRange({ partition, since: params.since, until: params.until, startKey, pageSize });
      reads++;
      seen += page.rows.length;
      let full = false;
      for (let i = 0; i < page.rows.length; i++) {
        const row = page.rows[i]!;
        if (!passes(row.match)) continue;
        found.push(row);
        if (found.length === params.limit) {
          full = true;
          // Continue after the last row returned, not after the page, so nothing is skipped.
          const more = page.rows.slice(i + 1).some((r) => passes(r.match)) || page.lastKey !== undefined;
          next = more ? row.key : undefined;
          break;
        }
      }
      if (full || !page.lastKey) break;
      startKey = page.lastKey;
      if (collapseOnly) {
        const rowsPerItem = found.length > 0 ? seen / found.length : Number.POSITIVE_INFINITY;
        pageSize = Math.min(wide, Math.ceil((params.limit - found.length) * rowsPerItem * 1.5) + 1);
      }
      if (reads >= maxReads) {
        next = page.lastKey;
        break;
      }
    }
    // The count is on the row itself (kept by the poll cycle): the listing reads only its page.
    const collapse = params.duplicates === 'collapse';
    const items = found.map((row) => {
      const view = toUpdateView(row.match);
      if (collapse) view.duplicateCount = row.duplicateCount ?? 0;
      return view;
    });
    return { items, nextCursor: next ? encodeCursor(params, next) : null };
  }

  async function getUpdate(rawId: string | undefined): Promise<UpdateDetail> {
    const id = parseUpdateId(rawId);
    const match = await store.getMatch(id);
    if (!match) throw new NotFoundError(`no update with id ${JSON.stringify(id.slice(0, 100))}`);
    const duplicates = match.duplicateOf ? [] : await duplicatesOf(match);
    return toUpdateDetail(match, duplicates);
  }

  async function listTopics(now: Date): Promise<TopicSummary[]> {
    const until = now.toISOString();
    const ago = (hours: number) => new Date(now.getTime() - hours * HOUR_MS).toISOString();
    return Promise.all(
      topics.map(async (topic) => {
        const [last24h, last7d, last30d] = await Promise.all(
          [24, 24 * 7, 24 * 30].map((hours) => store.countFirstReports(topic.id, ago(hours), until)),
        );
        return { id: topic.id, title: topic.title, counts: { last24h: last24h!, last7d: last7d!, last30d: last30d! } };
      }),
    );
  }

  async function listFeeds(): Promise<FeedHealth[]> {
    const states = await store.listFeedStates();
    return states.map(toFeedHealth).sort((a, b) => a.name.localeCompare(b.name) || a.url.localeCompare(b.url));
  }

  return {
    topicIds,
    parseListParams: (raw) => parseListParams(raw, topicIds),
    listUpdates,
    getUpdate,
    listTopics,
    listFeeds,
  };
}

function isFiltered(f: ListFilters): boolean {
  return f.duplicates === 'collapse' || f.terms.length > 0 || f.minScore !== undefined || f.lang !== undefined || f.source !== undefined;
}

/** The filters the key condition cannot express, applied to each row read. */
export function predicate(f: ListFilters): (m: Match) => boolean {
  const source = f.source?.toLowerCase();
  return (m) =>
    (f.duplicates === 'include' || !m.duplicateOf) &&
    (f.minScore === undefined || m.score >= f.minScore) &&
    (f.lang === undefined || m.lang?.toLowerCase() === f.lang) &&
    (source === undefined || m.source.toLowerCase() === source) &&
    matchesTerms(f.terms, m.title, m.summary);
}

const MIN_ISO_MS = Date.UTC(1900, 0, 1);
const MAX_ISO_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function isoClamped(ms: number): string {
  return new Date(Math.min(MAX_ISO_MS, Math.max(MIN_ISO_MS, ms))).toISOString();
}
