import type { Config } from '#shared/config/schema.ts';
import type { FeedBatch } from './feed-batch.ts';
import { planFeedBatches } from './plan-batches.ts';
import type { FeedBatchQueue } from './ports.ts';

export interface DispatchDeps {
  queue: FeedBatchQueue;
  now?: () => Date;
}

export interface DispatchReport {
  dispatchedAt: string;
  feeds: number;
  batches: number;
  /** The batches queued, so a local run can hand them to its workers and compare. */
  queued: FeedBatch[];
}

/**
 * The fan-out's schedule side: queues every configured feed, in host-grouped batches, for the
 * workers. It reads nothing from the table: each worker reads its feeds' states by key anyway
 * (to send conditional GETs) and skips the ones in backoff, so reading all states here too
 * would double the cycle's largest read (50,000 states of a few KB each) to save a few queue
 * messages. Backoff, Retry-After and "gone" therefore live in one place, the feed states in the
 * table, which every worker of every cycle reads.
 */
export async function dispatchFeeds(config: Config, deps: DispatchDeps): Promise<DispatchReport> {
  const dispatchedAt = (deps.now ?? (() => new Date()))().toISOString();
  const urls = config.feeds.map((feed) => feed.url);
  const queued = planFeedBatches(urls, config.scale.feedsPerMessage).map((feeds) => ({ feeds, dispatchedAt }));
  await deps.queue.sendBatches(queued);
  return { dispatchedAt, feeds: urls.length, batches: queued.length, queued };
}
