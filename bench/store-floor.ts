/**
 * Where a first cycle's time goes on DynamoDB Local: `node bin/run-ts.mjs bench/store-floor.ts`.
 *
 * Runs one full cycle of the benchmark's 200 × 50 feeds on loopback with a store that only
 * records what it is asked to write, then replays exactly those writes (match rows with their
 * `gsi1` copies, topic rows, feed states), feed by feed at the pipeline's fetch concurrency, each
 * time on a fresh DynamoDB Local after a warm-up: into the table as deployed, and into the same
 * table with its stream switched off (DynamoDB Local emulates the stream on the write path; AWS
 * does not). Not part of `npm run bench`: it explains the full-cycle row of its table
 * (docs/benchmark.md).
 */
import { DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '#shared/store/create-table.ts';
import { createDocumentClient } from '#shared/store/dynamo-client.ts';
import { DynamoStore } from '#shared/store/dynamo-store.ts';
import type { MatchStore } from '#shared/store/ports.ts';
import type { FeedState, Match } from '#shared/model.ts';
import { runPollCycle } from '#shared/pipeline/poll-cycle.ts';
import { createLimiter } from '#shared/pipeline/concurrency.ts';
import { startDynamoDbLocal } from '#shared/local/dynamodb-local.ts';
import { FeedSet } from './lib/feeds.ts';
import { benchPollConfig, benchPollDeps } from './lib/fundwatch-poller.ts';
import { startFeedServer } from './lib/feed-server.ts';

const REPEATS = 3;

/** Records one cycle's writes: the 200 × 50 feeds on loopback, every match "created". */
async function recordCycle(): Promise<{ batches: Match[][]; states: FeedState[]; concurrency: number; ms: number }> {
  const db = await startDynamoDbLocal();
  const doc = createDocumentClient({ endpoint: db.endpoint });
  const set = new FeedSet({ feeds: 200, itemsPerFeed: 50, hosts: 25, nowMs: Date.now() });
  const server = await startFeedServer(set);
  try {
    const config = benchPollConfig(server.urls);
    const batches: Match[][] = [];
    const states: FeedState[] = [];
    const recorder: MatchStore = Object.assign(Object.create(new DynamoStore({ client: doc, tableName: 'unused' })) as MatchStore, {
      getFeedStates: async () => new Map<string, FeedState>(),
      recentMatches: async () => [],
      registerFeeds: async () => undefined,
      putMatches: async (matches: Match[]) => {
        batches.push(matches);
        return new Map(matches.map((m) => [m.id, 'created' as const]));
      },
      saveFeedState: async (state: FeedState) => void states.push(state),
      countDuplicate: async () => undefined,
      setDuplicateCount: async () => undefined,
    });
    const started = performance.now();
    await runPollCycle(config, benchPollDeps(recorder));
    return { batches, states, concurrency: config.fetch.concurrency, ms: performance.now() - started };
  } finally {
    await server.close();
    doc.destroy();
    await db.stop();
  }
}

/** Replays the writes into a fresh table on a fresh DynamoDB Local, after a warm-up on another table. */
async function replay(recorded: Awaited<ReturnType<typeof recordCycle>>, stream: boolean): Promise<number> {
  const db = await startDynamoDbLocal();
  const raw = new DynamoDBClient({ endpoint: db.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const doc = createDocumentClient({ endpoint: db.endpoint });
  try {
    const write = async (table: string, batches: Match[][]) => {
      await ensureTable(raw, table);
      if (!stream) await raw.send(new UpdateTableCommand({ TableName: table, StreamSpecification: { StreamEnabled: false } }));
      const store = new DynamoStore({ client: doc, tableName: table });
      const started = performance.now();
      const slots = createLimiter({ concurrency: recorded.concurrency, perKey: recorded.concurrency });
      await Promise.all(
        Array.from({ length: Math.max(batches.length, recorded.states.length) }, (_, i) =>
          slots.run(table, async () => {
            if (batches[i]?.length) await store.putMatches(batches[i]!);
            if (recorded.states[i]) await store.saveFeedState(recorded.states[i]!);
          }),
        ),
      );
      return performance.now() - started;
    };
    // The JVM's first writes are slow: warm it on a tenth of the cycle, under other ids.
    const warmUp = recorded.batches.slice(0, 20).map((batch) => batch.map((m) => ({ ...m, id: `warm-${m.id}` })));
    await write('bench-warm-up', warmUp);
    return await write('bench-measured', recorded.batches);
  } finally {
    doc.destroy();
    raw.destroy();
    await db.stop();
  }
}

const recorded = await recordCycle();
console.log(`one full cycle without writes: ${recorded.ms.toFixed(0)} ms; ${recorded.batches.flat().length} matches from ${recorded.batches.length} feeds, ${recorded.states.length} feed states`);
const times: Record<'on' | 'off', number[]> = { on: [], off: [] };
for (let i = 0; i < REPEATS; i++) {
  for (const stream of i % 2 === 0 ? [true, false] : [false, true]) {
    const ms = await replay(recorded, stream);
    times[stream ? 'on' : 'off'].push(ms);
    console.log(`  run ${i + 1}, stream ${stream ? 'on ' : 'off'}: ${ms.toFixed(0)} ms`);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
console.log(`writing one full cycle (median of ${REPEATS}, each on a fresh DynamoDB Local): table as deployed ${median(times.on).toFixed(0)} ms, stream off ${median(times.off).toFixed(0)} ms`);
