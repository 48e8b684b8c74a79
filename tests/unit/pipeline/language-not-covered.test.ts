import { describe, expect, it } from 'vitest';
import { formatFeedLine } from '#cli/print-cycle.ts';
import { parseConfig } from '#shared/config/load.ts';
import { mergeBatchReports } from '#shared/fanout/merge-reports.ts';
import type { BatchReport } from '#shared/fanout/poll-batch.ts';
import { summariseCycle } from '#shared/pipeline/cycle-summary.ts';
import { addTallies } from '#shared/pipeline/language-tally.ts';
import { idleReport, type CycleReport, type FeedReport } from '#shared/pipeline/poll-cycle.ts';
import { toFeedHealth } from '#shared/query/views.ts';

const config = parseConfig({ feeds: [{ url: 'https://a.example/feed', name: 'A' }, { url: 'https://b.example/feed', name: 'B' }, { url: 'https://c.example/feed', name: 'C' }] });
const [a, b, c] = config.feeds;

function fetched(feed: typeof a, languageNotCovered: Record<string, number>): FeedReport {
  return { ...idleReport(feed!, undefined, 'fetched', ''), message: undefined, status: 200, entries: 5, newEntries: 5, languageNotCovered };
}

function cycle(feeds: FeedReport[], finishedAt = '2024-07-09T10:01:00.000Z'): CycleReport {
  return { startedAt: '2024-07-09T10:00:00.000Z', finishedAt, feeds, stored: [], failingFeeds: 0, warnings: [] };
}

describe('"language not covered" in the cycle report', () => {
  it('starts every feed report at none, so a feed the cycle did not fetch shows no hole', () => {
    expect(idleReport(a!, undefined, 'not-due', 'later').languageNotCovered).toEqual({});
  });

  it('adds the feeds up in the cycle summary, by language and in all', () => {
    const summary = summariseCycle(cycle([fetched(a, { sv: 3, tr: 1 }), fetched(b, {}), fetched(c, { tr: 2, fi: 1 })]));
    expect(summary.languageNotCovered).toBe(7);
    expect(summary.languagesNotCovered).toEqual({ fi: 1, sv: 3, tr: 3 });
    expect(summariseCycle(cycle([fetched(a, {})])).languageNotCovered).toBe(0);
  });

  it('prints the count on the feed line, and nothing when there is none', () => {
    expect(formatFeedLine(fetched(a, { sv: 3, tr: 1 }))).toContain('language not covered: 3 sv, 1 tr');
    expect(formatFeedLine(fetched(b, {}))).not.toContain('language not covered');
  });

  it("keeps each feed's count when fan-out workers' batch reports are merged", () => {
    const batch = (feeds: FeedReport[], finishedAt: string): BatchReport => ({ ...cycle(feeds, finishedAt), unknownFeeds: [], stale: false });
    const merged = mergeBatchReports(config, '2024-07-09T10:00:00.000Z', [
      batch([fetched(c, { tr: 2 })], '2024-07-09T10:02:00.000Z'),
      batch([fetched(a, { sv: 3 }), fetched(b, {})], '2024-07-09T10:01:00.000Z'),
    ]);
    expect(merged.feeds.map((f) => [f.name, f.languageNotCovered])).toEqual([['A', { sv: 3 }], ['B', {}], ['C', { tr: 2 }]]);
    expect(summariseCycle(merged).languagesNotCovered).toEqual({ sv: 3, tr: 2 });
  });
});

describe('"language not covered" in /feeds', () => {
  const state = { url: 'https://a.example/feed', name: 'A', consecutiveFailures: 0, lastSuccessAt: '2024-07-09T10:00:00.000Z' };

  it('shows the last fetch and the running total, and empty counts for a feed that never had one', () => {
    expect(toFeedHealth({ ...state, languageNotCovered: { lastFetch: { sv: 1 }, total: { sv: 4, tr: 1 } } }).languageNotCovered).toEqual({ lastFetch: { sv: 1 }, total: { sv: 4, tr: 1 } });
    expect(toFeedHealth(state).languageNotCovered).toEqual({ lastFetch: {}, total: {} });
  });

  it('adds tallies without changing either', () => {
    const before = { sv: 3 };
    expect(addTallies(before, { tr: 1, sv: 1 })).toEqual({ sv: 4, tr: 1 });
    expect(before).toEqual({ sv: 3 });
  });
});
