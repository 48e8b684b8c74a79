import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import type { Config } from '#shared/config/schema.ts';
import { loadRuntimeConfig, requireEnv } from '#shared/config/runtime.ts';
import { compiledTopicPack } from '#shared/classify/runtime-pack.ts';
import { FUNCTION_ENV } from '#infra/outputs.ts';
import { createClassifier } from '#shared/classify/classifier.ts';
import { fetchFeed } from '#shared/fetch/fetch-feed.ts';
import { parseFeed } from '#shared/feed/parse-feed.ts';
import { createDuplicateFinder } from '#shared/alerts/near-duplicates.ts';
import { createDocumentClient } from '#shared/store/dynamo-client.ts';
import { DynamoStore } from '#shared/store/dynamo-store.ts';
import { runPollCycle, type PollDeps } from '#shared/pipeline/poll-cycle.ts';

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
        if (feed.movedTo) logger.info('feed moved permanently', { feed: feed.url, movedTo: feed.movedTo });
      },
    });
    const count = (outcome: string) => report.feeds.filter((f) => f.outcome === outcome).length;
    metrics.addMetric('FeedsFetched', MetricUnit.Count, count('fetched'));
    metrics.addMetric('FeedsNotModified', MetricUnit.Count, count('not-modified'));
    metrics.addMetric('FeedsFailed', MetricUnit.Count, count('failed'));
    metrics.addMetric('FeedsDeferred', MetricUnit.Count, count('deferred'));
    metrics.addMetric('FeedsFailing', MetricUnit.Count, report.failingFeeds);
    metrics.addMetric('MatchesStored', MetricUnit.Count, report.stored.length);
    metrics.addMetric('BytesDownloaded', MetricUnit.Bytes, report.feeds.reduce((sum, f) => sum + f.bytes, 0));
    const summary = {
      feeds: report.feeds.length,
      fetched: count('fetched'),
      notModified: count('not-modified'),
      failed: count('failed'),
      deferred: count('deferred'),
      stored: report.stored.length,
    };
    for (const warning of report.warnings) logger.warn(warning);
    logger.info('poll cycle done', summary);
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
    poll: {
      store,
      fetchFeed,
      parseFeed,
      classifier: createClassifier(compiledTopicPack()),
      duplicateFinder: createDuplicateFinder,
    },
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
