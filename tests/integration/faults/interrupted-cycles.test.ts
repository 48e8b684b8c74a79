import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { FEEDS_PARTITION } from '#shared/store/table-design.ts';
import { itemId } from '#shared/feed/item-identity.ts';
import type { Match } from '#shared/model.ts';
import { runPollCycle } from '#shared/pipeline/poll-cycle.ts';
import type { MatchStore } from '#shared/store/ports.ts';
import { createDocumentClient } from '#shared/store/dynamo-client.ts';
import { DynamoStore } from '#shared/store/dynamo-store.ts';
import { createTestTable } from '#tests/support/dynamo.ts';
import { realPollDeps } from '#tests/support/poll-deps.ts';
import { expectStoredExactlyOnce, serveStoryFeeds, type StoryFeeds } from '#tests/support/cycle-audit.ts';
import { startLoopbackServer, type LoopbackServer } from '#tests/support/hostile-server.ts';

/**
 * Cycles that stop part way (out of time, a store that starts failing, a crash) and cycles that
 * overlap: the next cycle picks up where the last stopped and every match is stored exactly once.
 */

let server: LoopbackServer;

beforeAll(async () => {
  server = await startLoopbackServer('127.0.0.1');
});
afterAll(async () => {
  await server?.close();
});

const MINUTE = 60_000;
const idsOf = (feeds: StoryFeeds) => feeds.guids.flat().map((guid) => itemId({ guid }));

/** `inner`, with some of its methods replaced. */
function storeWith(inner: MatchStore, overrides: Partial<MatchStore>): MatchStore {
  return Object.assign(Object.create(inner) as MatchStore, overrides);
}

/** Delegates to `inner`, but its writes start throwing after `okWrites` successful match writes. */
function storeFailingAfter(inner: MatchStore, okWrites: number): MatchStore & { writes: () => number } {
  let writes = 0;
  return Object.assign(
    storeWith(inner, {
      putMatches: async (matches: Match[]) => {
        // The connection drops part-way through: the first writes landed, the rest did not.
        const landed = matches.slice(0, Math.max(0, okWrites - writes));
        const result = landed.length > 0 ? await inner.putMatches(landed) : new Map<string, 'created' | 'exists'>();
        writes += landed.length;
        if (landed.length < matches.length) throw new Error('connect ECONNRESET dynamodb.eu-west-1.amazonaws.com');
        return result;
      },
    }),
    { writes: () => writes },
  );
}

describe('a cycle that runs out of time', () => {
  it('defers the feeds it did not start; the next cycle polls them and stores each match once', async () => {
    const table = await createTestTable('fault-deadline');
    const feeds = serveStoryFeeds(server, 'deadline', 4, 2, { concurrency: 1, perHostConcurrency: 1 });
    const t0 = new Date();
    let clock = t0;
    const deadline = new Date(t0.getTime() + MINUTE);
    // The first feed's fetch takes the clock past the deadline: feeds 2-4 must not start.
    const deps = realPollDeps(table.store, { now: () => clock, deadline });
    const fetchFeed = deps.fetchFeed;
    deps.fetchFeed = async (url, options) => {
      const outcome = await fetchFeed(url, options);
      clock = new Date(t0.getTime() + 2 * MINUTE);
      return outcome;
    };
    const first = await runPollCycle(feeds.config, deps);
    expect(first.feeds.map((f) => f.outcome)).toEqual(['fetched', 'deferred', 'deferred', 'deferred']);
    expect(first.feeds[1]!.message).toBe('left for the next cycle: out of time');
    expect(first.stored).toHaveLength(2);
    const requested = server.requests.filter((r) => r.path.startsWith('/deadline/')).map((r) => r.path);
    expect(requested).toEqual(['/deadline/feed-0.xml']);

    const next = await runPollCycle(feeds.config, realPollDeps(table.store, { now: () => new Date(t0.getTime() + 15 * MINUTE) }));
    expect(next.feeds.map((f) => [f.outcome, f.stored])).toEqual([
      ['fetched', 0],
      ['fetched', 2],
      ['fetched', 2],
      ['fetched', 2],
    ]);
    await expectStoredExactlyOnce(table, idsOf(feeds), [first, next]);
  });
});

