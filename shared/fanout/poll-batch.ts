import type { Config } from '#shared/config/schema.ts';
import { idleReport, runPollCycle, type CycleReport, type PollDeps } from '#shared/pipeline/poll-cycle.ts';
import type { FeedBatch } from './feed-batch.ts';

const STALE_MESSAGE = 'batch waited longer than a poll interval: the next dispatch carries this feed';

export interface BatchReport extends CycleReport {
  /** URLs in the batch that the config no longer lists (changed since dispatch): not fetched. */
  unknownFeeds: string[];
  /** The batch waited longer than a poll interval: the next dispatch already carries its feeds. */
  stale: boolean;
}

/**
 * A worker's share of a cycle: the poll cycle over the batch's feeds only. Everything that must
 * hold across workers already holds in the cycle through the table: write-once matches, the
 * story log that decides first reports, duplicate counts that only add, feed states with their
 * backoff and Retry-After. A batch delivered twice (a worker died, the message came back) polls
 * its feeds again: conditional GETs and write-once rows make that cost requests, not duplicates.
 *
 * A batch older than one poll interval is not polled: a later dispatch has queued its feeds
 * again, and polling both would put two workers on one host at once.
 */
export async function pollFeedBatch(config: Config, batch: FeedBatch, deps: PollDeps): Promise<BatchReport> {
  const now = deps.now ?? (() => new Date());
  const wanted = new Set(batch.feeds);
  const feeds = config.feeds.filter((feed) => wanted.has(feed.url));
  const listed = new Set(feeds.map((feed) => feed.url));
  const unknownFeeds = batch.feeds.filter((url) => !listed.has(url));
  const startedAt = now();
  if (startedAt.getTime() - Date.parse(batch.dispatchedAt) > config.schedule.pollEveryMinutes * 60_000) {
    const at = startedAt.toISOString();
    return { startedAt: at, finishedAt: at, feeds: feeds.map((feed) => idleReport(feed, undefined, 'deferred', STALE_MESSAGE)), stored: [], failingFeeds: 0, warnings: [], unknownFeeds, stale: true };
  }
  const report = await runPollCycle({ ...config, feeds }, deps);
  return { ...report, unknownFeeds, stale: false };
}
