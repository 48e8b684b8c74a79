import { beforeAll, describe, expect, it } from 'vitest';
import type { Match } from '#shared/model.ts';
import { createTestTable, type TestTable } from '#tests/support/dynamo.ts';
import { aMatch } from '#tests/support/matches.ts';
import { DynamoQueryStore } from '#shared/query/dynamo-query-store.ts';
import { createQueryService, type QueryService } from '#shared/query/service.ts';
import { BadRequestError, NotFoundError } from '#shared/query/errors.ts';
import { foldText } from '#shared/query/text-search.ts';
import { encodeCursor } from '#shared/query/cursor.ts';
import type { RawParams } from '#shared/query/params.ts';
import { END, TOPICS, makeDataset, newestFirst, seed } from './dataset.ts';

const COUNT = 3000;
let table: TestTable;
let service: QueryService;
let data: Match[];

const EDGE = [
  aMatch({ id: 'edge-start', publishedAt: '2024-07-10T00:00:00.000Z', topics: ['us-aid'], score: 0.5 }),
  aMatch({ id: 'edge-end', publishedAt: '2024-07-10T23:59:59.999Z', topics: ['us-aid'], score: 0.5 }),
  aMatch({ id: 'edge-after', publishedAt: '2024-07-11T00:00:00.000Z', topics: ['us-aid'], score: 0.5 }),
  aMatch({ id: 'edge-before', publishedAt: '2024-07-09T23:59:59.999Z', topics: ['us-aid'], score: 0.5 }),
];

beforeAll(async () => {
  table = await createTestTable('query');
  data = [...makeDataset(COUNT, 7), ...EDGE];
  await seed(table.doc, table.tableName, data);
  service = createQueryService({ store: new DynamoQueryStore({ client: table.doc, tableName: table.tableName }), topics: TOPICS });
}, 60_000);

/** Follows cursors to the end; fails on a loop rather than hanging. */
async function everything(svc: QueryService, raw: RawParams): Promise<{ ids: string[]; pages: number; items: { id: string; duplicateCount?: number }[] }> {
  const items: { id: string; duplicateCount?: number }[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await svc.listUpdates(svc.parseListParams({ ...raw, ...(cursor ? { cursor } : {}) }));
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    pages++;
    expect(pages).toBeLessThan(2000);
  } while (cursor);
  return { ids: items.map((i) => i.id), pages, items };
}

const expected = (keep: (m: Match) => boolean) => data.filter(keep).sort(newestFirst).map((m) => m.id);

