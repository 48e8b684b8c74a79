import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { JavaMissingError, startDynamoDbLocal } from '#shared/local/dynamodb-local.ts';

const dir = mkdtempSync(join(tmpdir(), 'fundwatch-ddb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const clientFor = (endpoint: string) =>
  new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

const jvmArgs = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');

const groupAlive = (pid: number) => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('DynamoDB Local', () => {
  it('keeps its tables in the folder it is given, across a restart, and leaves no process behind', async () => {
    const first = await startDynamoDbLocal({ dbPath: dir });
    // Short-lived by default: the JVM compiles with C1 only.
    expect(jvmArgs(first.pid)).toContain('-XX:TieredStopAtLevel=1');
    const client = clientFor(first.endpoint);
    await client.send(
      new CreateTableCommand({
        TableName: 'kept',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    client.destroy();
    await first.stop();
    expect(groupAlive(first.pid)).toBe(false);
    expect(readdirSync(dir).some((name) => name.endsWith('.db'))).toBe(true);

    const second = await startDynamoDbLocal({ dbPath: dir, jit: 'peak' });
    expect(jvmArgs(second.pid)).not.toContain('-XX:TieredStopAtLevel=1');
    expect(jvmArgs(second.pid)).toEqual(expect.arrayContaining(['-dbPath', dir, '-sharedDb', '-disableTelemetry']));
    const again = clientFor(second.endpoint);
    try {
      expect((await again.send(new ListTablesCommand({}))).TableNames).toEqual(['kept']);
    } finally {
      again.destroy();
      await second.stop();
    }
  });

  it('says how to install Java when there is none on PATH', async () => {
    const path = process.env.PATH;
    process.env.PATH = dir;
    try {
      await expect(startDynamoDbLocal()).rejects.toThrow(JavaMissingError);
    } finally {
      process.env.PATH = path;
    }
  });
});
