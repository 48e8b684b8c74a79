import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBRecord } from 'aws-lambda';
import { expect } from 'vitest';
import { DynamoTopicReader } from '#shared/alerts/dynamo-topic-reader.ts';
import { createLocalStreamsClient, readStream } from '#shared/local/stream-reader.ts';
import { parseConfig } from '#shared/config/load.ts';
import type { Config } from '#shared/config/schema.ts';
import type { CycleReport } from '#shared/pipeline/poll-cycle.ts';
import type { TestTable } from '#tests/support/dynamo.ts';
import { rssDocument, sendXml, storyItem, type LoopbackServer } from '#tests/support/hostile-server.ts';

/**
 * Accounting for the fault tests: every match is created once (one INSERT of its match row on
 * the table's stream, which is also what alerts are sent from), none is missing, and each has
 * its topic rows.
 */

/** Every match-row INSERT on the table's stream so far, in order, as Lambda would get them. */
export async function matchInserts(table: TestTable): Promise<DynamoDBRecord[]> {
  const dir = await mkdtemp(join(tmpdir(), 'fundwatch-audit-'));
  const client = createLocalStreamsClient(table.endpoint);
  try {
    const read = await readStream({ client, streamArn: table.streamArn, checkpointPath: join(dir, 'checkpoint.json') });
    return read.records;
  } finally {
    client.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}

export const insertedId = (record: DynamoDBRecord) => record.dynamodb?.NewImage?.id?.S ?? '';

/**
 * Asserts that exactly `expectedIds` were created, each once (stream and cycle reports agree),
 * and that each can be read back with its topic rows.
 */
export async function expectStoredExactlyOnce(table: TestTable, expectedIds: string[], cycles: CycleReport[]): Promise<void> {
  const inserted = (await matchInserts(table)).map(insertedId);
  expect([...inserted].sort(), 'one stream INSERT per match').toEqual([...expectedIds].sort());
  const reported = cycles.flatMap((c) => c.stored.map((m) => m.id));
  expect(new Set(reported).size, 'no match reported stored by two cycles').toBe(reported.length);
  const topics = new DynamoTopicReader({ client: table.doc, tableName: table.tableName });
  for (const id of expectedIds) {
    const match = await table.store.getMatch(id);
    expect(match, `match ${id}`).toBeDefined();
    for (const topic of match!.topics) {
      const rows = await topics.matchesForTopic(topic, '0000');
      expect(rows.filter((m) => m.id === id), `topic row ${topic} of ${id}`).toHaveLength(1);
    }
  }
}

export interface StoryFeeds {
  config: Config;
  urls: string[];
  /** guid of every item, per feed */
  guids: string[][];
}

/**
 * `feeds` feeds on `server`, each with `items` clearly matching items with unique GUIDs (under
 * `prefix`), plain 200s without validators so every cycle gets the whole body.
 */
export function serveStoryFeeds(
  server: LoopbackServer,
  prefix: string,
  feeds: number,
  items: number,
  fetch: Record<string, unknown> = {},
): StoryFeeds {
  const urls: string[] = [];
  const guids: string[][] = [];
  for (let f = 0; f < feeds; f++) {
    const path = `/${prefix}/feed-${f}.xml`;
    const feedItems = Array.from({ length: items }, (_, i) => storyItem(`${prefix}-${f}-${i}`));
    server.route(path, (_req, res) => sendXml(res, rssDocument(feedItems)));
    urls.push(`${server.origin}${path}`);
    guids.push(feedItems.map((item) => item.guid!));
  }
  const config = parseConfig({
    feeds: urls.map((url, i) => ({ url, name: `${prefix} feed ${i}` })),
    fetch: { allowPrivateHosts: ['127.0.0.1'], timeoutMs: 3000, idleTimeoutMs: 2000, ...fetch },
  });
  return { config, urls, guids };
}