describe('listing updates over thousands of stored matches', () => {
  it('returns every match exactly once, newest first, across pages of all topics', async () => {
    const { ids, pages } = await everything(service, { duplicates: 'include', limit: '137' });
    expect(ids).toHaveLength(COUNT + EDGE.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expected(() => true));
    expect(pages).toBe(Math.ceil(ids.length / 137));
  });

  it('returns each first report of one topic exactly once, duplicates collapsed by default', async () => {
    const { ids } = await everything(service, { topic: 'nato-mission', limit: '50' });
    const want = expected((m) => m.topics.includes('nato-mission') && !m.duplicateOf);
    expect(want.length).toBeGreaterThan(300);
    expect(ids).toEqual(want);
  });

  it('combines topic, time range, score, language and text filters across pages', async () => {
    const raw = { topic: 'ukraine-fund', since: '2024-06-15', until: '2024-07-20T12:00:00+02:00', minScore: '0.6', lang: 'de', q: 'brussel', limit: '7' };
    const since = Date.parse('2024-06-15T00:00:00Z');
    const until = Date.parse('2024-07-20T10:00:00Z');
    const want = expected(
      (m) =>
        m.topics.includes('ukraine-fund') && !m.duplicateOf && m.score >= 0.6 && m.lang === 'de' &&
        Date.parse(m.publishedAt) >= since && Date.parse(m.publishedAt) <= until &&
        foldText(`${m.title} ${m.summary}`).includes('brussel'),
    );
    expect(want.length).toBeGreaterThan(3);
    expect((await everything(service, raw)).ids).toEqual(want);
  });

  it('filters all topics by source with duplicates included, and by diacritic-insensitive text', async () => {
    const bySource = await everything(service, { source: 'kyiv daily', duplicates: 'include', limit: '200' });
    expect(bySource.ids).toEqual(expected((m) => m.source === 'Kyiv Daily'));
    const byText = await everything(service, { q: 'ZELENSKYJ', limit: '33' });
    expect(byText.ids).toEqual(expected((m) => !m.duplicateOf && `${m.title} ${m.summary}`.includes('Zełenśkyj')));
  });

  it('keeps every match exactly once when each request may read only one page', async () => {
    const stingy = createQueryService({
      store: new DynamoQueryStore({ client: table.doc, tableName: table.tableName }),
      topics: TOPICS,
      options: { maxReadsPerRequest: 1 },
    });
    const result = await everything(stingy, { lang: 'pl', minScore: '0.9', limit: '5' });
    expect(result.ids).toEqual(expected((m) => m.lang === 'pl' && m.score >= 0.9 && !m.duplicateOf));
    expect(result.pages).toBeGreaterThan(result.ids.length / 5);
  });

  it('treats both ends of a time range as inclusive, a date as its whole UTC day', async () => {
    const day = await everything(service, { topic: 'us-aid', since: '2024-07-10', until: '2024-07-10', duplicates: 'include' });
    const edgeIds = day.ids.filter((id) => id.startsWith('edge-'));
    expect(edgeIds).toEqual(['edge-end', 'edge-start']);
    const exact = await everything(service, { since: '2024-07-10T00:00:00.000Z', until: '2024-07-11T00:00:00Z', duplicates: 'include' });
    expect(exact.ids).toContain('edge-start');
    expect(exact.ids).toContain('edge-after');
    expect(exact.ids).not.toContain('edge-before');
    const offset = await everything(service, { since: '2024-07-10T01:59:59.999+02:00', until: '2024-07-10T01:59:59.999+02:00', duplicates: 'include' });
    expect(offset.ids).toEqual(expected((m) => m.publishedAt === '2024-07-09T23:59:59.999Z'));
    expect(offset.ids).toContain('edge-before');
  });

  it('collapses near-duplicates into a count on their first report, or lists them when asked', async () => {
    const collapsed = await everything(service, { topic: 'defense-industry', limit: '200' });
    const dupCount = new Map<string, number>();
    for (const m of data) if (m.duplicateOf) dupCount.set(m.duplicateOf, (dupCount.get(m.duplicateOf) ?? 0) + 1);
    expect(collapsed.items.some((i) => (i.duplicateCount ?? 0) > 0)).toBe(true);
    for (const item of collapsed.items) expect(item.duplicateCount).toBe(dupCount.get(item.id) ?? 0);
    const included = await service.listUpdates(service.parseListParams({ duplicates: 'include', limit: '200' }));
    expect(included.items.some((i) => i.duplicateOf !== null)).toBe(true);
    expect(included.items.every((i) => i.duplicateCount === undefined)).toBe(true);
  });

  it('refuses a cursor replayed with other filters or forged into another partition', async () => {
    const first = await service.listUpdates(service.parseListParams({ topic: 'us-aid', limit: '5' }));
    expect(first.nextCursor).toBeTruthy();
    await expect(service.listUpdates(service.parseListParams({ topic: 'us-aid', limit: '5', cursor: first.nextCursor! }))).resolves.toBeTruthy();
    const replay = service.listUpdates(service.parseListParams({ topic: 'nato-mission', limit: '5', cursor: first.nextCursor! }));
    await expect(replay).rejects.toMatchObject({ name: 'BadRequestError', parameter: 'cursor' });
    const params = service.parseListParams({ limit: '5' });
    const forged = encodeCursor(params, { pk: 'FEED#x', sk: 'STATE', gsi1pk: 'FEEDS', gsi1sk: 'x' });
    await expect(service.listUpdates({ ...params, cursor: forged })).rejects.toBeInstanceOf(BadRequestError);
    const outside = encodeCursor(service.parseListParams({ since: '2024-07-01' }), { pk: 'ITEM#a', sk: 'ITEM', gsi1pk: 'MATCHES', gsi1sk: '2024-06-01T00:00:00.000Z#a' });
    await expect(service.listUpdates({ ...service.parseListParams({ since: '2024-07-01' }), cursor: outside })).rejects.toBeInstanceOf(BadRequestError);
  });

  it('shows one update with its evidence and its near-duplicates; an unknown id is not found', async () => {
    const original = data.find((m) => data.filter((d) => d.duplicateOf === m.id).length >= 2)!;
    const detail = await service.getUpdate(original.id);
    expect(detail.evidence).toEqual(original.evidence);
    expect(detail.duplicates.map((d) => d.id).sort()).toEqual(data.filter((d) => d.duplicateOf === original.id).map((d) => d.id).sort());
    const dup = data.find((m) => m.duplicateOf)!;
    expect((await service.getUpdate(dup.id)).duplicateOf).toBe(dup.duplicateOf);
    await expect(service.getUpdate('../../etc/passwd')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('counts each topic over the last day, week and month', async () => {
    const now = new Date(END + 1);
    const topics = await service.listTopics(now);
    expect(topics.map((t) => t.id)).toEqual(TOPICS.map((t) => t.id));
    for (const topic of topics) {
      const count = (days: number) =>
        data.filter((m) => m.topics.includes(topic.id) && !m.duplicateOf && Date.parse(m.publishedAt) >= now.getTime() - days * 86_400_000 && Date.parse(m.publishedAt) <= now.getTime()).length;
      expect(topic.counts).toEqual({ last24h: count(1), last7d: count(7), last30d: count(30) });
    }
    expect(topics[0]!.counts.last30d).toBeGreaterThan(topics[0]!.counts.last7d);
  });

  it('reports each feed\'s health from its stored state', async () => {
    await table.store.saveFeedState({ url: 'https://ok.example/feed', name: 'OK', consecutiveFailures: 0, lastAttemptAt: '2024-07-31T10:00:00.000Z', lastSuccessAt: '2024-07-31T10:00:00.000Z', lastStatus: 200, etag: '"secret"', seen: ['a'] });
    await table.store.saveFeedState({ url: 'https://bad.example/feed', name: 'Bad', consecutiveFailures: 4, lastStatus: 503, lastError: 'HTTP 503', nextPollAt: '2024-07-31T12:00:00.000Z' });
    await table.store.saveFeedState({ url: 'https://gone.example/feed', name: 'Gone', consecutiveFailures: 1, gone: true, lastStatus: 410 });
    const feeds = await service.listFeeds();
    expect(feeds.map((f) => [f.name, f.status])).toEqual([['Bad', 'failing'], ['Gone', 'gone'], ['OK', 'ok']]);
    expect(feeds[0]).toMatchObject({ consecutiveFailures: 4, nextPollAt: '2024-07-31T12:00:00.000Z', lastStatus: 503 });
    expect(JSON.stringify(feeds)).not.toContain('secret');
  });
});
