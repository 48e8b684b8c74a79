import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '#shared/local/dynamodb-local.ts';
import { createDocumentClient } from '#shared/store/dynamo-client.ts';
import { ensureTable } from '#shared/store/create-table.ts';
import { DynamoStore } from '#shared/store/dynamo-store.ts';

export const LOCAL_TABLE_NAME = 'fundwatch-local';
export const DEFAULT_DATA_DIR = '.fundwatch';

export interface LocalStore {
  doc: DynamoDBDocumentClient;
  tableName: string;
  store: DynamoStore;
  endpoint: string;
  dataDir: string;
  /** Ends DynamoDB Local (its whole process group); safe to call twice. */
  stop(): Promise<void>;
}

/**
 * The embedded store the local commands share: DynamoDB Local persisting under
 * `<data-dir>/db`, with the table created as the stack would. Only one process can hold a data
 * directory's database at a time, so commands open it, work, and stop it.
 */
export async function openLocalStore(dataDir: string = DEFAULT_DATA_DIR): Promise<LocalStore> {
  const dir = resolve(dataDir);
  const dbPath = join(dir, 'db');
  await mkdir(dbPath, { recursive: true });
  const db = await startDynamoDbLocal({ dbPath });
  const doc = createDocumentClient({ endpoint: db.endpoint });
  try {
    // The document client sends plain DynamoDB commands unchanged, so it can create the table too.
    await ensureTable(doc as unknown as DynamoDBClient, LOCAL_TABLE_NAME);
  } catch (err) {
    doc.destroy();
    await db.stop();
    throw err;
  }
  let stopped = false;
  return {
    doc,
    tableName: LOCAL_TABLE_NAME,
    store: new DynamoStore({ client: doc, tableName: LOCAL_TABLE_NAME }),
    endpoint: db.endpoint,
    dataDir: dir,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      doc.destroy();
      await db.stop();
    },
  };
}
