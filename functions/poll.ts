import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import type { Config } from '#shared/config/schema.ts';
import { loadRuntimeConfig, requireEnv } from '#shared/config/runtime.ts';
import { compiledTopicPack } from '#shared/classify/runtime-pack.ts';
import { FUNCTION_ENV } from '#infra/outputs.ts';
import { createClassifier } from '#shared/classify/classifier.ts';
import { createDocumentClient } from '#shared/store/dynamo-client.ts';
import { DynamoStore } from '#shared/store/dynamo-store.ts';
import { runPollCycle, type PollDeps } from '#shared/pipeline/poll-cycle.ts';
import { summariseCycle } from '#shared/pipeline/cycle-summary.ts';
import { createPollDeps } from '#shared/pipeline/poll-deps.ts';
import { addCycleMetrics } from './lib/cycle-metrics.ts';

/** Stop starting feeds this long before the Lambda's timeout, so the cycle ends cleanly. */
const SAFETY_MARGIN_MS = 20_000;

export interface PollHandlerDeps {
  config: Config;
  poll: Omit<PollDeps, 'deadline' | 'onFeed'>;
  logger: Logger;
  metrics: Metrics;
}

export function createHandler({ config, poll, logger, metrics }: PollHandlerDeps) {
  return middy(async (_event: unknown, context: Context) => {
    const deadline = new Date(Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS);
    const report = await runPollCycle(config, {
      ...poll,
      deadline,
      onFeed: (feed) => {
        if (feed.outcome === 'failed') logger.warn('feed failed', { feed: feed.url, error: feed.error, reason: feed.message, status: feed.status, consecutiveFailures: feed.consecutiveFailures });
        if (Object.keys(feed.languageNotCovered).length > 0) logger.info('items in languages the topic pack does not cover', { feed: feed.url, languageNotCovered: feed.languageNotCovered });
        if (feed.movedTo) logger.info('feed moved permanently', { feed: feed.url, movedTo: feed.movedTo });
      },
    });
    const summary = summariseCycle(report);
    addCycleMetrics(metrics, summary);
    for (const warning of report.warnings) logger.warn(warning);
    logger.info('poll cycle done', { ...summary });
    return summary;
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}

function defaultDeps(): PollHandlerDeps {
  const config = loadRuntimeConfig();
  const store = new DynamoStore({
    client: createDocumentClient(),
    tableName: requireEnv(FUNCTION_ENV.tableName),
    retentionDays: config.retention.matchDays,
  });
  return {
    config,
    poll: createPollDeps(store, createClassifier(compiledTopicPack())),
    logger: new Logger(),
    metrics: new Metrics(),
  };
}

// Built during the Lambda init phase so a bad deploy fails at cold start; elsewhere (tests, the
// CLI) importing this module must not need the Lambda environment.
export const handler = process.env.AWS_LAMBDA_FUNCTION_NAME
  ? createHandler(defaultDeps())
  : async (): Promise<never> => {
      throw new Error('functions/poll.ts handler runs only in Lambda; use createHandler(deps) elsewhere');
    };
