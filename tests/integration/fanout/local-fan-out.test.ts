import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { parseConfig } from '#shared/config/load.ts';
import type { Config } from '#shared/config/schema.ts';
import { loadTopicPack, type TopicPack } from '#shared/classify/topic-pack.ts';
import { KEY, MATCH_SK, matchPk } from '#shared/store/table-design.ts';
import { planFeedBatches } from '#shared/fanout/plan-batches.ts';
import type { FixtureServer } from '#shared/local/fixture-server.ts';
import { LocalCycleRunner, type LocalCycleResult } from '#cli/local-cycle.ts';
import type { LocalStore } from '#cli/local-store.ts';
import { FeedSet } from '../../../bench/lib/feeds.ts';
import { startFeedServer, type FeedServer } from '../../../bench/lib/feed-server.ts';
import { createTestTable, type TestTable } from '#tests/support/dynamo.ts';
import { sampleConfig, startSampleFeeds } from '#tests/support/fixture-feeds.ts';
import { prng } from '#tests/support/prng.ts';

/**
 * The fan-out stores and alerts exactly what one poller does: the dispatcher, the local queue and
 * N worker processes against one DynamoDB Local table, compared with a single poller (or one
 * worker) on a table of its own. Which copy of a syndicated story becomes its first report may
 * differ between runs (the database decides, by who claims first), so stories are compared as
 * the sets of items they group, and emails by the stories they list.
 */

const SUBSCRIPTION = { email: 'analyst@example.org', topics: ['ukraine-fund', 'nato-mission', 'us-aid', 'nato-meetings', 'defense-industry'], mode: 'instant' as const };
const sink = { write: () => true };

let pack: TopicPack;
beforeAll(async () => {
  pack = await loadTopicPack('default');
});

async function runnerOn(config: Config, label: string): Promise<{ runner: LocalCycleRunner; table: TestTable }> {
  const table = await createTestTable(label, { retentionDays: config.retention.matchDays });
  const dataDir = await mkdtemp(join(tmpdir(), `fundwatch-${label}-`));
  const local: LocalStore = { doc: table.doc, tableName: table.tableName, store: table.store, endpoint: table.endpoint, dataDir, stop: async () => {} };
  return { runner: new LocalCycleRunner(local, config, pack, sink), table };
}

interface Outcome {
  ids: string[];
  /** Each story as its items' ids, first report included. */
  stories: string[];
  emails: string[];
  /** Stories whose first report's count is not the number of its stored copies. */
  wrongCounts: string[];
}

async function outcomeOf(table: TestTable, results: LocalCycleResult[]): Promise<Outcome> {
  const stored = await table.store.recentMatches('1970-01-01T00:00:00.000Z', 100_000);
  const firstOf = new Map(stored.map((m) => [m.id, m.duplicateOf ?? m.id]));
  const members = new Map<string, string[]>();
  for (const [id, first] of firstOf) members.set(first, [...(members.get(first) ?? []), id]);
  const storyOf = (id: string) => [...members.get(firstOf.get(id) ?? id)!].sort().join('+');
  const wrongCounts: string[] = [];
  await Promise.all(
    [...members].map(async ([first, ids]) => {
      const row = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: { [KEY.pk]: matchPk(first), [KEY.sk]: MATCH_SK }, ConsistentRead: true }));
      const count = (row.Item?.duplicateCount as number | undefined) ?? 0;
      if (count !== ids.length - 1) wrongCounts.push(`${first}: count ${count}, copies ${ids.length - 1}`);
    }),
  );
  return {
    ids: [...firstOf.keys()].sort(),
    stories: [...new Set([...firstOf.keys()].map(storyOf))].sort(),
    emails: results
      .flatMap((r, cycle) => r.emails.map((e) => `cycle ${cycle + 1} ${e.topic}/${e.mode}: ${e.itemIds.map(storyOf).sort().join(' ; ')}`))
      .sort(),
    wrongCounts,
  };
}

describe('fundwatch run --workers N on the sample feeds', () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await startSampleFeeds();
  });
  afterAll(() => server.close());

  it('stores and alerts over two cycles exactly what the single poller does', async () => {
    const config = sampleConfig(server, { subscriptions: [SUBSCRIPTION] });
    const single = await runnerOn(config, 'fan-single');
    const fanned = await runnerOn(config, 'fan-four');
    try {
      const singleResults = [await single.runner.run(), await single.runner.run()];
      const fannedResults = [await fanned.runner.runFanOut(4), await fanned.runner.runFanOut(4)];
      const expected = await outcomeOf(single.table, singleResults);
      const actual = await outcomeOf(fanned.table, fannedResults);
      expect(expected.ids.length).toBeGreaterThan(0);
      expect(expected.emails.length).toBeGreaterThan(0);
      expect(actual).toEqual(expected);
      // The second cycle is 304s: nothing new, nothing sent again.
      expect(fannedResults[1]!.emails).toEqual([]);
      expect(fannedResults[1]!.report.feeds.map((f) => f.outcome)).toEqual(singleResults[1]!.report.feeds.map((f) => f.outcome));
      expect(fannedResults[0]!.pool.failures).toEqual([]);
    } finally {
      single.runner.close();
      fanned.runner.close();
    }
  }, 120_000);
});

