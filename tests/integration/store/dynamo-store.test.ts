import { beforeAll, describe, expect, it } from 'vitest';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createTestTable, type TestTable } from '#tests/support/dynamo.ts';
import { aMatch } from '#tests/support/matches.ts';
import { FEED_REGISTRY_SK, FEEDS_PARTITION, REGISTRY_SHARDS, topicPk } from '#shared/store/table-design.ts';
import { itemSize } from '#shared/store/item-size.ts';
import { CountRowsMissingError, DynamoStore } from '#shared/store/dynamo-store.ts';
import { createDocumentClient } from '#shared/store/dynamo-client.ts';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('store');
});

async function topicRows(topic: string) {
  const result = await table.doc.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': topicPk(topic) },
    }),
  );
  return result.Items ?? [];
}

describe('DynamoStore', () => {
  it('writes a match once and never overwrites it', async () => {
    const first = aMatch({ id: 'once', title: 'First headline', topics: ['ukraine-fund', 'nato-meetings'] });
    expect(await table.store.putMatch(first)).toBe('created');
    expect(await table.store.putMatch({ ...first, title: 'Edited headline' })).toBe('exists');
    const stored = await table.store.getMatch('once');
    expect(stored?.title).toBe('First headline');
    expect(stored?.topics).toEqual(['ukraine-fund', 'nato-meetings']);
    expect((await topicRows('nato-meetings')).map((r) => r.id)).toContain('once');
  });

  it('completes missing topic rows of a match stored by an interrupted cycle', async () => {
    const match = aMatch({ id: 'half', topics: ['us-aid'] });
    await table.store.putMatch(match);
    const [row] = await topicRows('us-aid');
    await table.doc.send(new DeleteCommand({ TableName: table.tableName, Key: { pk: row!.pk, sk: row!.sk } }));
    expect(await topicRows('us-aid')).toHaveLength(0);
    expect(await table.store.putMatch(match)).toBe('exists');
    expect((await topicRows('us-aid')).map((r) => r.id)).toEqual(['half']);
  });

  it('reads recent matches newest first from the index', async () => {
    const t = await createTestTable('recent');
    await t.store.putMatch(aMatch({ id: 'old', publishedAt: '2024-04-01T00:00:00.000Z' }));
    await t.store.putMatch(aMatch({ id: 'mid', publishedAt: '2024-04-02T00:00:00.000Z' }));
    await t.store.putMatch(aMatch({ id: 'new', publishedAt: '2024-04-03T00:00:00.000Z' }));
    const recent = await t.store.recentMatches('2024-04-02T00:00:00.000Z', 10);
    expect(recent.map((m) => m.id)).toEqual(['new', 'mid']);
  });

  it('keeps feed state per feed and reads many at once', async () => {
    await table.store.registerFeeds(['https://a.example/feed', 'https://b.example/feed']);
    await table.store.saveFeedState({ url: 'https://a.example/feed', name: 'A', etag: '"v1"', consecutiveFailures: 0 });
    await table.store.saveFeedState({ url: 'https://b.example/feed', name: 'B', consecutiveFailures: 3, lastError: 'timeout' });
    const states = await table.store.getFeedStates(['https://a.example/feed', 'https://b.example/feed', 'https://c.example/feed']);
    expect(states.get('https://a.example/feed')?.etag).toBe('"v1"');
    expect(states.get('https://b.example/feed')?.consecutiveFailures).toBe(3);
    expect(states.has('https://c.example/feed')).toBe(false);
    expect((await table.store.listFeedStates()).map((s) => s.name).sort()).toEqual(['A', 'B']);
  });

  it('sets the retention TTL from the publication time', async () => {
    const match = aMatch({ id: 'ttl', publishedAt: '2024-04-03T00:00:00.000Z' });
    await table.store.putMatch(match);
    const row = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: { pk: 'ITEM#ttl', sk: 'ITEM' } }));
    // The test table keeps matches 36,500 days (see tests/support/dynamo.ts).
    expect(row.Item?.expiresAt).toBe(Date.parse("2024-04-03T00:00:00.000Z") / 1000 + 36_500 * 86_400);
  });
});

describe('DynamoStore retention', () => {
  it('defaults to one year after publication', async () => {
    const t = await createTestTable('retention');
    const store = new DynamoStore({ client: t.doc, tableName: t.tableName });
    const publishedAt = new Date().toISOString();
    await store.putMatch(aMatch({ id: 'year', publishedAt }));
    const row = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: { pk: 'ITEM#year', sk: 'ITEM' } }));
    expect(row.Item?.expiresAt).toBe(Math.floor(Date.parse(publishedAt) / 1000) + 365 * 86_400);
  });
});

