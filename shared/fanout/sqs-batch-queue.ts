import { setTimeout } from 'node:timers/promises';
import { SendMessageBatchCommand, type BatchResultErrorEntry, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import { encodeFeedBatch, type FeedBatch } from './feed-batch.ts';
import type { FeedBatchQueue } from './ports.ts';

/** SendMessageBatch takes at most 10 entries and 256 KiB per request. */
const ENTRIES_PER_REQUEST = 10;
const BYTES_PER_REQUEST = 256 * 1024;
/** Entries SQS refused for a reason of its own (throttling, a fault on its side) are sent again. */
const ATTEMPTS = 3;
const RETRY_BASE_MS = 100;

export class DispatchFailedError extends Error {
  override readonly name = 'DispatchFailedError';
}

/**
 * Queues feed batches on SQS in as few SendMessageBatch requests as the limits allow. A request
 * can succeed in part: the entries it lists as failed are sent again (unless SQS blames the
 * sender, which a retry cannot fix), and whatever is still unsent after the last attempt makes
 * the dispatch fail, naming the batches, so the schedule's retry and the alarm see it. A batch
 * sent twice (a retry after a lost answer) is polled twice, which the write-once store makes
 * harmless.
 */
export class SqsFeedBatchQueue implements FeedBatchQueue {
  private readonly client: SQSClient;
  private readonly queueUrl: string;

  constructor(options: { client: SQSClient; queueUrl: string }) {
    this.client = options.client;
    this.queueUrl = options.queueUrl;
  }

  async sendBatches(batches: FeedBatch[]): Promise<void> {
    const entries = batches.map((batch, i) => ({ Id: String(i), MessageBody: encodeFeedBatch(batch) }));
    const failures: string[] = [];
    await Promise.all(requestsOf(entries).map(async (request) => failures.push(...(await this.send(request)))));
    if (failures.length > 0) {
      throw new DispatchFailedError(`${failures.length} of ${batches.length} feed batches not queued: ${failures.slice(0, 5).join('; ')}`);
    }
  }

  /** One request's entries, retried until sent; returns what could not be. */
  private async send(entries: SendMessageBatchRequestEntry[]): Promise<string[]> {
    const refused: BatchResultErrorEntry[] = [];
    let unsent: BatchResultErrorEntry[] = [];
    let pending = entries;
    for (let attempt = 1; attempt <= ATTEMPTS && pending.length > 0; attempt++) {
      if (attempt > 1) await setTimeout(RETRY_BASE_MS * 2 ** (attempt - 2));
      const answer = await this.client.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }));
      const failed = answer.Failed ?? [];
      refused.push(...failed.filter((f) => f.SenderFault));
      unsent = failed.filter((f) => !f.SenderFault);
      const retry = new Set(unsent.map((f) => f.Id));
      pending = pending.filter((entry) => retry.has(entry.Id));
    }
    return [...refused, ...unsent].map((f) => `batch ${f.Id}: ${f.Code}${f.Message ? ` (${f.Message})` : ''}`);
  }
}

/** Entries grouped into requests of at most 10 entries and 256 KiB. */
function requestsOf(entries: SendMessageBatchRequestEntry[]): SendMessageBatchRequestEntry[][] {
  const requests: SendMessageBatchRequestEntry[][] = [];
  let current: SendMessageBatchRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = Buffer.byteLength(entry.MessageBody ?? '');
    if (current.length === ENTRIES_PER_REQUEST || (current.length > 0 && bytes + size > BYTES_PER_REQUEST)) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}
