import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SNSClient } from '@aws-sdk/client-sns';
import type { ScheduledEvent } from 'aws-lambda';
import { loadRuntimeConfig, requireEnv } from '#shared/config/runtime.ts';
import { compiledTopicPack } from '#shared/classify/runtime-pack.ts';
import { FUNCTION_ENV } from '#infra/outputs.ts';
import { sendDailyDigests, type DailyDigestDeps, type DailyDigestReport } from '#shared/alerts/daily-digest.ts';
import { DynamoAlertClaims } from '#shared/alerts/dynamo-claims.ts';
import { DynamoTopicReader } from '#shared/alerts/dynamo-topic-reader.ts';
import { throwIfFailed } from '#shared/alerts/notifier.ts';
import { SnsAlertPublisher } from '#shared/alerts/sns-publisher.ts';
import { topicIdsOf, topicNamesFrom } from '#shared/alerts/topic-names.ts';
import { createDocumentClient } from '#shared/store/dynamo-client.ts';

/**
 * Daily digest, on an EventBridge schedule. A failed topic fails the invocation after the other
 * topics were tried, so the async retry (and then the on-failure destination or alarm) sees it;
 * the per-day claims make the retry send only what is still missing.
 */

export interface DigestHandlerDeps {
  digest: Omit<DailyDigestDeps, 'log'>;
  logger: Logger;
  metrics: Metrics;
  now?: () => Date;
}

export function createHandler({ digest, logger, metrics, now = () => new Date() }: DigestHandlerDeps) {
  const log = {
    info: (message: string, data?: Record<string, unknown>) => logger.info(message, data ?? {}),
    warn: (message: string, data?: Record<string, unknown>) => logger.warn(message, data ?? {}),
    error: (message: string, data?: Record<string, unknown>) => logger.error(message, data ?? {}),
  };
  return middy(async (_event: ScheduledEvent | Record<string, never>): Promise<DailyDigestReport> => {
    const report = await sendDailyDigests(now(), { ...digest, log });
    metrics.addMetric('DigestEmailsSent', MetricUnit.Count, report.sent.length);
    metrics.addMetric('DigestFailures', MetricUnit.Count, report.failed.length);
    logger.info('daily digest done', {
      date: report.date,
      sent: report.sent.map((s) => ({ topic: s.topic, items: s.itemIds.length })),
      empty: report.empty,
      alreadySent: report.alreadySent,
      failed: report.failed.map((f) => f.topic),
    });
    throwIfFailed(report);
    return report;
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}

async function defaultDeps(): Promise<DigestHandlerDeps> {
  const config = loadRuntimeConfig();
  const pack = compiledTopicPack();
  const client = createDocumentClient();
  const tableName = requireEnv(FUNCTION_ENV.tableName);
  // The operator's choice first: the deployed API only answers signed requests, so analysts
  // usually open the page through `fundwatch serve --aws` and point alerts.queryUrl there.
  const queryUrl = config.alerts.queryUrl || process.env[FUNCTION_ENV.queryApiUrl];
  return {
    digest: {
      topics: topicIdsOf(pack),
      reader: new DynamoTopicReader({ client, tableName }),
      claims: new DynamoAlertClaims({ client, tableName }),
      publisher: new SnsAlertPublisher({ client: new SNSClient({}), topicArn: requireEnv(FUNCTION_ENV.alertTopicArn) }),
      render: {
        maxItems: config.alerts.maxItemsPerEmail,
        ...topicNamesFrom(pack),
        ...(queryUrl ? { queryUrl } : {}),
      },
      lookbackHours: config.alerts.maxAgeHours,
    },
    logger: new Logger(),
    metrics: new Metrics(),
  };
}

export const handler = process.env.AWS_LAMBDA_FUNCTION_NAME
  ? createHandler(await defaultDeps())
  : async (): Promise<never> => {
      throw new Error('functions/digest.ts handler runs only in Lambda; use createHandler(deps) elsewhere');
    };
