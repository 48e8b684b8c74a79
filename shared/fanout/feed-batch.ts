/**
 * The unit of work the dispatcher hands a worker: the URLs of some due feeds of the config.
 * Only URLs travel; each worker has the config (compiled into its bundle), so a message cannot
 * widen what a worker fetches beyond the configured feeds.
 */
export interface FeedBatch {
  feeds: string[];
  /** When the dispatcher queued it, for the "oldest work" figures. */
  dispatchedAt: string;
}

const FORMAT_VERSION = 1;

/** SQS takes 256 KiB per message and per SendMessageBatch request; stay well inside it. */
export const MAX_BATCH_MESSAGE_BYTES = 200 * 1024;

export class BadBatchMessageError extends Error {
  override readonly name = 'BadBatchMessageError';
}

export function encodeFeedBatch(batch: FeedBatch): string {
  return JSON.stringify({ v: FORMAT_VERSION, feeds: batch.feeds, dispatchedAt: batch.dispatchedAt });
}

/** Reads a queued batch back, naming what is wrong with one that is not ours. */
export function decodeFeedBatch(body: string): FeedBatch {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new BadBatchMessageError(`feed batch message is not JSON: ${JSON.stringify(body.slice(0, 80))}`);
  }
  if (typeof value !== 'object' || value === null) throw new BadBatchMessageError('feed batch message is not a JSON object');
  const { v, feeds, dispatchedAt } = value as Record<string, unknown>;
  if (v !== FORMAT_VERSION) throw new BadBatchMessageError(`feed batch message has version ${JSON.stringify(v)}, expected ${FORMAT_VERSION}`);
  if (!Array.isArray(feeds) || feeds.length === 0 || !feeds.every((url) => typeof url === 'string' && url.length > 0)) {
    throw new BadBatchMessageError('feed batch message has no "feeds" list of URLs');
  }
  if (typeof dispatchedAt !== 'string' || Number.isNaN(Date.parse(dispatchedAt))) {
    throw new BadBatchMessageError('feed batch message has no valid "dispatchedAt" time');
  }
  return { feeds: feeds as string[], dispatchedAt };
}

/** Bytes of the message a batch of these URLs becomes. */
export function batchMessageBytes(feeds: readonly string[]): number {
  return Buffer.byteLength(encodeFeedBatch({ feeds: [...feeds], dispatchedAt: new Date(0).toISOString() }));
}
