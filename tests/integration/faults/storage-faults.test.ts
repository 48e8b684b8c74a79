import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '#shared/feed/item-identity.ts';
import { runPollCycle, type CycleReport } from '#shared/pipeline/poll-cycle.ts';
import { createTestTable, type TestTable } from '#tests/support/dynamo.ts';
import { realPollDeps } from '#tests/support/poll-deps.ts';
import { faultyTable, makeFault } from '#tests/support/dynamo-faults.ts';
import { expectStoredExactlyOnce, serveStoryFeeds, type StoryFeeds } from '#tests/support/cycle-audit.ts';
import { startLoopbackServer, type LoopbackServer } from '#tests/support/hostile-server.ts';

/**
 * DynamoDB faults under a whole poll cycle on DynamoDB Local: nothing lost, nothing stored twice.
 * Faults are injected by a middleware inside the SDK's retry loop on a real client.
 */

let server: LoopbackServer;

beforeAll(async () => {
  server = await startLoopbackServer('127.0.0.1');
});
afterAll(async () => {
  await server?.close();
});

const MINUTE = 60_000;
const idsOf = (feeds: StoryFeeds, feed?: number) =>
  (feed === undefined ? feeds.guids.flat() : feeds.guids[feed]!).map((guid) => itemId({ guid }));

describe('throttling and 5xx that the SDK retries away', () => {
  it('stores every match once when DynamoDB throttles and fails transiently', async () => {
    const table = await createTestTable('fault-transient');
    const feeds = serveStoryFeeds(server, 'transient', 3, 3);
    const faulty = faultyTable(table, [
      { command: 'BatchGetItemCommand', kind: 'throttle', times: 1 },
      { command: 'QueryCommand', kind: 'server', times: 1 },
      { command: 'BatchExecuteStatementCommand', kind: 'throttle', times: 2 },
      { command: 'BatchExecuteStatementCommand', kind: 'server', times: 2 },
      { command: 'BatchWriteItemCommand', kind: 'throttle', times: 2 },
    ]);
    try {
      const cycle = await runPollCycle(feeds.config, realPollDeps(faulty.store));
      expect(cycle.feeds.map((f) => [f.outcome, f.error])).toEqual(Array(3).fill(['fetched', undefined]));
      expect(cycle.stored).toHaveLength(9);
      expect(Object.fromEntries(faulty.injected)).toEqual({
        BatchGetItemCommand: 1,
        QueryCommand: 1,
        BatchExecuteStatementCommand: 4,
        BatchWriteItemCommand: 2,
      });
      const again = await runPollCycle(feeds.config, realPollDeps(table.store));
      expect(again.stored).toEqual([]);
      await expectStoredExactlyOnce(table, idsOf(feeds), [cycle, again]);
    } finally {
      faulty.destroy();
    }
  });

  it('treats a write whose response was lost (retried into a condition failure) as stored, with its topic rows', async () => {
    const table = await createTestTable('fault-lost-reply');
    const feeds = serveStoryFeeds(server, 'lost-reply', 1, 2);
    const faulty = faultyTable(table, []);
    // The first match write reaches DynamoDB, then its reply is "lost": the SDK retries it.
    let lost = 0;
    faulty.doc.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        // Match rows are written with PartiQL INSERTs, 25 to a request.
        if ((context as { commandName?: string }).commandName === 'BatchExecuteStatementCommand' && lost++ === 0) {
          throw makeFault('server', 'BatchExecuteStatementCommand');
        }
        return result;
      },
      { step: 'deserialize', name: 'loseFirstReply', priority: 'high' },
    );
    try {
      const cycle = await runPollCycle(feeds.config, realPollDeps(faulty.store));
      expect(lost).toBeGreaterThan(1);
      expect(cycle.feeds[0]).toMatchObject({ outcome: 'fetched', matches: 2 });
      await expectStoredExactlyOnce(table, idsOf(feeds), [cycle]);
    } finally {
      faulty.destroy();
    }
  });
});

describe('a permanent match-write failure for one feed', () => {
  it('reports that feed failed with `storage`, then stores its entries exactly once on the next cycle', async () => {
    const table = await createTestTable('fault-permanent');
    const feeds = serveStoryFeeds(server, 'permanent', 3, 2);
    const brokenFeed = feeds.urls[1]!;
    const faulty = faultyTable(table, [
      {
        command: 'BatchExecuteStatementCommand',
        kind: 'server',
        times: Infinity,
        // The INSERT statements' parameters carry each match's feed URL.
        when: (input) => JSON.stringify(input.Statements ?? []).includes(JSON.stringify(brokenFeed)),
      },
    ]);
    const t0 = new Date();
    let first: CycleReport;
    try {
      first = await runPollCycle(feeds.config, realPollDeps(faulty.store, { now: () => t0 }));
    } finally {
      faulty.destroy();
    }
    expect(first.feeds.map((f) => f.outcome)).toEqual(['fetched', 'failed', 'fetched']);
    expect(first.feeds[1]).toMatchObject({ error: 'storage', consecutiveFailures: 1, stored: 0 });
    expect(first.feeds[1]!.message).toMatch(/^storing matches failed: injected internal server error on BatchExecuteStatementCommand/);
    // All five attempts of the one write were failed by the SDK's retries.
    expect(faulty.injected.get('BatchExecuteStatementCommand')).toBe(5);
    const state = (await table.store.getFeedStates([brokenFeed])).get(brokenFeed);
    expect(state).toMatchObject({ lastOutcome: 'failed', consecutiveFailures: 1 });
    expect(state?.lastError).toMatch(/^storage: /);
    expect(state?.seen).toBeUndefined();

    // A storage fault is not the feed's: no backoff, the very next cycle polls it again.
    expect(state?.nextPollAt).toBeUndefined();
    const next = await runPollCycle(feeds.config, realPollDeps(table.store, { now: () => new Date(t0.getTime() + 15 * MINUTE) }));
    expect(next.feeds[1]).toMatchObject({ outcome: 'fetched', newEntries: 2, stored: 2, consecutiveFailures: 0 });
    expect(next.stored.map((m) => m.feedUrl)).toEqual([brokenFeed, brokenFeed]);
    await expectStoredExactlyOnce(table, idsOf(feeds), [first, next]);
  });
});
