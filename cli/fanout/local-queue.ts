import { encodeFeedBatch, type FeedBatch } from '#shared/fanout/feed-batch.ts';
import type { FeedBatchQueue } from '#shared/fanout/ports.ts';

export interface ReceivedMessage {
  receipt: string;
  body: string;
  receiveCount: number;
}

/**
 * The queue of a local fan-out run, with SQS's semantics where they matter for correctness: a
 * received message is invisible until it is deleted or released (its worker died or failed it),
 * a released message is delivered again, and one received `maxReceives` times goes to the dead
 * letters instead, as a redrive policy sends it to the DLQ. Messages are the encoded bodies the
 * SQS adapter sends, so workers decode exactly what they would on Lambda.
 */
export class LocalFeedBatchQueue implements FeedBatchQueue {
  private readonly visible: { id: number; body: string; receiveCount: number }[] = [];
  private readonly inFlight = new Map<string, { id: number; body: string; receiveCount: number }>();
  readonly deadLetters: string[] = [];
  private nextId = 0;
  private nextReceipt = 0;

  constructor(private readonly maxReceives = 3) {}

  async sendBatches(batches: FeedBatch[]): Promise<void> {
    for (const batch of batches) this.visible.push({ id: this.nextId++, body: encodeFeedBatch(batch), receiveCount: 0 });
  }

  receive(): ReceivedMessage | undefined {
    const message = this.visible.shift();
    if (!message) return undefined;
    message.receiveCount++;
    const receipt = `${message.id}:${this.nextReceipt++}`;
    this.inFlight.set(receipt, message);
    return { receipt, body: message.body, receiveCount: message.receiveCount };
  }

  delete(receipt: string): void {
    this.inFlight.delete(receipt);
  }

  /** The message comes back for another worker, or goes to the dead letters after its last try. */
  release(receipt: string): void {
    const message = this.inFlight.get(receipt);
    if (!message) return;
    this.inFlight.delete(receipt);
    if (message.receiveCount >= this.maxReceives) this.deadLetters.push(message.body);
    else this.visible.push(message);
  }

  get idle(): boolean {
    return this.visible.length === 0 && this.inFlight.size === 0;
  }
}
