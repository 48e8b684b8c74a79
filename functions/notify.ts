import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { loadRuntimeConfig, requireEnv } from '#shared/config/runtime.ts';
import { compiledTopicPack } from '#shared/classify/runtime-pack.ts';
import { FUNCTION_ENV } from '#infra/outputs.ts';
import { DynamoAlertClaims } from '#shared/alerts/dynamo-claims.ts';
import type { InstantAlertDeps } from '#shared/alerts/notifier.ts';
import { SnsAlertPublisher } from '#shared/alerts/sns-publisher.ts';
import { notifyStreamBatch } from '#shared/alerts/stream-batch.ts';
import { topicNamesFrom } from '#shared/alerts/topic-names.ts';
import { createDocumentClient } from '#shared/store/dynamo-client.ts';

/**
 * Stream consumer for new matches: the event source mapping (INSERT of match rows only,
 * `ReportBatchItemFailures`, bounded retries, on-failure DLQ) hands a batch; one email per topic
 * goes out; records whose topic email failed are returned in `batchItemFailures`, so Lambda
 * retries from the first of them and, once retries are exhausted, sends them to the DLQ.
 *
 * Not Powertools' BatchProcessor: it handles records one by one, and the design sends one email
 * per topic for the whole batch, so the grouping needs the batch at once.
 */

export interface NotifyHandlerDeps {
  alerts: InstantAlertDeps;
  logger: Logger;
  metrics: Metrics;
}

export function createHandler({ alerts, logger, metrics }: NotifyHandlerDeps) {
  const log = {
    info: (message: string, data?: Record<string, unknown>) => logger.info(message, data ?? {}),
    warn: (message: string, data?: Record<string, unknown>) => logger.warn(message, data ?? {}),
    error: (message: string, data?: Record<string, unknown>) => logger.error(message, data ?? {}),
  };
  return middy(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const { response, report, unreadable } = await notifyStreamBatch(event.Records ?? [], { ...alerts, log });
    metrics.addMetric('AlertEmailsSent', MetricUnit.Count, report.sent.length);
    metrics.addMetric('AlertItemsSent', MetricUnit.Count, report.sent.reduce((n, s) => n + s.itemIds.length, 0));
    metrics.addMetric('AlertItemsAlreadySent', MetricUnit.Count, report.alreadySent.reduce((n, s) => n + s.itemIds.length, 0));
    metrics.addMetric('AlertItemsSuppressed', MetricUnit.Count, report.suppressed.length);
    metrics.addMetric('AlertPublishFailures', MetricUnit.Count, report.failed.length);
    metrics.addMetric('AlertRecordsFailed', MetricUnit.Count, response.batchItemFailures.length);
    logger.info('stream batch done', {
      records: event.Records?.length ?? 0,
      emails: report.sent.map((s) => ({ topic: s.topic, items: s.itemIds.length })),
      failedTopics: report.failed.map((f) => f.topic),
      unreadable: unreadable.length,
      failedRecords: response.batchItemFailures.length,
    });
    return response;
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}

async function defaultDeps(): Promise<NotifyHandlerDeps> {
  const config = loadRuntimeConfig();
  const pack = compiledTopicPack();
  // The operator's choice first: the deployed API only answers signed requests, so analysts
  // usually open the page through `fundwatch serve --aws` and point alerts.queryUrl there.
  const queryUrl = config.alerts.queryUrl || process.env[FUNCTION_ENV.queryApiUrl];
  return {
    alerts: {
      claims: new DynamoAlertClaims({ client: createDocumentClient(), tableName: requireEnv(FUNCTION_ENV.tableName) }),
      // One publisher per container, so the pacing holds across warm invocations too.
      publisher: new SnsAlertPublisher({ client: new SNSClient({}), topicArn: requireEnv(FUNCTION_ENV.alertTopicArn) }),
      render: {
        maxItems: config.alerts.maxItemsPerEmail,
        ...topicNamesFrom(pack),
        ...(queryUrl ? { queryUrl } : {}),
      },
    },
    logger: new Logger(),
    metrics: new Metrics(),
  };
}

// Built during the Lambda init phase so a bad deploy fails at cold start; elsewhere (tests, the
// CLI) importing this module must not need the Lambda environment.
export const handler = process.env.AWS_LAMBDA_FUNCTION_NAME
  ? createHandler(await defaultDeps())
  : async (): Promise<never> => {
      throw new Error('functions/notify.ts handler runs only in Lambda; use createHandler(deps) elsewhere');
    };
