import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '#shared/store/dynamo-client.ts';
import { ensureTable } from '#shared/store/create-table.ts';
import { DynamoStore, type DynamoStoreOptions } from '#shared/store/dynamo-store.ts';
import { fileDynamoEndpoint } from './dynamo-per-file.ts';

export interface TestTable {
  endpoint: string;
  tableName: string;
  streamArn: string;
  doc: DynamoDBDocumentClient;
  store: DynamoStore;
}

/**
 * A fresh table on the test file's own DynamoDB Local (tests/support/dynamo-per-file.ts).
 * `storeOptions`: e.g. a short `countWaitMs` for a test about counts on rows that never come.
 */
export async function createTestTable(prefix = 'test', storeOptions: Partial<DynamoStoreOptions> = {}): Promise<TestTable> {
  const endpoint = await fileDynamoEndpoint();
  const doc = createDocumentClient({ endpoint });
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  const { streamArn } = await ensureTable(doc as unknown as Parameters<typeof ensureTable>[0], tableName);
  // Test rows carry 2024 dates; DynamoDB Local's TTL sweeper would delete them mid-test under
  // the default one-year retention.
  return { endpoint, tableName, streamArn, doc, store: new DynamoStore({ client: doc, tableName, retentionDays: 36_500, ...storeOptions }) };
}