describe('DynamoStore batch writes and duplicate counts', () => {
  it('writes many matches in one call, each once, and says which were already there', async () => {
    const t = await createTestTable('batch');
    const many = Array.from({ length: 30 }, (_, i) => aMatch({ id: `b-${i}`, topics: ['us-aid', 'nato-meetings'] }));
    await t.store.putMatch(many[3]!);
    const outcome = await t.store.putMatches([...many, many[0]!]);
    expect(outcome.size).toBe(30);
    expect([...outcome.values()].filter((o) => o === 'exists')).toHaveLength(1);
    expect(outcome.get('b-3')).toBe('exists');
    const rows = await t.doc.send(
      new QueryCommand({ TableName: t.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': topicPk('us-aid') } }),
    );
    expect(rows.Items).toHaveLength(30);
  });

  it('counts stored near-duplicates on the first report and its topic rows', async () => {
    const t = await createTestTable('dupcount');
    const first = aMatch({ id: 'first', topics: ['ukraine-fund', 'nato-meetings'] });
    await t.store.putMatch(first);
    await t.store.countDuplicate('first');
    await t.store.countDuplicate('first');
    const item = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: { pk: 'ITEM#first', sk: 'ITEM' } }));
    expect(item.Item?.duplicateCount).toBe(2);
    for (const topic of first.topics) {
      const row = await t.doc.send(
        new GetCommand({ TableName: t.tableName, Key: { pk: topicPk(topic), sk: `${first.publishedAt}#first` } }),
      );
      expect(row.Item?.duplicateCount).toBe(2);
    }
  });

  it('waits for the rows of a first report that another writer is still storing, and counts on them once they are there', async () => {
    const t = await createTestTable('dupwait');
    const first = aMatch({ id: 'late-first', topics: ['ukraine-fund', 'us-aid'] });
    // The count starts before the first report is stored (another poller claimed it and is writing it).
    const counting = t.store.countDuplicate(first.id, 2, first);
    await t.store.putMatch(first);
    await counting;
    const keys = [{ pk: 'ITEM#late-first', sk: 'ITEM' }, ...first.topics.map((topic) => ({ pk: topicPk(topic), sk: `${first.publishedAt}#late-first` }))];
    for (const Key of keys) {
      const row = await t.doc.send(new GetCommand({ TableName: t.tableName, Key }));
      expect(row.Item?.duplicateCount).toBe(2);
      expect(row.Item?.title).toBe(first.title);
    }
  });

  it('gives up on rows that never come, with an error naming the first report, and creates no stub rows', async () => {
    const t = await createTestTable('dupnever', { countWaitMs: 200 });
    const ghost = aMatch({ id: 'ghost', topics: ['us-aid'] });
    await expect(t.store.countDuplicate('ghost', 1, ghost)).rejects.toThrow(/2 row\(s\) of first report ghost were not there/);
    await expect(t.store.countDuplicate('unknown')).rejects.toThrow(CountRowsMissingError);
    expect((await t.doc.send(new GetCommand({ TableName: t.tableName, Key: { pk: 'ITEM#ghost', sk: 'ITEM' } }))).Item).toBeUndefined();
  });

  it('story log: a slot is written once; reads go back to a time or on from a slot, oldest first', async () => {
    const t = await createTestTable('storylog');
    const claim = (id: string) => ({ id, title: `T ${id}`, summary: `S ${id}`, publishedAt: '2024-05-01T00:00:00.000Z', topics: ['us-aid'] });
    expect(await t.store.appendStoryClaims({ seq: 1, claimedAt: '2024-05-01T10:00:00.000Z', claims: [claim('a')] })).toBe(true);
    expect(await t.store.appendStoryClaims({ seq: 2, claimedAt: '2024-05-01T11:00:00.000Z', claims: [claim('b'), claim('c')] })).toBe(true);
    expect(await t.store.appendStoryClaims({ seq: 2, claimedAt: '2024-05-01T11:00:01.000Z', claims: [claim('x')] })).toBe(false);
    expect(await t.store.appendStoryClaims({ seq: 10, claimedAt: '2024-05-01T12:00:00.000Z', claims: [claim('d')] })).toBe(true);

    const ids = (slots: { seq: number; claims: { id: string }[] }[]) => slots.map((s) => `${s.seq}:${s.claims.map((c) => c.id).join('+')}`);
    expect(ids(await t.store.readStoryClaims({ afterSeq: 1 }))).toEqual(['2:b+c', '10:d']);
    expect(ids(await t.store.readStoryClaims({ afterSeq: 10 }))).toEqual([]);
    expect(ids(await t.store.readStoryClaims({ claimedSince: '2024-05-01T10:30:00.000Z' }))).toEqual(['2:b+c', '10:d']);
    expect(ids(await t.store.readStoryClaims({ claimedSince: '2024-05-02T00:00:00.000Z' }))).toEqual([]);
    const [slot] = await t.store.readStoryClaims({ afterSeq: 9 });
    expect(slot).toEqual({ seq: 10, claimedAt: '2024-05-01T12:00:00.000Z', claims: [claim('d')] });
  });

  it('lists registered feeds that have a state, without an index copy of their state rows', async () => {
    const t = await createTestTable('registry');
    await t.store.registerFeeds(['https://a.example/feed', 'https://b.example/feed', 'https://never-saved.example/feed']);
    await t.store.registerFeeds(['https://a.example/feed']);
    await t.store.saveFeedState({ url: 'https://a.example/feed', name: 'A', consecutiveFailures: 0 });
    await t.store.saveFeedState({ url: 'https://a.example/feed', name: 'A', consecutiveFailures: 1 });
    await t.store.saveFeedState({ url: 'https://b.example/feed', name: 'B', consecutiveFailures: 0 });
    await t.store.saveFeedState({ url: 'https://unlisted.example/feed', name: 'Unlisted', consecutiveFailures: 0 });
    const states = await t.store.listFeedStates();
    expect(states.map((s) => [s.name, s.consecutiveFailures]).sort()).toEqual([['A', 1], ['B', 0]]);
    const row = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: { pk: 'FEED#https://a.example/feed', sk: 'STATE' } }));
    expect(row.Item?.gsi1pk).toBeUndefined();
  });

  it('registers more feed URLs than one 400 KB item holds, spread over the registry rows', async () => {
    const t = await createTestTable('registry-large');
    // 2,000 URLs of ≈ 230 bytes: ≈ 460 KB, which one registry item could not hold.
    const urls = Array.from({ length: 2_000 }, (_, i) => `https://feeds-${i % 50}.example.org/${'section/'.repeat(25)}feed-${i}.xml`);
    await t.store.registerFeeds(urls.slice(0, 1_500));
    await t.store.registerFeeds(urls.slice(1_000));
    await Promise.all(urls.map((url, i) => t.store.saveFeedState({ url, name: `Feed ${i}`, consecutiveFailures: 0 })));

    const listed = await t.store.listFeedStates();
    expect(listed).toHaveLength(2_000);
    expect(new Set(listed.map((s) => s.url))).toEqual(new Set(urls));
    const rows = await t.doc.send(
      new QueryCommand({ TableName: t.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': FEEDS_PARTITION } }),
    );
    expect(rows.Items).toHaveLength(REGISTRY_SHARDS);
    for (const item of rows.Items ?? []) expect(itemSize(item)).toBeLessThan(100_000);
  });

  it('still lists the feeds of a one-row registry written by an earlier version', async () => {
    const t = await createTestTable('registry-legacy');
    await t.doc.send(
      new PutCommand({ TableName: t.tableName, Item: { pk: FEEDS_PARTITION, sk: FEED_REGISTRY_SK, rowType: 'feed-registry', urls: new Set(['https://old.example/feed']) } }),
    );
    await t.store.registerFeeds(['https://new.example/feed']);
    await t.store.saveFeedState({ url: 'https://old.example/feed', name: 'Old', consecutiveFailures: 0 });
    await t.store.saveFeedState({ url: 'https://new.example/feed', name: 'New', consecutiveFailures: 0 });
    expect((await t.store.listFeedStates()).map((s) => s.name).sort()).toEqual(['New', 'Old']);
  });
});

