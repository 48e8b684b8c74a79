import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { InternalErrorException, PublishCommand, SNSClient, ThrottledException, type PublishCommandInput } from '@aws-sdk/client-sns';
import type { DynamoDBRecord } from 'aws-lambda';
import { DynamoAlertClaims } from '#shared/alerts/dynamo-claims.ts';
import type { InstantAlertDeps } from '#shared/alerts/notifier.ts';
import { createPacer, SnsAlertPublisher } from '#shared/alerts/sns-publisher.ts';
import { notifyStreamBatch } from '#shared/alerts/stream-batch.ts';
import { createTestTable, type TestTable } from '#tests/support/dynamo.ts';
import { faultyTable } from '#tests/support/dynamo-faults.ts';
import { insertedId, matchInserts } from '#tests/support/cycle-audit.ts';
import { aMatch } from '#tests/support/matches.ts';

/**
 * The notify path under faults: real stream records from DynamoDB Local, real claims in the
 * table, SNS through aws-sdk-client-mock (SNS has no local peer). Nothing lost, no email twice.
 */

const sns = mockClient(SNSClient);
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:fundwatch-alerts';

afterEach(() => {
  sns.reset();
});

/** Every Publish that SNS accepted, as (topic, body). */
interface Delivered {
  topic: string;
  body: string;
}

/** SNS that fails the first `failures[topic]` publishes of a topic, and records what it accepted. */
function snsThatFails(failures: Record<string, { times: number; error: () => Error }>): Delivered[] {
  const delivered: Delivered[] = [];
  const left = Object.fromEntries(Object.entries(failures).map(([topic, f]) => [topic, f.times]));
  sns.on(PublishCommand).callsFake((input: PublishCommandInput) => {
    const topic = input.MessageAttributes?.topic?.StringValue ?? '';
    if ((left[topic] ?? 0) > 0) {
      left[topic]! -= 1;
      throw failures[topic]!.error();
    }
    delivered.push({ topic, body: input.Message ?? '' });
    return { MessageId: `msg-${delivered.length}` };
  });
  return delivered;
}

