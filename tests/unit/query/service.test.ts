import { describe, expect, it } from 'vitest';
import type { FeedState, Match } from '#shared/model.ts';
import type { QueryStore, RangeQuery, RangePage, RowKey } from '#shared/query/ports.ts';
import { createQueryService } from '#shared/query/service.ts';
import { timeSortKey } from '#shared/store/table-design.ts';
import { aMatch } from '#tests/support/matches.ts';
import { TOPICS, duplicateCounts, makeDataset, newestFirst } from '#tests/integration/query/dataset.ts';
import { prng } from '#tests/support/prng.ts';

/**
 * An in-memory store with DynamoDB's paging semantics (Limit per request, LastEvaluatedKey,
 * ExclusiveStartKey), to check the paging logic over many random filter combinations quickly.
 */
class MemoryStore implements QueryStore {
  reads = 0;
  duplicateLookups = 0;
  /** The counter the poll cycle keeps on each first report's rows. */
  private readonly counts: Map<string, number>;
  constructor(private readonly matches: Match[]) {
    this.counts = duplicateCounts(matches);
  }
  async queryRange(q: RangeQuery): Promise<RangePage> {
    this.reads++;
    const sk = (m: Match) => timeSortKey(m.publishedAt, m.id);
    const keyOf = (m: Match): RowKey => (q.partition.kind === 'topic' ? { pk: `TOPIC#${q.partition.topic}`, sk: sk(m) } : { pk: `ITEM#${m.id}`, sk: 'ITEM', gsi1pk: 'MATCHES', gsi1sk: sk(m) });
    const start = q.startKey ? (q.startKey.gsi1sk ?? q.startKey.sk)! : undefined;
    const rows = this.matches
      .filter((m) => q.partition.kind === 'all' || m.topics.includes(q.partition.topic))
      .filter((m) => (!q.since || sk(m) >= q.since) && (!q.until || sk(m) <= `${q.until}$`))
      .sort(newestFirst)
      .filter((m) => start === undefined || sk(m) < start);
    const page = rows.slice(0, q.pageSize);
    const result: RangePage = { rows: page.map((match) => ({ match, key: keyOf(match), ...(this.counts.has(match.id) ? { duplicateCount: this.counts.get(match.id)! } : {}) })) };
    if (rows.length > q.pageSize) result.lastKey = keyOf(page[page.length - 1]!);
    return result;
  }
  async duplicatesOf(firstId: string, since: string, until: string): Promise<Match[]> {
    this.duplicateLookups++;
    return this.matches.filter((m) => m.duplicateOf === firstId && m.publishedAt >= since && m.publishedAt <= until);
  }
  async countFirstReports(): Promise<number> {
    return 0;
  }
  async getMatch(id: string): Promise<Match | undefined> {
    return this.matches.find((m) => m.id === id);
  }
  async listFeedStates(): Promise<FeedState[]> {
    return [];
  }
}

describe('query service paging', () => {
  const data = makeDataset(600, 5);

  it('returns every matching item exactly once for 60 random filter combinations', async () => {
    const rand = prng(99);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
    for (let run = 0; run < 60; run++) {
      const store = new MemoryStore(data);
      const service = createQueryService({ store, topics: TOPICS, options: { maxReadsPerRequest: 1 + Math.floor(rand() * 3) } });
      const raw: Record<string, string> = { limit: String(1 + Math.floor(rand() * 40)) };
      if (rand() < 0.5) raw.topic = pick(TOPICS).id;
      if (rand() < 0.5) raw.minScore = pick(['0.4', '0.7', '0.95']);
      if (rand() < 0.3) raw.lang = pick(['en', 'pl']);
      if (rand() < 0.3) raw.q = pick(['fund', 'brussel', 'summit pledge']);
      if (rand() < 0.5) raw.duplicates = 'include';
      if (rand() < 0.4) raw.since = '2024-07-01';
      const params = service.parseListParams(raw);
      const want = data
        .filter((m) => (!params.topic || m.topics.includes(params.topic)) && (params.duplicates === 'include' || !m.duplicateOf))
        .filter((m) => (params.minScore === undefined || m.score >= params.minScore) && (!params.lang || m.lang === params.lang))
        .filter((m) => !params.since || m.publishedAt >= params.since)
        .filter((m) => params.terms.every((t) => `${m.title} ${m.summary}`.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '').replace(/ł/g, 'l').includes(t)))
        .sort(newestFirst)
        .map((m) => m.id);
      const got: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await service.listUpdates({ ...params, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(params.limit);
        got.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
        expect(++pages).toBeLessThan(2000);
      } while (cursor);
      expect(got, JSON.stringify(raw)).toEqual(want);
      expect(store.duplicateLookups, 'listings never read duplicates').toBe(0);
    }
  });

  it('takes each first report\'s duplicate count from its row, in collapse mode only', async () => {
    const counts = duplicateCounts(data);
    const store = new MemoryStore(data);
    const service = createQueryService({ store, topics: TOPICS });
    const collapsed = await service.listUpdates(service.parseListParams({ limit: '200' }));
    expect(collapsed.items.some((i) => (i.duplicateCount ?? 0) > 1)).toBe(true);
    for (const item of collapsed.items) {
      expect(item.duplicateOf).toBeNull();
      expect(item.duplicateCount).toBe(counts.get(item.id) ?? 0);
    }
    const included = await service.listUpdates(service.parseListParams({ limit: '200', duplicates: 'include' }));
    expect(included.items.every((i) => !('duplicateCount' in i))).toBe(true);
    expect(store.duplicateLookups).toBe(0);
  });

  it('lists one update\'s duplicates from a lookup bounded to the window either side of it', async () => {
    const original = aMatch({ id: 'first', publishedAt: '2024-07-10T12:00:00.000Z' });
    const dup = (id: string, publishedAt: string) => aMatch({ id, publishedAt, duplicateOf: 'first' });
    // A duplicate can be published before its first report (a feed polled late), within the window.
    const stored = [original, dup('d-late', '2024-07-13T11:00:00.000Z'), dup('d-early', '2024-07-08T13:00:00.000Z'), dup('d-next', '2024-07-10T12:00:00.000Z')];
    const ranges: [string, string][] = [];
    const store = new MemoryStore(stored);
    const lookup = store.duplicatesOf.bind(store);
    store.duplicatesOf = (id, since, until) => {
      ranges.push([since, until]);
      return lookup(id, since, until);
    };
    const service = createQueryService({ store, topics: TOPICS, options: { duplicateWindowHours: 72 } });
    const detail = await service.getUpdate('first');
    expect(detail.duplicates.map((d) => d.id)).toEqual(['d-early', 'd-next', 'd-late']);
    expect(ranges).toEqual([['2024-07-07T12:00:00.000Z', '2024-07-13T12:00:00.000Z']]);
    // A duplicate's own detail lists none, and needs no lookup.
    expect((await service.getUpdate('d-late')).duplicates).toEqual([]);
    expect(ranges).toHaveLength(1);
  });

  it('ends without a cursor when the last page is exactly full', async () => {
    const firsts = data.filter((m) => m.topics.includes('us-aid'));
    const service = createQueryService({ store: new MemoryStore(data), topics: TOPICS });
    const page = await service.listUpdates(service.parseListParams({ topic: 'us-aid', duplicates: 'include', limit: String(Math.min(200, firsts.length)) }));
    expect(firsts.length).toBeLessThanOrEqual(200);
    expect(page.items).toHaveLength(firsts.length);
    expect(page.nextCursor).toBeNull();
  });
});
