import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { createTestTable, type TestTable } from '#tests/support/dynamo.ts';
import { aMatch } from '#tests/support/matches.ts';
import { checkpointPathFor, createLocalStreamsClient, readStream } from '#shared/local/stream-reader.ts';
import { MATCH_INSERT_FILTER_PATTERN, isMatchInsert, matchFromRecord } from '#shared/alerts/stream-batch.ts';

let table: TestTable;
let streams: DynamoDBStreamsClient;
let dataDir: string;

beforeAll(async () => {
  table = await createTestTable('stream');
  streams = createLocalStreamsClient(table.endpoint);
  dataDir = await mkdtemp(join(tmpdir(), 'fundwatch-stream-'));
});

afterAll(() => {
  streams.destroy();
});

const reader = () => readStream({ client: streams, streamArn: table.streamArn, checkpointPath: checkpointPathFor(dataDir) });

describe('local stream reader (DynamoDB Local)', () => {
  it('returns exactly the match inserts since the checkpoint, in the Lambda record shape', async () => {
    const first = await reader();
    await first.commit();

    const written = [
      aMatch({ id: 'sr-1', topics: ['ukraine-fund', 'nato-meetings'] }),
      aMatch({ id: 'sr-2', title: 'Ünïcode — “quotes” and emoji 🇺🇦' }),
      aMatch({ id: 'sr-3', topics: ['us-aid'] }),
    ];
    for (const match of written) await table.store.putMatch(match);

    const read = await reader();
    // Topic rows are inserts too, but only match rows pass the filter, as in the event source mapping.
    expect(read.records.map((r) => r.dynamodb?.NewImage?.id?.S)).toEqual(['sr-1', 'sr-2', 'sr-3']);
    const record = read.records[1]!;
    expect(record).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventSourceARN: table.streamArn,
      dynamodb: { StreamViewType: 'NEW_IMAGE', Keys: { pk: { S: 'ITEM#sr-2' }, sk: { S: 'ITEM' } } },
    });
    expect(typeof record.dynamodb?.SequenceNumber).toBe('string');
    expect(typeof record.dynamodb?.ApproximateCreationDateTime).toBe('number');
    expect(matchFromRecord(record)).toEqual(written[1]);
    await read.commit();

    expect((await reader()).records).toEqual([]);
  });

  it('hands out the same records again until they are committed', async () => {
    await (await reader()).commit();
    await table.store.putMatch(aMatch({ id: 'sr-uncommitted' }));
    const once = await reader();
    const twice = await reader();
    expect(once.records.map((r) => r.dynamodb?.NewImage?.id?.S)).toEqual(['sr-uncommitted']);
    expect(twice.records).toEqual(once.records);
    await twice.commit();
    expect((await reader()).records).toEqual([]);
  });

  it('keeps its position across restarts in a checkpoint file keyed by stream', async () => {
    await (await reader()).commit();
    const saved = JSON.parse(await readFile(checkpointPathFor(dataDir), 'utf8')) as { streamArn: string; shards: Record<string, string> };
    expect(saved.streamArn).toBe(table.streamArn);
    expect(Object.values(saved.shards).length).toBeGreaterThan(0);

    await table.store.putMatch(aMatch({ id: 'sr-after-restart' }));
    const read = await reader();
    expect(read.records.map((r) => r.dynamodb?.NewImage?.id?.S)).toEqual(['sr-after-restart']);
    await read.commit();
    expect((await reader()).records).toEqual([]);
  });

  it('treats a checkpoint of another stream (a re-created table) as none', async () => {
    const other = await mkdtemp(join(tmpdir(), 'fundwatch-stream-other-'));
    await writeFile(checkpointPathFor(other), JSON.stringify({ streamArn: 'arn:aws:dynamodb:local:000:table/x/stream/old', shards: { a: '1' } }));
    const fresh = await readStream({ client: streams, streamArn: table.streamArn, checkpointPath: checkpointPathFor(other) });
    expect(fresh.records.map((r) => r.dynamodb?.NewImage?.id?.S)).toEqual(['sr-1', 'sr-2', 'sr-3', 'sr-uncommitted', 'sr-after-restart']);
  });

  it('can hand out every record when asked to (no filter)', async () => {
    const other = await mkdtemp(join(tmpdir(), 'fundwatch-stream-all-'));
    const all = await readStream({ client: streams, streamArn: table.streamArn, checkpointPath: checkpointPathFor(other), filter: () => true });
    // Only inserts: DynamoDB Local's TTL sweeper may add REMOVE records for the test's 2024 rows.
    const pks = all.records.filter((r) => r.eventName === 'INSERT').map((r) => r.dynamodb?.Keys?.pk?.S);
    expect(pks).toContain('TOPIC#nato-meetings');
    expect(pks.filter((pk) => pk?.startsWith('ITEM#'))).toHaveLength(5);
  });

  it("lets through the event source mapping's filter exactly the records the notify code alerts on", async () => {
    await table.store.putMatch(aMatch({ id: 'filtered-first', topics: ['us-aid'] }));
    await table.store.countDuplicate('filtered-first', 1);
    await table.store.saveFeedState({ url: 'https://filter.example/feed', name: 'Filter', consecutiveFailures: 0 });
    const other = await mkdtemp(join(tmpdir(), 'fundwatch-stream-filter-'));
    const all = await readStream({ client: streams, streamArn: table.streamArn, checkpointPath: checkpointPathFor(other), filter: () => true });
    const kinds = new Set(all.records.map((r) => `${r.eventName} ${r.dynamodb?.Keys?.pk?.S?.split('#')[0]}`));
    // Inserts and modifications of match rows, topic rows and feed states: the filter sees them all.
    expect([...kinds]).toEqual(expect.arrayContaining(['INSERT ITEM', 'INSERT TOPIC', 'INSERT FEED', 'MODIFY ITEM', 'MODIFY TOPIC']));
    const passed = all.records.filter((record) => passesFilter(MATCH_INSERT_FILTER_PATTERN, record));
    expect(passed.length).toBeGreaterThan(0);
    expect(passed).toEqual(all.records.filter(isMatchInsert));
  });
});

/**
 * Lambda event filtering for the subset the stack uses: a list holds the allowed values of a
 * field, an object descends into it, and every field named must match.
 */
function passesFilter(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.includes(value);
  if (pattern && typeof pattern === 'object') {
    return Object.entries(pattern).every(([key, inner]) => value !== null && typeof value === 'object' && passesFilter(inner, (value as Record<string, unknown>)[key]));
  }
  return false;
}
