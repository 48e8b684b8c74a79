import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoClientOptions {
  /** DynamoDB Local's endpoint; absent on AWS. */
  endpoint?: string;
  region?: string;
  /** Passed to the SDK's standard retry strategy (throttling and 5xx are retried by the SDK). */
  maxAttempts?: number;
}

export function createDocumentClient(options: DynamoClientOptions = {}): DynamoDBDocumentClient {
  const config: DynamoDBClientConfig = { maxAttempts: options.maxAttempts ?? 5 };
  if (options.endpoint) {
    config.endpoint = options.endpoint;
    config.region = options.region ?? 'local';
    // DynamoDB Local accepts any credentials; fixed ones keep a developer's real keys out of it.
    config.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  } else if (options.region) {
    config.region = options.region;
  }
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
