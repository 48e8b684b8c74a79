import type { FeedBatch } from './feed-batch.ts';

/** Where the dispatcher leaves work: SQS on AWS, the local worker pool's queue on a laptop. */
export interface FeedBatchQueue {
  /** Queues every batch or throws naming the ones it could not (after its own retries). */
  sendBatches(batches: FeedBatch[]): Promise<void>;
}