describe('DynamoStore row sizes', () => {
  it('bills a long match one write unit per row, index copy and topic row, even after duplicate counts', async () => {
    const t = await createTestTable('row-units');
    const match = aMatch({
      id: 'long-story',
      topics: ['ukraine-fund', 'nato-mission', 'us-aid'],
      title: 'Міністри НАТО обговорили п’ятирічний фонд на 100 мільярдів євро для України',
      summary: 'Союзники зважили пропозицію про п’ятирічний фонд і нову місію НАТО. '.repeat(15),
      categories: ['Світ', 'Європа'],
    });
    const stored = t.store.storedForm(match);
    expect(stored.summary.length).toBeLessThan(match.summary.length);
    expect(stored.summary.endsWith('…')).toBe(true);
    expect(await t.store.putMatch(match)).toBe('created');
    expect(await t.store.getMatch('long-story')).toMatchObject({ summary: stored.summary, title: match.title, link: match.link });
    await t.store.countDuplicate('long-story', 999);

    // DynamoDB Local prices each row by its own size rules: write every row again, fresh, and read the bill.
    const keys = [{ pk: 'ITEM#long-story', sk: 'ITEM' }, ...match.topics.map((topic) => ({ pk: topicPk(topic), sk: `${match.publishedAt}#long-story` }))];
    for (const key of keys) {
      const row = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: key }));
      expect(row.Item?.duplicateCount).toBe(999);
      await t.doc.send(new DeleteCommand({ TableName: t.tableName, Key: key }));
      const put = await t.doc.send(new PutCommand({ TableName: t.tableName, Item: row.Item, ReturnConsumedCapacity: 'INDEXES' }));
      expect(put.ConsumedCapacity?.Table?.CapacityUnits, key.pk).toBe(1);
      const indexUnits = Object.values(put.ConsumedCapacity?.GlobalSecondaryIndexes ?? {}).reduce((sum, i) => sum + (i.CapacityUnits ?? 0), 0);
      expect(indexUnits, key.pk).toBe(key.sk === 'ITEM' ? 1 : 0);
    }
  });
});

