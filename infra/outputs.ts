/**
 * Names shared by the stack and its readers. The CLI's `--aws` mode looks the deployed
 * resources up by these output keys, so both sides import them from here and never spell them.
 * This file imports nothing, so the CLI and the handlers can use it without pulling in CDK.
 */

export const STACK_NAME = 'Fundwatch';

export const STACK_OUTPUTS = {
  apiUrl: 'ApiUrl',
  tableName: 'TableName',
  alertTopicArn: 'AlertTopicArn',
  opsTopicArn: 'OpsTopicArn',
} as const;

export type StackOutputKey = (typeof STACK_OUTPUTS)[keyof typeof STACK_OUTPUTS];

/** Environment variables the stack sets and the handlers read at cold start. */
export const FUNCTION_ENV = {
  tableName: 'TABLE_NAME',
  alertTopicArn: 'ALERT_TOPIC_ARN',
  queryApiUrl: 'QUERY_API_URL',
  feedBatchQueueUrl: 'FEED_BATCH_QUEUE_URL',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
} as const;

/**
 * Powertools Metrics always adds a `service` dimension (the POWERTOOLS_SERVICE_NAME value), so
 * an alarm on the metric must name that dimension too: a dimension-less alarm would watch a
 * metric nobody writes.
 */
export const METRICS = {
  namespace: 'fundwatch',
  service: 'fundwatch',
  feedsFailing: 'FeedsFailing',
  batchesDispatched: 'FeedBatchesDispatched',
  batchWaitMs: 'FeedBatchWaitMs',
  webhookDelivered: 'WebhookDelivered',
  /** A webhook refused an alert (4xx, redirect, blocked address): not retried, alarmed on. */
  webhookRejected: 'WebhookRejected',
  webhookFailed: 'WebhookFailed',
} as const;
