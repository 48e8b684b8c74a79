/**
 * One local poll worker, a process of its own as a Lambda worker is: it takes feed batches from
 * the pool over IPC, polls them against the shared DynamoDB Local table, and answers with the
 * batch's report. A batch that cannot run is failed back to the pool, which releases it to the
 * queue for another try.
 */
import { loadTopicPack } from '#shared/classify/topic-pack.ts';
import { createClassifier } from '#shared/classify/classifier.ts';
import { decodeFeedBatch } from '#shared/fanout/feed-batch.ts';
import { pollFeedBatch } from '#shared/fanout/poll-batch.ts';
import { createPollDeps } from '#shared/pipeline/poll-deps.ts';
import { createDocumentClient } from '#shared/store/dynamo-client.ts';
import { DynamoStore } from '#shared/store/dynamo-store.ts';
import type { Config } from '#shared/config/schema.ts';
import type { PollDeps } from '#shared/pipeline/poll-cycle.ts';
import type { FromWorker, ToWorker } from './worker-protocol.ts';

// The pool may have finished (and closed the channel) while this worker was still starting.
const send = (message: FromWorker) => {
  if (process.connected) process.send?.(message, undefined, undefined, () => undefined);
};

let ready: Promise<{ config: Config; deps: PollDeps }> | undefined;

process.on('message', (message: ToWorker) => {
  if (message.type === 'init') {
    ready = (async () => {
      const pack = await loadTopicPack(message.config.topicPack);
      const client = createDocumentClient({ endpoint: message.endpoint });
      const store = new DynamoStore({ client, tableName: message.tableName, retentionDays: message.config.retention.matchDays });
      return { config: message.config, deps: createPollDeps(store, createClassifier(pack)) };
    })();
    ready.then(() => send({ type: 'ready' }), (err: unknown) => {
      process.stderr.write(`worker could not start: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
    return;
  }
  if (message.type === 'batch') {
    void (async () => {
      try {
        if (!ready) throw new Error('worker got a batch before its init message');
        const { config, deps } = await ready;
        const report = await pollFeedBatch(config, decodeFeedBatch(message.body), deps);
        send({ type: 'done', receipt: message.receipt, report });
      } catch (err) {
        send({ type: 'failed', receipt: message.receipt, error: err instanceof Error ? err.message : String(err) });
      }
    })();
  }
});

// The pool ends workers by closing the channel; a worker never outlives it.
process.on('disconnect', () => process.exit(0));
