import type { Match } from '#shared/model.ts';
import { NotFoundError } from './errors.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { parseListParams, parseUpdateId, type ListFilters, type ListParams, type RawParams } from './params.ts';
import type { Partition, QueryStore, RowKey } from './ports.ts';
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
   * How far either side of a first report its near-duplicates can be published. The duplicate
   * finder links items within its own look-back window; this must be at least as wide.
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

  async function duplicatesAround(firsts: readonly Match[]): Promise<Map<string, Match[]>> {
    const byOriginal = new Map<string, Match[]>();
    if (firsts.length === 0) return byOriginal;
    const times = firsts.map((m) => Date.parse(m.publishedAt)).filter((t) => !Number.isNaN(t));
    if (times.length === 0) return byOriginal;
    const wanted = new Set(firsts.map((m) => m.id));
    const since = isoClamped(Math.min(...times) - windowMs);
    const until = isoClamped(Math.max(...times) + windowMs);
    for (const dup of await store.duplicatesBetween(since, until)) {
      if (!dup.duplicateOf || !wanted.has(dup.duplicateOf)) continue;
      const list = byOriginal.get(dup.duplicateOf) ?? [];
      list.push(dup);
      byOriginal.set(dup.duplicateOf, list);
    }
    return byOriginal;
  }

  async function listUpdates(params: ListParams): Promise<UpdatesPage> {
    const partition: Partition = params.topic ? { kind: 'topic', topic: params.topic } : { kind: 'all' };
    let startKey: RowKey | undefined = params.cursor ? decodeCursor(params.cursor, params, partition) : undefined;
    const passes = predicate(params);
    const filtered = isFiltered(params);
    // Unfiltered, one extra row tells whether another page exists; filtered, larger pages save round trips.
    const pageSize = filtered ? Math.min(1000, Math.max(100, params.limit * 4)) : params.limit + 1;
    const found: Match[] = [];
    let next: RowKey | undefined;
    for (let reads = 0; ; ) {
      const page = await store.queryRange({ partition, since: params.since, until: params.until, startKey, pageSize });
      reads++;
      let full = false;
      for (let i = 0; i < page.rows.length; i++) {
        const row = page.rows[i]!;
        if (!passes(row.match)) continue;
        found.push(row.match);
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
      if (reads >= maxReads) {
        next = page.lastKey;
        break;
      }
    }
    const items = found.map(toUpdateView);
    if (params.duplicates === 'collapse') {
      const dups = await duplicatesAround(found);
      for (const item of items) item.duplicateCount = dups.get(item.id)?.length ?? 0;
    }
    return { items, nextCursor: next ? encodeCursor(params, next) : null };
  }

  async function getUpdate(rawId: string | undefined): Promise<UpdateDetail> {
    const id = parseUpdateId(rawId);
    const match = await store.getMatch(id);
    if (!match) throw new NotFoundError(`no update with id ${JSON.stringify(id.slice(0, 100))}`);
    const duplicates = match.duplicateOf ? [] : ((await duplicatesAround([match])).get(match.id) ?? []);
    duplicates.sort((a, b) => (a.publishedAt < b.publishedAt ? -1 : a.publishedAt > b.publishedAt ? 1 : 0));
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
