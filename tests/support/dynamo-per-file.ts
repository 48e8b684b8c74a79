import { afterAll } from 'vitest';
import { startDynamoDbLocal, type DynamoDbLocal } from '#shared/local/dynamodb-local.ts';

/**
 * One DynamoDB Local per test file, started when the file first asks for it. One instance for
 * the whole run was slower the longer the run went: DynamoDB Local's writes cost more with
 * every stream-enabled table that has records, and deleting a table does not bring the cost
 * back (its stream outlives it). A file's own instance makes its speed independent of what ran
 * before it.
 */
let instance: Promise<DynamoDbLocal> | undefined;

export async function fileDynamoEndpoint(): Promise<string> {
  instance ??= startDynamoDbLocal();
  return (await instance).endpoint;
}

/** Registered for every file by the setup file; stops the instance only if the file started one. */
export function stopFileDynamoAfterAll(): void {
  afterAll(async () => {
    const started = instance;
    instance = undefined;
    if (started) await (await started).stop();
  });
}
