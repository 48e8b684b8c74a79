/**
 * AWS list prices the cost model uses: us-east-1, on-demand, no free tier.
 *
 * Source: the AWS pricing pages for DynamoDB (on-demand, after the November 2024 price cut),
 * Lambda (Arm), SNS, API Gateway HTTP APIs and CloudWatch Logs, as published in late 2024 /
 * 2025. This machine cannot reach the web, so they were not re-read on the run date: they are
 * the published list prices as we last knew them, and should be re-checked before quoting.
 */
export const PRICES = {
  region: 'us-east-1',
  checked: 'list prices as published late 2024 / 2025 (not re-checked online on the run date: no web access)',
  sources: [
    'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    'https://aws.amazon.com/lambda/pricing/',
    'https://aws.amazon.com/sns/pricing/',
    'https://aws.amazon.com/api-gateway/pricing/',
    'https://aws.amazon.com/sqs/pricing/',
    'https://aws.amazon.com/cloudwatch/pricing/',
  ],
  /** DynamoDB on-demand, standard table class, after the 2024-11-01 price cut. */
  dynamoWriteRequestUnit: 0.625 / 1_000_000,
  dynamoReadRequestUnit: 0.125 / 1_000_000,
  /** DynamoDB storage, standard table class, per GB-month (first 25 GB free; not applied). */
  dynamoStorageGbMonth: 0.25,
  /** Lambda on Arm (Graviton), first pricing tier. */
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1_000_000,
  /** SNS email/email-JSON notifications. */
  snsEmail: 2.0 / 100_000,
  /** API Gateway HTTP API, first 300 million requests. */
  httpApiRequest: 1.0 / 1_000_000,
  /** SQS standard queue, per request (each 64 KB chunk of a payload is one request). */
  sqsRequest: 0.4 / 1_000_000,
  /** CloudWatch Logs ingestion (standard). */
  logsIngestGb: 0.5,
} as const;