describe('DynamoStore under concurrent writers', () => {
  it('lets waiting writers share batch requests, and fails only the writer whose item DynamoDB rejects', async () => {
    const requests: { command: string; pks: string[] }[] = [];
    const doc = createDocumentClient({ endpoint: table.endpoint });
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { RequestItems?: Record<string, { PutRequest: { Item: { pk: string } } }[]> };
        const puts = Object.values(input.RequestItems ?? {}).flat();
        requests.push({ command: (context as { commandName: string }).commandName, pks: puts.map((p) => p.PutRequest.Item.pk) });
        return next(args);
      },
      { step: 'initialize', name: 'recordRequests' },
    );
    const store = new DynamoStore({ client: doc, tableName: table.tableName, maxBatchesInFlight: 1 });
    const state = (url: string, name = 'Desk') => ({ url, name, consecutiveFailures: 0 });
    try {
      // The first state write takes the only slot; the next two wait and share a request. The
      // second is over DynamoDB's 400 KB item limit, so that request is refused as a whole.
      const states = await Promise.allSettled([
        store.saveFeedState(state('https://first.example/feed')),
        store.saveFeedState(state('https://huge.example/feed', 'x'.repeat(410_000))),
        store.saveFeedState(state('https://fine.example/feed')),
      ]);
      expect(states.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(states[1]).toMatchObject({ reason: { name: 'ValidationException' } });
      expect(requests.map((r) => r.pks)).toEqual([
        ['FEED#https://first.example/feed'],
        ['FEED#https://huge.example/feed', 'FEED#https://fine.example/feed'],
        ['FEED#https://huge.example/feed'],
        ['FEED#https://fine.example/feed'],
      ]);
      const saved = await table.store.getFeedStates(['https://first.example/feed', 'https://huge.example/feed', 'https://fine.example/feed']);
      expect([...saved.keys()].sort()).toEqual(['https://fine.example/feed', 'https://first.example/feed']);

      requests.length = 0;
      const matches = ['c1', 'c2', 'c3', 'c4', 'c5'].map((id) => aMatch({ id: `shared-${id}`, topics: ['us-aid'] }));
      const written = await Promise.all(matches.map((m) => store.putMatches([m])));
      expect(written.map((w) => [...w.values()])).toEqual(Array(5).fill(['created']));
      // The first INSERT went alone; the four that waited for it left in one request.
      expect(requests.filter((r) => r.command === 'BatchExecuteStatementCommand')).toHaveLength(2);
      expect((await topicRows('us-aid')).map((r) => r.id)).toEqual(expect.arrayContaining(matches.map((m) => m.id)));
    } finally {
      doc.destroy();
    }
  });
});
