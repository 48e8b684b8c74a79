import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '#shared/config/schema.ts';
import { loadRuntimeConfig, requireEnv } from '#shared/config/runtime.ts';
import { dispatchFeeds } from '#shared/fanout/dispatch.ts';
import type { FeedBatchQueue } from '#shared/fanout/ports.ts';
import { SqsFeedBatchQueue } from '#shared/fanout/sqs-batch-queue.ts';
import { FUNCTION_ENV, METRICS } from '#infra/outputs.ts';

export interface DispatchHandlerDeps {
  config: Config;
  queue: FeedBatchQueue;
  logger: Logger;
  metrics: Metrics;
}

/**
 * The fan-out's schedule: every cycle, the configured feeds go onto the worker queue in
 * host-grouped batches. A dispatch that could not queue everything fails, so the invocation's
 * error reaches the PollErrors alarm and its failure queue; the workers still poll what was queued.
 */
export function createHandler({ config, queue, logger, metrics }: DispatchHandlerDeps) {
  return middy(async () => {
    const report = await dispatchFeeds(config, { queue });
    metrics.addMetric('FeedsDispatched', MetricUnit.Count, report.feeds);
    metrics.addMetric(METRICS.batchesDispatched, MetricUnit.Count, report.batches);
    const summary = { feeds: report.feeds, batches: report.batches, dispatchedAt: report.dispatchedAt };
    logger.info('feeds dispatched', summary);
    return summary;
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}

function defaultDeps(): DispatchHandlerDeps {
  return {
    config: loadRuntimeConfig(),
    queue: new SqsFeedBatchQueue({ client: new SQSClient({}), queueUrl: requireEnv(FUNCTION_ENV.feedBatchQueueUrl) }),
    logger: new Logger(),
    metrics: new Metrics(),
  };
}

// Built during the Lambda init phase so a bad deploy fails at cold start.
export const handler = process.env.AWS_LAMBDA_FUNCTION_NAME
  ? createHandler(defaultDeps())
  : async (): Promise<never> => {
      throw new Error('functions/dispatch.ts handler runs only in Lambda; use createHandler(deps) elsewhere');
    };
