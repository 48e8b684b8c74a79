import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TopicPack } from '#shared/classify/topic-pack.ts';
import { DynamoQueryStore } from './dynamo-query-store.ts';
import { createQueryService, type QueryService, type QueryServiceOptions } from './service.ts';

/** The query service on the DynamoDB table, for the Lambda, `fundwatch query` and `fundwatch serve`. */
export function createDynamoQueryService(options: {
  client: DynamoDBDocumentClient;
  tableName: string;
  topicPack: TopicPack;
  options?: QueryServiceOptions;
}): QueryService {
  return createQueryService({
    store: new DynamoQueryStore({ client: options.client, tableName: options.tableName }),
    topics: options.topicPack.topics.map((t) => ({ id: t.id, title: t.title })),
    ...(options.options ? { options: options.options } : {}),
  });
}