describe('fundwatch run --workers N on generated feeds', () => {
  const nowMs = Date.now();

  function configFor(server: FeedServer, feedsPerMessage: number): Config {
    return parseConfig({
      feeds: server.urls.map((url, i) => ({ url, name: `Feed ${i}` })),
      fetch: { allowPrivateHosts: ['127.0.0.1'], timeoutMs: 20_000 },
      subscriptions: [SUBSCRIPTION],
      scale: { feedsPerMessage },
    });
  }

  // One item a feed keeps the run short on two cores: DynamoDB Local, not the fan-out, is what
  // a bigger set would time here.
  it('stores exactly with 4 workers what 1 worker stores, on 2,000 feeds over 100 hosts', async () => {
    const set = new FeedSet({ feeds: 2_000, itemsPerFeed: 1, hosts: 100, nowMs, seed: 17, relevantShare: 0.2 });
    const server = await startFeedServer(set);
    server.prerender();
    const config = configFor(server, 250);
    const one = await runnerOn(config, 'fan-one');
    const four = await runnerOn(config, 'fan-four');
    try {
      const oneResult = await one.runner.runFanOut(1);
      const fourResult = await four.runner.runFanOut(4);
      const expected = await outcomeOf(one.table, [oneResult]);
      const actual = await outcomeOf(four.table, [fourResult]);
      // The set has syndicated copies: stories group more than one item.
      expect(expected.stories.some((story) => story.includes('+'))).toBe(true);
      expect(expected.ids.length).toBeGreaterThan(250);
      expect(expected.wrongCounts).toEqual([]);
      expect(actual).toEqual(expected);
      expect(fourResult.report.feeds.every((f) => f.outcome === 'fetched')).toBe(true);
      // One report per planned batch: every batch polled once, none lost, none twice.
      expect(fourResult.pool.reports).toHaveLength(planFeedBatches(server.urls, 250).length);
      expect(fourResult.pool.failures).toEqual([]);
    } finally {
      one.runner.close();
      four.runner.close();
      await server.close();
    }
  }, 600_000);

  it('loses nothing and stores nothing twice when a worker dies mid-batch, over 5 seeded crash points', async () => {
    const set = new FeedSet({ feeds: 48, itemsPerFeed: 2, hosts: 4, nowMs, seed: 23, relevantShare: 0.3 });
    const server = await startFeedServer(set);
    server.prerender();
    const config = configFor(server, 6);
    try {
      const reference = await runnerOn(config, 'fan-ref');
      const expected = await outcomeOf(reference.table, [await reference.runner.run()]);
      reference.runner.close();
      expect(expected.stories.some((story) => story.includes('+'))).toBe(true);
      for (let seed = 1; seed <= 5; seed++) {
        const random = prng(seed);
        const crashAtBatch = Math.floor(random() * 4);
        const crashAfterMs = Math.floor(random() * 100);
        let started = 0;
        let killed = 0;
        const run = await runnerOn(config, `fan-crash${seed}`);
        const result = await run.runner.runFanOut(2, {
          onBatchStarted: (worker) => {
            if (started++ !== crashAtBatch) return;
            setTimeout(() => {
              if (worker.kill('SIGKILL')) killed++;
            }, crashAfterMs);
          },
        });
        run.runner.close();
        const actual = await outcomeOf(run.table, [result]);
        expect(killed, `seed ${seed}`).toBe(1);
        expect(result.pool.failures.some((f) => f.includes('SIGKILL')), `seed ${seed}`).toBe(true);
        expect(result.pool.deadLetters, `seed ${seed}`).toEqual([]);
        expect(actual.ids, `seed ${seed}`).toEqual(expected.ids);
        expect(actual.stories, `seed ${seed}`).toEqual(expected.stories);
        expect(actual.emails, `seed ${seed}`).toEqual(expected.emails);
        expect(result.report.feeds.every((f) => f.outcome === 'fetched' || f.outcome === 'not-modified'), `seed ${seed}`).toBe(true);
      }
    } finally {
      await server.close();
    }
  }, 600_000);
});
