import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '#shared/local/dynamodb-local.ts';

/** One in-memory DynamoDB Local for the whole run; each test file makes its own tables. */
export default async function setup(project: TestProject) {
  const db = await startDynamoDbLocal();
  project.provide('dynamoEndpoint', db.endpoint);
  return async () => {
    await db.stop();
  };
}