describe('a store that starts failing part way through', () => {
  it('reports the feeds it could not finish as `storage` failures; the next cycle completes them, once each', async () => {
    const table = await createTestTable('fault-after-k');
    const feeds = serveStoryFeeds(server, 'after-k', 3, 3, { concurrency: 1, perHostConcurrency: 1 });
    const failing = storeFailingAfter(table.store, 4);
    const t0 = new Date();
    const first = await runPollCycle(feeds.config, realPollDeps(failing, { now: () => t0 }));
    expect(failing.writes()).toBe(4);
    expect(first.feeds.map((f) => [f.outcome, f.error, f.stored])).toEqual([
      ['fetched', undefined, 3],
      // One of its matches landed before the connection dropped, but the feed's batch failed,
      // so the report counts none; the landed row's stream INSERT still alerts, once.
      ['failed', 'storage', 0],
      ['failed', 'storage', 0],
    ]);
    expect(first.feeds[1]!.message).toBe('storing matches failed: connect ECONNRESET dynamodb.eu-west-1.amazonaws.com');
    expect(first.stored).toHaveLength(3);

    const next = await runPollCycle(feeds.config, realPollDeps(table.store, { now: () => new Date(t0.getTime() + 16 * MINUTE) }));
    expect(next.feeds.map((f) => [f.outcome, f.newEntries, f.stored])).toEqual([
      ['fetched', 0, 0],
      // The feed that failed after one write retries all its entries; the stored one is found, not rewritten.
      ['fetched', 3, 2],
      ['fetched', 3, 3],
    ]);
    await expectStoredExactlyOnce(table, idsOf(feeds), [first, next]);
  });
});

describe('a feed state that cannot be written', () => {
  it('fails that feed with `storage` and lets the other feeds run; the next cycle loses nothing', async () => {
    const table = await createTestTable('fault-state-write');
    const feeds = serveStoryFeeds(server, 'state-write', 3, 2, { concurrency: 1, perHostConcurrency: 1 });
    let saves = 0;
    const store = storeWith(table.store, {
      saveFeedState: async (state) => {
        if (++saves === 2) throw new Error('ValidationException: Item size has exceeded the maximum allowed size');
        return table.store.saveFeedState(state);
      },
    });
    const t0 = new Date();
    const first = await runPollCycle(feeds.config, realPollDeps(store, { now: () => t0 }));
    expect(first.feeds.map((f) => [f.outcome, f.error])).toEqual([
      ['fetched', undefined],
      ['failed', 'storage'],
      ['fetched', undefined],
    ]);
    expect(first.feeds[1]).toMatchObject({
      stored: 2,
      consecutiveFailures: 1,
      message: 'saving the feed state failed: ValidationException: Item size has exceeded the maximum allowed size',
    });
    expect(first.stored).toHaveLength(6);

    const next = await runPollCycle(feeds.config, realPollDeps(table.store, { now: () => new Date(t0.getTime() + MINUTE) }));
    // Its old (absent) state made it due again: it is re-read and nothing is written twice.
    expect(next.feeds.map((f) => [f.outcome, f.newEntries, f.stored])).toEqual([
      ['fetched', 0, 0],
      ['fetched', 2, 0],
      ['fetched', 0, 0],
    ]);
    await expectStoredExactlyOnce(table, idsOf(feeds), [first, next]);
  });
});

