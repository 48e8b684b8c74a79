import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { decodeFeedBatch, type FeedBatch } from '#shared/fanout/feed-batch.ts';
import { DispatchFailedError, SqsFeedBatchQueue } from '#shared/fanout/sqs-batch-queue.ts';

/** SQS has no local peer here: its exact calls are checked on a mocked client. */

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/fundwatch-feed-batches';
const sqs = mockClient(SQSClient);
const queue = () => new SqsFeedBatchQueue({ client: sqs as unknown as SQSClient, queueUrl: QUEUE_URL });

const batches = (n: number, feedsEach = 2): FeedBatch[] =>
  Array.from({ length: n }, (_, b) => ({
    feeds: Array.from({ length: feedsEach }, (_, f) => `https://host${b}.example/feed/${f}.xml`),
    dispatchedAt: '2026-12-06T12:00:00.000Z',
  }));

const sentRequests = () => sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input as SendMessageBatchCommandInput);
const allOk = (input: SendMessageBatchCommandInput) => ({ Successful: input.Entries!.map((e) => ({ Id: e.Id!, MessageId: `m-${e.Id}`, MD5OfMessageBody: 'x' })), Failed: [] });

beforeEach(() => sqs.reset());

describe('SqsFeedBatchQueue', () => {
  it('sends 25 batches in three SendMessageBatch requests of 10, 10 and 5, bodies the workers decode', async () => {
    sqs.on(SendMessageBatchCommand).callsFake(allOk);
    const sent = batches(25);
    await queue().sendBatches(sent);
    const requests = sentRequests();
    expect(requests.map((r) => r.Entries!.length).sort((a, b) => b - a)).toEqual([10, 10, 5]);
    expect(requests.every((r) => r.QueueUrl === QUEUE_URL)).toBe(true);
    const bodies = requests.flatMap((r) => r.Entries!).sort((a, b) => Number(a.Id) - Number(b.Id));
    expect(bodies.map((e) => decodeFeedBatch(e.MessageBody!))).toEqual(sent);
    expect(new Set(bodies.map((e) => e.Id)).size).toBe(25);
  });

  it('keeps each request under 256 KiB by putting fewer large batches in it', async () => {
    sqs.on(SendMessageBatchCommand).callsFake(allOk);
    // Each body ≈ 60 KB: four fit in a request, not ten.
    const big = batches(9, 1).map((b, i) => ({ ...b, feeds: [`https://big${i}.example/${'p'.repeat(60_000)}`] }));
    await queue().sendBatches(big);
    for (const request of sentRequests()) {
      const bytes = request.Entries!.reduce((sum, e) => sum + Buffer.byteLength(e.MessageBody!), 0);
      expect(bytes).toBeLessThanOrEqual(256 * 1024);
    }
    expect(sentRequests().flatMap((r) => r.Entries!).length).toBe(9);
  });

  it('sends again only the entries SQS failed on its side, until they are queued', async () => {
    let call = 0;
    sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => {
      call++;
      if (call === 1) {
        return {
          Successful: input.Entries!.slice(2).map((e) => ({ Id: e.Id!, MessageId: 'm', MD5OfMessageBody: 'x' })),
          Failed: input.Entries!.slice(0, 2).map((e) => ({ Id: e.Id!, Code: 'InternalError', SenderFault: false })),
        };
      }
      return allOk(input);
    });
    await queue().sendBatches(batches(5));
    const requests = sentRequests();
    expect(requests).toHaveLength(2);
    expect(requests[1]!.Entries!.map((e) => e.Id)).toEqual(['0', '1']);
  });

  it('fails the dispatch naming the batches it could not queue: a sender fault at once, a service fault after three tries', async () => {
    sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
      Successful: input.Entries!.filter((e) => e.Id !== '0' && e.Id !== '1').map((e) => ({ Id: e.Id!, MessageId: 'm', MD5OfMessageBody: 'x' })),
      Failed: [
        ...input.Entries!.filter((e) => e.Id === '0').map((e) => ({ Id: e.Id!, Code: 'InvalidMessageContents', SenderFault: true })),
        ...input.Entries!.filter((e) => e.Id === '1').map((e) => ({ Id: e.Id!, Code: 'ServiceUnavailable', SenderFault: false })),
      ],
    }));
    const error = await queue().sendBatches(batches(4)).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DispatchFailedError);
    expect((error as Error).message).toContain('2 of 4 feed batches not queued');
    expect((error as Error).message).toContain('batch 0: InvalidMessageContents');
    expect((error as Error).message).toContain('batch 1: ServiceUnavailable');
    // The first request, then batch 1 alone twice more; batch 0 is never sent again.
    const requests = sentRequests();
    expect(requests.map((r) => r.Entries!.map((e) => e.Id))).toEqual([['0', '1', '2', '3'], ['1'], ['1']]);
  });

  it('sends nothing when there is nothing to queue', async () => {
    await queue().sendBatches([]);
    expect(sqs).not.toHaveReceivedCommand(SendMessageBatchCommand);
  });
});
