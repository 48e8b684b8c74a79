import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Context, SNSEvent } from 'aws-lambda';
import type { WebhookSubscription } from '#shared/config/schema.ts';
import { loadRuntimeConfig } from '#shared/config/runtime.ts';
import { awsSecretReader } from '#shared/alerts/aws-secret-reader.ts';
import { cachingSecretReader } from '#shared/alerts/webhook-secrets.ts';
import {
  WebhookDeliveryError,
  deliverToWebhook,
  parseAlertPayload,
  webhookForInvocation,
  type WebhookDeliveryDeps,
} from '#shared/alerts/webhook-delivery.ts';
import { METRICS } from '#infra/outputs.ts';

/**
 * `https` and `slack` subscriptions: SNS invokes this function asynchronously through the alias
 * of one webhook subscription (with that subscription's filter policy). A webhook that may
 * answer later (5xx, 429, timeout) fails the invocation, so Lambda retries it and then records
 * it in the on-failure queue; one that refuses (4xx, a redirect, a blocked address) is logged
 * and counted, not retried: resending the same request would be refused the same way.
 */

/** What an invocation did (failures throw instead), for its log line and the tests. */
export interface DeliverySummary {
  webhook: string;
  delivered: number;
  rejected: number;
}

export interface DeliverHandlerDeps {
  subscriptions: readonly { protocol: string }[];
  delivery: WebhookDeliveryDeps;
  logger: Logger;
  metrics: Metrics;
}

export function createHandler({ subscriptions, delivery, logger, metrics }: DeliverHandlerDeps) {
  return middy(async (event: SNSEvent, context: Context): Promise<DeliverySummary> => {
    const subscription: WebhookSubscription | undefined = webhookForInvocation(subscriptions, context.invokedFunctionArn);
    if (!subscription) {
      // Invoked without a webhook's alias (by hand, or the alias outlived its config entry).
      throw new Error(`no https or slack subscription for the alias of ${context.invokedFunctionArn}`);
    }
    const target = { webhook: subscription.name, protocol: subscription.protocol };
    const summary: DeliverySummary = { webhook: subscription.name, delivered: 0, rejected: 0 };
    for (const record of event.Records ?? []) {
      const parsed = parseAlertPayload(record.Sns?.Message ?? '');
      if (!parsed.ok) {
        logger.error(`webhook "${subscription.name}": message not delivered: ${parsed.reason}`, { ...target, messageId: record.Sns?.MessageId });
        metrics.addMetric(METRICS.webhookRejected, MetricUnit.Count, 1);
        summary.rejected += 1;
        continue;
      }
      const { payload } = parsed;
      const outcome = await deliverToWebhook(payload, subscription, delivery);
      const about = { ...target, topic: payload.topic, mode: payload.mode, items: payload.items.length, messageId: record.Sns.MessageId };
      switch (outcome.kind) {
        case 'delivered':
          metrics.addMetric(METRICS.webhookDelivered, MetricUnit.Count, 1);
          summary.delivered += 1;
          logger.info(`webhook "${subscription.name}" answered ${outcome.status}`, about);
          break;
        case 'rejected':
          metrics.addMetric(METRICS.webhookRejected, MetricUnit.Count, 1);
          summary.rejected += 1;
          logger.error(`webhook "${subscription.name}" refused the alert: ${outcome.reason}`, { ...about, status: outcome.status });
          break;
        case 'failed':
          metrics.addMetric(METRICS.webhookFailed, MetricUnit.Count, 1);
          logger.warn(`webhook "${subscription.name}" failed, to be retried: ${outcome.reason}`, { ...about, status: outcome.status });
          throw new WebhookDeliveryError(subscription.name, outcome.reason);
      }
    }
    return summary;
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}

function defaultDeps(): DeliverHandlerDeps {
  const config = loadRuntimeConfig();
  return {
    subscriptions: config.subscriptions,
    delivery: {
      secrets: cachingSecretReader(awsSecretReader({ secretsManager: new SecretsManagerClient({}), ssm: new SSMClient({}) })),
      limits: {
        timeoutMs: Math.min(config.fetch.timeoutMs, 10_000),
        idleTimeoutMs: config.fetch.idleTimeoutMs,
        // On AWS a webhook is a public https endpoint; fetch.allowPrivateHosts is for local feeds.
        allowPrivateHosts: [],
        requireHttps: true,
      },
    },
    logger: new Logger(),
    metrics: new Metrics(),
  };
}

export const handler = process.env.AWS_LAMBDA_FUNCTION_NAME
  ? createHandler(defaultDeps())
  : async (): Promise<never> => {
      throw new Error('functions/deliver-webhook.ts handler runs only in Lambda; use createHandler(deps) elsewhere');
    };
