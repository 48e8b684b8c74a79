import { beforeAll, describe, expect, it } from 'vitest';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '#shared/store/dynamo-client.ts';
import type { Match } from '#shared/model.ts';
import { createTestTable, type TestTable } from '#tests/support/dynamo.ts';
import { aMatch } from '#tests/support/matches.ts';
import { DynamoQueryStore } from '#shared/query/dynamo-query-store.ts';
import { createQueryService, type QueryService } from '#shared/query/service.ts';
import { BadRequestError, NotFoundError } from '#shared/query/errors.ts';
import { foldText } from '#shared/query/text-search.ts';
import { encodeCursor } from '#shared/query/cursor.ts';
import type { RawParams } from '#shared/query/params.ts';
import { END, TOPICS, duplicateCounts, makeDataset, newestFirst, seed } from './dataset.ts';

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

interface SentCommand {
  name: string;
  input: Record<string, unknown>;
  scanned?: number;
  units?: number;
}

/** A DocumentClient on the same table that records every command sent, with the rows it read and its capacity. */
function recordingClient(): { doc: DynamoDBDocumentClient; sent: SentCommand[] } {
  const doc = createDocumentClient({ endpoint: table.endpoint });
  const sent: SentCommand[] = [];
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const output = result.output as { ScannedCount?: number; ConsumedCapacity?: { CapacityUnits?: number } };
      const command: SentCommand = { name: String((context as { commandName?: string }).commandName), input: structuredClone(input) };
      if (output.ScannedCount !== undefined) command.scanned = output.ScannedCount;
      if (output.ConsumedCapacity?.CapacityUnits !== undefined) command.units = output.ConsumedCapacity.CapacityUnits;
      sent.push(command);
      return result;
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return { doc, sent };
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

  it('collapses near-duplicates into the count stored on their first report, or lists them when asked', async () => {
    const dupCount = duplicateCounts(data);
    const collapsed = await everything(service, { topic: 'defense-industry', limit: '200' });
    expect(collapsed.items.some((i) => (i.duplicateCount ?? 0) > 0)).toBe(true);
    for (const item of collapsed.items) expect(item.duplicateCount).toBe(dupCount.get(item.id) ?? 0);
    // All topics (the gsi1 index rows), pages of an odd size: every first report exactly once, each with its count.
    const all = await everything(service, { limit: '97' });
    expect(all.ids).toEqual(expected((m) => !m.duplicateOf));
    expect(all.items.filter((i) => (i.duplicateCount ?? 0) > 1).length).toBeGreaterThan(20);
    for (const item of all.items) expect(item.duplicateCount).toBe(dupCount.get(item.id) ?? 0);
    const included = await service.listUpdates(service.parseListParams({ duplicates: 'include', limit: '200' }));
    expect(included.items.some((i) => i.duplicateOf !== null)).toBe(true);
    expect(included.items.every((i) => i.duplicateCount === undefined)).toBe(true);
  });

  it('reads only the page for a listing: one Query on the requested range, no duplicate window', async () => {
    const { doc, sent } = recordingClient();
    const svc = createQueryService({ store: new DynamoQueryStore({ client: doc, tableName: table.tableName }), topics: TOPICS });
    const dupCount = duplicateCounts(data);
    const requests: { raw: RawParams; pk: string; range?: [string, string] }[] = [
      { raw: {}, pk: 'MATCHES' },
      { raw: { limit: '200' }, pk: 'MATCHES' },
      { raw: { topic: 'us-aid', limit: '10' }, pk: 'TOPIC#us-aid' },
      { raw: { topic: 'nato-mission', since: '2024-07-01', until: '2024-07-20' }, pk: 'TOPIC#nato-mission', range: ['2024-07-01T00:00:00.000Z', '2024-07-20T23:59:59.999Z$'] },
    ];
    let units = 0;
    let pages = 0;
    for (const { raw, pk, range } of requests) {
      let cursor: string | undefined;
      // The first page and the one after it: a cursor costs no extra read either.
      for (let n = 0; n < 2; n++) {
        sent.length = 0;
        const params = svc.parseListParams({ ...raw, ...(cursor ? { cursor } : {}) });
        const page = await svc.listUpdates(params);
        expect(page.items).toHaveLength(params.limit);
        for (const item of page.items) expect(item.duplicateCount).toBe(dupCount.get(item.id) ?? 0);
        expect(sent.map((c) => c.name), JSON.stringify(raw)).toEqual(['QueryCommand']);
        const query = sent[0]!;
        expect(query.input.FilterExpression).toBeUndefined();
        expect(query.input.Limit).toBeLessThanOrEqual(params.limit + Math.ceil(params.limit / 2) + 1);
        expect(query.scanned).toBeLessThanOrEqual(query.input.Limit as number);
        const values = query.input.ExpressionAttributeValues as Record<string, unknown>;
        expect(values[':pk']).toBe(pk);
        expect(range ? [values[':lo'], values[':hi']] : Object.keys(values)).toEqual(range ?? [':pk']);
        units += query.units ?? 0;
        pages++;
        cursor = page.nextCursor!;
        expect(cursor).toBeTruthy();
      }
    }
    // Local measurement for the record (DynamoDB Local reports capacity as AWS bills it).
    expect(units / pages).toBeGreaterThan(0);
    expect(units / pages).toBeLessThan(20);
    doc.destroy();
  });

  it('looks up one update\'s duplicates in the window either side of it, never a listing\'s range', async () => {
    const byId = new Map(data.map((m) => [m.id, m]));
    // A duplicate can be published before its first report (a feed polled late); it is still listed.
    const early = data.find((m) => m.duplicateOf && m.publishedAt < byId.get(m.duplicateOf)!.publishedAt)!;
    const original = byId.get(early.duplicateOf!)!;
    const { doc, sent } = recordingClient();
    const svc = createQueryService({ store: new DynamoQueryStore({ client: doc, tableName: table.tableName }), topics: TOPICS });
    const detail = await svc.getUpdate(original.id);
    expect(detail.duplicates.map((d) => d.id)).toContain(early.id);
    expect(detail.duplicates.map((d) => d.id).sort()).toEqual(data.filter((d) => d.duplicateOf === original.id).map((d) => d.id).sort());
    expect(detail.duplicates.map((d) => d.publishedAt)).toEqual(detail.duplicates.map((d) => d.publishedAt).sort());
    expect(sent[0]!.name).toBe('GetItemCommand');
    const queries = sent.slice(1);
    expect(queries.length).toBeGreaterThanOrEqual(1);
    const published = Date.parse(original.publishedAt);
    for (const q of queries) {
      expect(q.name).toBe('QueryCommand');
      const values = q.input.ExpressionAttributeValues as Record<string, unknown>;
      expect(values[':first']).toBe(original.id);
      expect(values[':lo']).toBe(new Date(published - 72 * 3_600_000).toISOString());
      expect(values[':hi']).toBe(`${new Date(published + 72 * 3_600_000).toISOString()}$`);
    }
    doc.destroy();
  });

  it('shows the counts the store keeps as duplicates are stored, and skips a row that is not a match', async () => {
    const own = await createTestTable('querycount');
    const first = aMatch({ id: 'first', publishedAt: '2024-07-10T10:00:00.000Z', topics: ['us-aid', 'nato-mission'] });
    const copies = [1, 2].map((n) => aMatch({ id: `copy-${n}`, publishedAt: `2024-07-10T1${n}:00:00.000Z`, topics: ['us-aid'], duplicateOf: 'first' }));
    const lone = aMatch({ id: 'lone', publishedAt: '2024-07-09T10:00:00.000Z', topics: ['us-aid'] });
    // As the poll cycle stores them: the matches, then one count per stored duplicate.
    await own.store.putMatches([lone, first, ...copies]);
    for (const copy of copies) await own.store.countDuplicate(copy.duplicateOf!);
    await own.doc.send(new PutCommand({ TableName: own.tableName, Item: { pk: 'TOPIC#us-aid', sk: '2024-07-10T12:00:00.000Z#gone', duplicateCount: 1 } }));
    const svc = createQueryService({ store: new DynamoQueryStore({ client: own.doc, tableName: own.tableName }), topics: TOPICS });
    const counts = async (raw: RawParams) => (await svc.listUpdates(svc.parseListParams(raw))).items.map((i) => [i.id, i.duplicateCount]);
    expect(await counts({ topic: 'us-aid' })).toEqual([['first', 2], ['lone', 0]]);
    expect(await counts({ topic: 'nato-mission' })).toEqual([['first', 2]]);
    expect(await counts({})).toEqual([['first', 2], ['lone', 0]]);
    expect((await svc.getUpdate('first')).duplicates.map((d) => d.id)).toEqual(['copy-1', 'copy-2']);
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
    await table.store.registerFeeds(['https://ok.example/feed', 'https://bad.example/feed', 'https://gone.example/feed']);
    const feeds = await service.listFeeds();
    expect(feeds.map((f) => [f.name, f.status])).toEqual([['Bad', 'failing'], ['Gone', 'gone'], ['OK', 'ok']]);
    expect(feeds[0]).toMatchObject({ consecutiveFailures: 4, nextPollAt: '2024-07-31T12:00:00.000Z', lastStatus: 503 });
    expect(JSON.stringify(feeds)).not.toContain('secret');
  });
});
