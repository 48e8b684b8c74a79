import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deliverLocalAlerts } from '#shared/alerts/local-alerts.ts';
import type { AlertEmail } from '#shared/model.ts';
import { DynamoStore } from '#shared/store/dynamo-store.ts';
import { createTestTable, type TestTable } from '#tests/support/dynamo.ts';
import { aMatch } from '#tests/support/matches.ts';

/** The test matches are dated 2024: a long retention keeps DynamoDB Local's TTL sweeper off them. */
const longLived = (table: TestTable) => new DynamoStore({ client: table.doc, tableName: table.tableName, retentionDays: 36_500 });

describe('local alert delivery (stream → notify code path → outbox)', () => {
  it('writes one outbox email per topic for a cycle and nothing for a repeated cycle', async () => {
    const table = await createTestTable('local-alerts');
    const store = longLived(table);
    const dataDir = await mkdtemp(join(tmpdir(), 'fundwatch-local-alerts-'));
    let printed = '';
    const options = {
      doc: table.doc,
      tableName: table.tableName,
      endpoint: table.endpoint,
      dataDir,
      render: { maxItems: 20 },
      out: { write: (s: string) => (printed += s) },
    };

    await store.putMatch(aMatch({ id: 'l-1', topics: ['ukraine-fund'] }));
    await store.putMatch(aMatch({ id: 'l-2', topics: ['ukraine-fund', 'nato-mission'] }));
    const first = await deliverLocalAlerts(options);
    expect(first).toMatchObject({ records: 2, committed: true, response: { batchItemFailures: [] } });
    const files = (await readdir(join(dataDir, 'outbox'))).sort();
    expect(files).toHaveLength(2);
    const texts = await Promise.all(files.map((f) => readFile(join(dataDir, 'outbox', f), 'utf8')));
    expect(texts.map((t) => t.split('\n').slice(1, 3))).toEqual(
      expect.arrayContaining([
        ['Topic: ukraine-fund', 'Mode: instant'],
        ['Topic: nato-mission', 'Mode: instant'],
      ]),
    );
    expect(printed).toContain('Subject: [fundwatch] Ukraine fund: 2 new — ');

    // The second cycle stores nothing new (putMatch says 'exists'): no stream records, no email.
    expect(await store.putMatch(aMatch({ id: 'l-1' }))).toBe('exists');
    const second = await deliverLocalAlerts(options);
    expect(second.records).toBe(0);
    expect(await readdir(join(dataDir, 'outbox'))).toHaveLength(2);
  });

  it('keeps the checkpoint when a publish fails, and the next run sends exactly the missing email', async () => {
    const table = await createTestTable('local-alerts-fail');
    const store = longLived(table);
    const dataDir = await mkdtemp(join(tmpdir(), 'fundwatch-local-alerts-'));
    const sent: AlertEmail[] = [];
    let failTopic: string | undefined = 'nato-mission';
    const publisher = {
      publish: async (email: AlertEmail) => {
        if (email.topic === failTopic) throw new Error('disk full');
        sent.push(email);
      },
    };
    const options = { doc: table.doc, tableName: table.tableName, endpoint: table.endpoint, dataDir, render: { maxItems: 20 }, publisher };
    await store.putMatch(aMatch({ id: 'f-1', topics: ['ukraine-fund', 'nato-mission'] }));

    const first = await deliverLocalAlerts(options);
    expect(first.committed).toBe(false);
    expect(first.response.batchItemFailures).toHaveLength(1);
    expect(sent.map((e) => e.topic)).toEqual(['ukraine-fund']);

    failTopic = undefined;
    const second = await deliverLocalAlerts(options);
    expect(second).toMatchObject({ records: 1, committed: true });
    expect(sent.map((e) => e.topic)).toEqual(['ukraine-fund', 'nato-mission']);

    expect((await deliverLocalAlerts(options)).records).toBe(0);
    expect(sent).toHaveLength(2);
  });
});
