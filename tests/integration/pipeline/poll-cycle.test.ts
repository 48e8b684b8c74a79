import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { fromMatchRow } from '#shared/store/match-row.ts';
import { timeSortKey, topicPk } from '#shared/store/table-design.ts';
import { runPollCycle, type CycleReport } from '#shared/pipeline/poll-cycle.ts';
import type { FixtureServer } from '#shared/local/fixture-server.ts';
import { createTestTable, type TestTable } from '#tests/support/dynamo.ts';
import { realPollDeps } from '#tests/support/poll-deps.ts';
import { sampleConfig, startSampleFeeds } from '#tests/support/fixture-feeds.ts';

let server: FixtureServer;
let table: TestTable;
let first: CycleReport;
let second: CycleReport;
let third: CycleReport;

const byName = (report: CycleReport, name: string) => report.feeds.find((f) => f.name === name)!;

beforeAll(async () => {
  server = await startSampleFeeds();
  table = await createTestTable('pipeline');
  const config = sampleConfig(server);
  first = await runPollCycle(config, realPollDeps(table.store));
  server.publishLateItems();
  second = await runPollCycle(config, realPollDeps(table.store));
  third = await runPollCycle(config, realPollDeps(table.store));
});
afterAll(async () => {
  await server?.close();
});

describe('a poll cycle over the sample feeds', () => {
  it('fetches every feed, and reports the missing one as gone without stopping the others', () => {
    expect(first.feeds.map((f) => [f.name, f.outcome])).toEqual([
      ['Alliance Press Desk', 'fetched'],
      ['Europe Desk', 'fetched'],
      ['Kyiv Wire', 'fetched'],
      ['Retired Feed', 'failed'],
    ]);
    const retired = byName(first, 'Retired Feed');
    expect(retired.status).toBe(404);
    expect(retired.error).toBe('gone');
  });

  it('stores the story and leaves the hard negatives out', () => {
    const titles = first.stored.map((m) => m.title);
    expect(titles).toContain('Stoltenberg proposes €100 billion, five-year NATO fund for Ukraine');
    expect(titles).toContain('House speaker signals vote on stalled Ukraine aid package');
    expect(titles.some((t) => t.includes('Sweden'))).toBe(false);
    expect(titles.some((t) => t.includes('Innovation Fund'))).toBe(false);
    expect(titles.some((t) => t.includes('Ukraine Facility'))).toBe(false);
    const fund = first.stored.find((m) => m.title.startsWith('Stoltenberg proposes'))!;
    expect(fund.topics).toContain('ukraine-fund');
    expect(fund.evidence['ukraine-fund']?.length).toBeGreaterThan(0);
    expect(fund.link).toBe('https://alliance-press.example/2024/stoltenberg-fund-proposal');
  });

  it('decodes the windows-1251 feed named only in its XML prolog', () => {
    const ukrainian = first.stored.find((m) => m.source === 'Kyiv Wire' && m.topics.includes('us-aid'));
    expect(ukrainian?.title).toBe('Пентагон оголосив новий пакет військової допомоги Україні');
    expect(ukrainian?.lang).toBe('uk');
  });

  it('links a syndicated copy to the first report and keeps old items out of alerts', () => {
    const copy = first.stored.find((m) => m.title === 'NATO chief proposes five-year, €100bn fund for Ukraine');
    const original = first.stored.find((m) => m.title.startsWith('Stoltenberg proposes'));
    expect(copy?.duplicateOf).toBe(original?.id);
    expect(copy?.alertSuppressed).toBe('duplicate');
    const old = first.stored.find((m) => m.title.startsWith('Allies pledge to ramp up artillery'));
    expect(old?.alertSuppressed).toBe('stale');
  });

  it('counts the syndicated copy on the first report, so listings show "+1 similar" without reading it', async () => {
    const original = first.stored.find((m) => m.title.startsWith('Stoltenberg proposes'))!;
    const row = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: { pk: `ITEM#${original.id}`, sk: 'ITEM' } }));
    expect(row.Item?.duplicateCount).toBe(1);
    // Counted by writing the rows again: the stored match is unchanged.
    expect(fromMatchRow(row.Item!)).toEqual(table.store.storedForm(original));
    for (const topic of original.topics) {
      const topicRow = await table.doc.send(
        new GetCommand({ TableName: table.tableName, Key: { pk: topicPk(topic), sk: timeSortKey(original.publishedAt, original.id) } }),
      );
      expect(topicRow.Item?.duplicateCount).toBe(1);
    }
  });

  it('answers the second cycle with 304s and stores only the one new item', () => {
    expect(byName(second, 'Europe Desk').outcome).toBe('not-modified');
    expect(byName(second, 'Kyiv Wire').outcome).toBe('not-modified');
    const alliance = byName(second, 'Alliance Press Desk');
    expect(alliance.outcome).toBe('fetched');
    expect(alliance.newEntries).toBe(1);
    expect(second.stored.map((m) => m.title)).toEqual([
      "Hungary says it will not veto NATO's Ukraine fund but will not contribute",
    ]);
  });

  it('does not poll a gone feed again before its retry time', () => {
    expect(byName(second, 'Retired Feed').outcome).toBe('not-due');
    expect(server.requests.filter((r) => r.path === '/retired-feed.xml')).toHaveLength(1);
  });

  it('stores nothing twice on a third cycle', async () => {
    expect(third.stored).toEqual([]);
    const states = await table.store.getFeedStates([`${server.url}/alliance-news.xml`]);
    expect(states.get(`${server.url}/alliance-news.xml`)?.etag).toMatch(/^"[0-9a-f]{16}"$/);
  });
});

describe('the reads a cycle decides stories against', () => {
  /** The table's store, counting the two reads a cycle makes only once it has a match. */
  function countingReads(store: TestTable['store']) {
    const calls = { recentMatches: 0, readStoryClaims: 0 };
    const counted = new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (property === 'recentMatches' || property === 'readStoryClaims') calls[property]++;
          return value.apply(target, args);
        };
      },
    });
    return { store: counted, calls };
  }

  it('are made once for all feeds of a cycle with matches, and not at all in a cycle without one', async () => {
    const fresh = await createTestTable('pipeline-reads');
    const config = sampleConfig(server);
    const withMatches = countingReads(fresh.store);
    const report = await runPollCycle(config, realPollDeps(withMatches.store));
    expect(report.stored.length).toBeGreaterThan(1);
    expect(withMatches.calls).toEqual({ recentMatches: 1, readStoryClaims: 1 });

    const unchanged = countingReads(fresh.store);
    const again = await runPollCycle(config, realPollDeps(unchanged.store));
    expect(again.feeds.filter((f) => f.outcome === 'fetched').map((f) => f.matches)).toEqual([]);
    expect(again.stored).toEqual([]);
    expect(unchanged.calls).toEqual({ recentMatches: 0, readStoryClaims: 0 });
  });
});