describe('a cycle that dies', () => {
  it('loses nothing when the process stops after storing matches but before saving the feed state', async () => {
    const table = await createTestTable('fault-crash');
    const feeds = serveStoryFeeds(server, 'crash', 3, 2, { concurrency: 1, perHostConcurrency: 1 });
    let saves = 0;
    let dead = false;
    let reached!: () => void;
    const frozen = new Promise<void>((resolve) => (reached = resolve));
    const never = () => new Promise<never>(() => undefined);
    const dying = storeWith(table.store, {
      // The second feed's state write never completes: the Lambda was frozen or killed there,
      // and nothing it started afterwards lands either.
      saveFeedState: (state) => {
        if (dead) return never();
        if (++saves < 2) return table.store.saveFeedState(state);
        dead = true;
        reached();
        return never();
      },
      putMatches: (matches) => (dead ? never() : table.store.putMatches(matches)),
    });
    const t0 = new Date();
    void runPollCycle(feeds.config, realPollDeps(dying, { now: () => t0 }));
    await frozen;
    // Feeds 1 and 2 stored theirs; feed 3's may have gone ahead of feed 2's state (writes do
    // not wait for other feeds), but its own state can only come after, so it never landed.
    const storedBeforeDeath = (await table.store.recentMatches('0000', 100)).length;
    expect([4, 6]).toContain(storedBeforeDeath);
    // Every feed was listed before any state was written: the one whose state never landed too.
    const registry = await table.doc.send(
      new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': FEEDS_PARTITION } }),
    );
    const listed = (registry.Items ?? []).flatMap((row) => [...(row.urls as Set<string>)]);
    expect(listed.sort()).toEqual(feeds.config.feeds.map((f) => f.url).sort());

    const next = await runPollCycle(feeds.config, realPollDeps(table.store, { now: () => new Date(t0.getTime() + 16 * MINUTE) }));
    expect(next.feeds.map((f) => [f.outcome, f.newEntries])).toEqual([
      ['fetched', 0],
      ['fetched', 2],
      ['fetched', 2],
    ]);
    expect(next.feeds[1]!.stored).toBe(0);
    expect(next.stored).toHaveLength(6 - storedBeforeDeath);
    await expectStoredExactlyOnce(table, idsOf(feeds), [next]);
    expect((await table.store.listFeedStates()).map((s) => s.url).sort()).toEqual(feeds.config.feeds.map((f) => f.url).sort());
  });
});

describe('two overlapping cycles', () => {
  it('store each match once when they run at the same time on the same table', async () => {
    const table = await createTestTable('fault-overlap');
    const feeds = serveStoryFeeds(server, 'overlap', 4, 3);
    // A second, independent client: as if a CLI `run --aws` overlapped the scheduled Lambda.
    const secondClient = createDocumentClient({ endpoint: table.endpoint });
    const secondStore = new DynamoStore({ client: secondClient, tableName: table.tableName });
    const [a, b] = await Promise.all([
      runPollCycle(feeds.config, realPollDeps(table.store)),
      runPollCycle(feeds.config, realPollDeps(secondStore)),
    ]);
    for (const cycle of [a, b]) expect(cycle.feeds.every((f) => f.outcome === 'fetched')).toBe(true);
    expect(a.stored.length + b.stored.length).toBe(12);
    await expectStoredExactlyOnce(table, idsOf(feeds), [a, b]);
    secondClient.destroy();
  });
});

describe('a write that stalls', () => {
  it('does not hold up fetching: the next feed is fetched while the first feed waits on the store', async () => {
    const table = await createTestTable('fault-stall');
    const feeds = serveStoryFeeds(server, 'stall', 3, 2, { concurrency: 1, perHostConcurrency: 1 });
    let secondFetched!: () => void;
    const fetchedMeanwhile = new Promise<void>((resolve) => (secondFetched = resolve));
    let writes = 0;
    // The first feed's matches are held until the second feed has been fetched: with a single
    // slot shared by fetching and writing this would never finish.
    const stalling = storeWith(table.store, {
      putMatches: async (matches) => {
        if (++writes === 1) await fetchedMeanwhile;
        return table.store.putMatches(matches);
      },
    });
    const deps = realPollDeps(stalling);
    const fetchFeed = deps.fetchFeed;
    const fetched: string[] = [];
    deps.fetchFeed = async (url, options) => {
      const outcome = await fetchFeed(url, options);
      if (fetched.push(url) === 2) secondFetched();
      return outcome;
    };
    const cycle = await runPollCycle(feeds.config, deps);
    expect(fetched).toEqual(feeds.urls);
    expect(cycle.feeds.map((f) => [f.outcome, f.stored])).toEqual([
      ['fetched', 2],
      ['fetched', 2],
      ['fetched', 2],
    ]);
    await expectStoredExactlyOnce(table, idsOf(feeds), [cycle]);
  });
});