function alertDeps(table: TestTable, client = table.doc): InstantAlertDeps {
  return {
    claims: new DynamoAlertClaims({ client, tableName: table.tableName }),
    // maxAttempts 1: the SDK's own retries would hide the failures this test is about.
    publisher: new SnsAlertPublisher({
      client: new SNSClient({ region: 'eu-west-1', maxAttempts: 1, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
      topicArn: TOPIC_ARN,
      pacer: createPacer({ sleep: async () => undefined }),
    }),
    render: { maxItems: 20 },
  };
}

const snsThrottled = () => new ThrottledException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
const snsInternal = () => new InternalErrorException({ message: 'Internal error', $metadata: { httpStatusCode: 500 } });

const MATCHES = [
  aMatch({ id: 'af-fund-1', title: "NATO allies back Stoltenberg's €100 billion five-year fund for Ukraine", topics: ['ukraine-fund'], publishedAt: new Date().toISOString() }),
  aMatch({ id: 'af-fund-2', title: 'Ministers weigh who pays into the Ukraine fund', topics: ['ukraine-fund', 'nato-meetings'], publishedAt: new Date().toISOString() }),
  aMatch({ id: 'af-aid-1', title: 'Pentagon announces new military aid package for Ukraine', topics: ['us-aid'], publishedAt: new Date().toISOString() }),
  aMatch({ id: 'af-mission-1', title: 'NATO to coordinate military aid and training for Ukraine', topics: ['nato-mission'], publishedAt: new Date().toISOString() }),
];

/** A table holding MATCHES, and the stream batch that their inserts produced. */
async function tableWithBatch(prefix: string): Promise<{ table: TestTable; records: DynamoDBRecord[] }> {
  const table = await createTestTable(prefix);
  for (const match of MATCHES) expect(await table.store.putMatch(match)).toBe('created');
  const records = await matchInserts(table);
  expect(records.map(insertedId)).toEqual(MATCHES.map((m) => m.id));
  return { table, records };
}

const seqOf = (records: DynamoDBRecord[], id: string) => records.find((r) => insertedId(r) === id)!.dynamodb!.SequenceNumber!;

/** Each (topic, item) went out in exactly one accepted email. */
function expectEachItemOnce(delivered: Delivered[]): void {
  for (const match of MATCHES) {
    for (const topic of match.topics) {
      const carrying = delivered.filter((d) => d.topic === topic && d.body.includes(match.title));
      expect(carrying, `${match.id} in ${topic}`).toHaveLength(1);
    }
  }
  const topics = delivered.map((d) => d.topic);
  expect(new Set(topics).size, 'one email per topic').toBe(topics.length);
}

beforeAll(() => {
  process.env.AWS_REGION ??= 'eu-west-1';
});

describe('SNS failures on the notify path', () => {
  it('fails exactly the records of the failed topic; the retry sends that email once and nothing else', async () => {
    const { table, records } = await tableWithBatch('alert-sns-fail');
    const delivered = snsThatFails({ 'us-aid': { times: 1, error: snsThrottled }, 'nato-meetings': { times: 1, error: snsInternal } });

    const first = await notifyStreamBatch(records, alertDeps(table));
    expect(first.report.failed.map((f) => [f.topic, f.itemIds])).toEqual([
      ['nato-meetings', ['af-fund-2']],
      ['us-aid', ['af-aid-1']],
    ]);
    expect(first.response.batchItemFailures).toEqual(
      [seqOf(records, 'af-fund-2'), seqOf(records, 'af-aid-1')].map((itemIdentifier) => ({ itemIdentifier })),
    );
    expect(delivered.map((d) => d.topic).sort()).toEqual(['nato-mission', 'ukraine-fund']);

    // Lambda retries from the first failed record: af-fund-2 onwards.
    const retried = records.slice(records.findIndex((r) => insertedId(r) === 'af-fund-2'));
    const second = await notifyStreamBatch(retried, alertDeps(table));
    expect(second.response.batchItemFailures).toEqual([]);
    expect(second.report.sent.map((s) => s.topic)).toEqual(['nato-meetings', 'us-aid']);
    expect(second.report.alreadySent).toContainEqual({ topic: 'ukraine-fund', itemIds: ['af-fund-2'] });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(6);
    expectEachItemOnce(delivered);

    // A third delivery of everything (a redrive) sends nothing.
    const third = await notifyStreamBatch(records, alertDeps(table));
    expect(third.report.sent).toEqual([]);
    expect(third.response.batchItemFailures).toEqual([]);
    expectEachItemOnce(delivered);
  });

  it('keeps failing the records while SNS is down, and loses nothing once it is back', async () => {
    const { table, records } = await tableWithBatch('alert-sns-down');
    const delivered = snsThatFails({
      'ukraine-fund': { times: 3, error: snsInternal },
      'us-aid': { times: 3, error: snsInternal },
      'nato-mission': { times: 3, error: snsInternal },
      'nato-meetings': { times: 3, error: snsInternal },
    });
    for (let attempt = 0; attempt < 3; attempt++) {
      const result = await notifyStreamBatch(records, alertDeps(table));
      expect(result.response.batchItemFailures).toHaveLength(records.length);
      expect(result.report.sent).toEqual([]);
    }
    expect(delivered).toEqual([]);
    const recovered = await notifyStreamBatch(records, alertDeps(table));
    expect(recovered.response.batchItemFailures).toEqual([]);
    expectEachItemOnce(delivered);
  });
});

describe('the same stream batch delivered twice', () => {
  it('sends one email per topic', async () => {
    const { table, records } = await tableWithBatch('alert-twice');
    const delivered = snsThatFails({});
    const [a, b] = [await notifyStreamBatch(records, alertDeps(table)), await notifyStreamBatch(records, alertDeps(table))];
    expect(a.report.sent.map((s) => s.topic)).toEqual(['nato-meetings', 'nato-mission', 'ukraine-fund', 'us-aid']);
    expect(b.report.sent).toEqual([]);
    expect(b.report.alreadySent.flatMap((s) => s.itemIds).sort()).toEqual(['af-aid-1', 'af-fund-1', 'af-fund-2', 'af-fund-2', 'af-mission-1']);
    expect(delivered).toHaveLength(4);
    expectEachItemOnce(delivered);
  });

  it('sends one email per topic when the claim writes are throttled and retried by the SDK', async () => {
    const { table, records } = await tableWithBatch('alert-claims-throttled');
    const delivered = snsThatFails({});
    const faulty = faultyTable(table, [
      { command: 'PutItemCommand', kind: 'throttle', times: 2 },
      { command: 'UpdateItemCommand', kind: 'server', times: 2 },
    ]);
    try {
      const first = await notifyStreamBatch(records, alertDeps(table, faulty.doc));
      expect(first.response.batchItemFailures).toEqual([]);
      expect(faulty.injected.get('PutItemCommand')).toBe(2);
      expect(faulty.injected.get('UpdateItemCommand')).toBe(2);
      const again = await notifyStreamBatch(records, alertDeps(table, faulty.doc));
      expect(again.report.sent).toEqual([]);
      expectEachItemOnce(delivered);
    } finally {
      faulty.destroy();
    }
  });
});
