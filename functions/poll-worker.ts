import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Config } from '#shared/config/schema.ts';
import { loadRuntimeConfig, requireEnv } from '#shared/config/runtime.ts';
import { compiledTopicPack } from '#shared/classify/runtime-pack.ts';
import { createClassifier } from '#shared/classify/classifier.ts';
import { decodeFeedBatch } from '#shared/fanout/feed-batch.ts';
import { pollFeedBatch } from '#shared/fanout/poll-batch.ts';
import { summariseCycle } from '#shared/pipeline/cycle-summary.ts';
import type { PollDeps } from '#shared/pipeline/poll-cycle.ts';
import { createPollDeps } from '#shared/pipeline/poll-deps.ts';
import { createDocumentClient } from '#shared/store/dynamo-client.ts';
import { DynamoStore } from '#shared/store/dynamo-store.ts';
import { FUNCTION_ENV, METRICS } from '#infra/outputs.ts';
import { addCycleMetrics } from './lib/cycle-metrics.ts';

/** Stop starting feeds this long before the Lambda's timeout, so the batch ends cleanly. */
const SAFETY_MARGIN_MS = 20_000;

export interface PollWorkerDeps {
  config: Config;
  poll: Omit<PollDeps, 'deadline' | 'onFeed'>;
  logger: Logger;
  metrics: Metrics;
}

/**
 * A fan-out worker: the SQS event source mapping hands it feed batches the dispatcher queued.
 * Each is polled as a cycle of its own; a batch whose cycle cannot run (the table unreachable,
 * a message that is not a feed batch) is returned in `batchItemFailures`, so SQS delivers it
 * again and, after the redrive policy's tries, moves it to the dead-letter queue. A feed that
 * fails inside a batch is the batch's report, not a failure of the message.
 */
export function createHandler({ config, poll, logger, metrics }: PollWorkerDeps) {
  return middy(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records ?? []) {
      try {
        const batch = decodeFeedBatch(record.body);
        const deadline = new Date(Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS);
        const report = await pollFeedBatch(config, batch, {
          ...poll,
          deadline,
          onFeed: (feed) => {
            if (feed.outcome === 'failed') logger.warn('feed failed', { feed: feed.url, error: feed.error, reason: feed.message, status: feed.status });
            if (Object.keys(feed.languageNotCovered).length > 0) logger.info('items in languages the topic pack does not cover', { feed: feed.url, languageNotCovered: feed.languageNotCovered });
          },
        });
        const summary = summariseCycle(report);
        addCycleMetrics(metrics, summary);
        metrics.addMetric(METRICS.batchWaitMs, MetricUnit.Milliseconds, Math.max(0, Date.parse(report.startedAt) - Date.parse(batch.dispatchedAt)));
        for (const warning of report.warnings) logger.warn(warning);
        for (const url of report.unknownFeeds) logger.warn('queued feed no longer in the config', { feed: url });
        logger.info('feed batch done', { messageId: record.messageId, stale: report.stale, ...summary });
      } catch (err) {
        logger.error('feed batch failed; SQS delivers it again', { messageId: record.messageId, error: err as Error });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}

function defaultDeps(): PollWorkerDeps {
  const config = loadRuntimeConfig();
  const store = new DynamoStore({ client: createDocumentClient(), tableName: requireEnv(FUNCTION_ENV.tableName), retentionDays: config.retention.matchDays });
  return { config, poll: createPollDeps(store, createClassifier(compiledTopicPack())), logger: new Logger(), metrics: new Metrics() };
}

// Built during the Lambda init phase so a bad deploy fails at cold start.
export const handler = process.env.AWS_LAMBDA_FUNCTION_NAME
  ? createHandler(defaultDeps())
  : async (): Promise<never> => {
      throw new Error('functions/poll-worker.ts handler runs only in Lambda; use createHandler(deps) elsewhere');
    };
