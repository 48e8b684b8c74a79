import type { Config } from '#shared/config/schema.ts';
import { idleReport, type CycleReport, type FeedReport } from '#shared/pipeline/poll-cycle.ts';
import type { BatchReport } from './poll-batch.ts';

/**
 * The workers' batch reports as one cycle's report, feeds in config order, for the terminal and
 * for comparing a fanned-out cycle with a single poller's. A feed polled twice (its batch came
 * back after a worker died) keeps its last report; a feed whose batch no worker finished is
 * reported deferred, not left out.
 */
export function mergeBatchReports(config: Config, startedAt: string, reports: readonly BatchReport[]): CycleReport {
  const byUrl = new Map<string, FeedReport>();
  const ordered = [...reports].sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
  for (const report of ordered) for (const feed of report.feeds) byUrl.set(feed.url, feed);
  const feeds = config.feeds.map((feed) => byUrl.get(feed.url) ?? idleReport(feed, undefined, 'deferred', 'no worker finished its batch this cycle'));
  return {
    startedAt,
    finishedAt: ordered.at(-1)?.finishedAt ?? startedAt,
    feeds,
    stored: ordered.flatMap((report) => report.stored),
    failingFeeds: ordered.reduce((sum, report) => sum + report.failingFeeds, 0),
    warnings: [
      ...ordered.flatMap((report) => report.warnings),
      ...ordered.flatMap((report) => report.unknownFeeds.map((url) => `${url} was queued but is no longer in the config: not fetched`)),
    ],
  };
}
