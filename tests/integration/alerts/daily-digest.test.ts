import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { PublishCommand, SNSClient, type PublishCommandInput } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { createHandler } from '#functions/digest.ts';
import { DynamoAlertClaims } from '#shared/alerts/dynamo-claims.ts';
import { DynamoTopicReader } from '#shared/alerts/dynamo-topic-reader.ts';
import { SnsAlertPublisher } from '#shared/alerts/sns-publisher.ts';
import { DynamoStore } from '#shared/store/dynamo-store.ts';
import { createTestTable, type TestTable } from '#tests/support/dynamo.ts';
import { aMatch } from '#tests/support/matches.ts';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const sns = mockClient(SNSClient);
const context = { functionName: 'digest', awsRequestId: 'req', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
const published = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input as PublishCommandInput);
const topicOf = (input: PublishCommandInput) => input.MessageAttributes?.topic?.StringValue;

let table: TestTable;
/** Rows dated 2024 with a long retention, so DynamoDB Local's TTL sweeper leaves them alone. */
let store: DynamoStore;
let commands: string[];
let now: Date;
let digest: (event?: unknown) => Promise<unknown>;

beforeAll(async () => {
  table = await createTestTable('digest');
  store = new DynamoStore({ client: table.doc, tableName: table.tableName, retentionDays: 36_500 });
  // Every call the digest makes goes through here, so the test can see it never Scans.
  commands = [];
  const recording = {
    send: (command: { constructor: { name: string } }) => {
      commands.push(command.constructor.name);
      return table.doc.send(command as never);
    },
  } as unknown as DynamoDBDocumentClient;
  const handler = createHandler({
    digest: {
      topics: ['ukraine-fund', 'nato-mission', 'us-aid'],
      reader: new DynamoTopicReader({ client: recording, tableName: table.tableName }),
      claims: new DynamoAlertClaims({ client: recording, tableName: table.tableName }),
      publisher: new SnsAlertPublisher({ client: new SNSClient({ region: 'eu-west-1' }), topicArn: 'arn:aws:sns:eu-west-1:1:alerts', pacer: async () => {} }),
      render: { maxItems: 20, queryUrl: 'https://api.example.org' },
      lookbackHours: 48,
    },
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'fundwatch-test', serviceName: 'digest' }),
    now: () => now,
  });
  digest = (event = {}) => handler(event as never, context);

  const at = (publishedAt: string, storedAt: string) => ({ publishedAt, fetchedAt: storedAt, storedAt });
  for (const match of [
    aMatch({ id: 'in-1', title: 'In the window', ...at('2024-04-03T10:00:00.000Z', '2024-04-03T10:05:00.000Z') }),
    aMatch({ id: 'in-late', title: 'Published earlier, first seen in the window', ...at('2024-04-02T20:00:00.000Z', '2024-04-03T12:00:00.000Z') }),
    aMatch({ id: 'in-edge', title: 'Stored exactly 24 h ago', ...at('2024-04-03T06:50:00.000Z', '2024-04-03T07:00:00.000Z') }),
    aMatch({ id: 'out-edge', title: 'Stored just over 24 h ago', ...at('2024-04-03T06:50:00.000Z', '2024-04-03T06:59:59.999Z') }),
    aMatch({ id: 'out-old', title: 'Yesterday’s news', ...at('2024-04-02T08:00:00.000Z', '2024-04-02T08:05:00.000Z') }),
    aMatch({ id: 'out-dup', title: 'A syndicated copy', duplicateOf: 'in-1', alertSuppressed: 'duplicate', ...at('2024-04-03T11:00:00.000Z', '2024-04-03T11:01:00.000Z') }),
    aMatch({ id: 'out-stale', title: 'Stale', alertSuppressed: 'stale', ...at('2024-03-01T11:00:00.000Z', '2024-04-03T11:01:00.000Z') }),
    aMatch({ id: 'tomorrow', title: 'Stored after the digest ran', ...at('2024-04-04T07:20:00.000Z', '2024-04-04T07:30:00.000Z') }),
    aMatch({ id: 'mission-1', title: 'NATO mission takes shape', topics: ['nato-mission'], ...at('2024-04-03T15:00:00.000Z', '2024-04-03T15:02:00.000Z') }),
  ]) {
    await store.putMatch(match);
  }
});

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'ok' });
  commands.length = 0;
});

describe('daily digest', () => {
  it('sends per topic only what was first stored in the last 24 h, reading with Queries only', async () => {
    now = new Date('2024-04-04T07:00:00.000Z');
    await digest({ 'detail-type': 'Scheduled Event' });
    const calls = published();
    expect(calls.map(topicOf)).toEqual(['ukraine-fund', 'nato-mission']);
    for (const call of calls) expect(call.MessageAttributes?.mode).toEqual({ DataType: 'String', StringValue: 'daily' });

    const fund = calls[0]!;
    expect(fund.Subject).toMatch(/^\[fundwatch\] Ukraine fund daily: 3 new — /);
    for (const title of ['In the window', 'Published earlier, first seen in the window', 'Stored exactly 24 h ago']) {
      expect(fund.Message).toContain(title);
    }
    for (const title of ['Stored just over 24 h ago', 'Yesterday’s news', 'A syndicated copy', 'Stale', 'Stored after the digest ran']) {
      expect(fund.Message).not.toContain(title);
    }
    expect(fund.Message).toContain('https://api.example.org/?topic=ukraine-fund&since=2024-04-03T07%3A00%3A00.000Z');
    expect(new Set(commands)).toEqual(new Set(['QueryCommand', 'PutCommand', 'UpdateCommand']));
  });

  it('sends nothing again on a re-run of the same day', async () => {
    now = new Date('2024-04-04T07:05:00.000Z');
    await digest();
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it('picks up the next day what arrived after the previous digest, and a topic with nothing new sends nothing', async () => {
    now = new Date('2024-04-05T07:00:00.000Z');
    await digest();
    expect(published().map(topicOf)).toEqual(['ukraine-fund']);
    expect(published()[0]!.Subject).toBe('[fundwatch] Ukraine fund daily: 1 new — Stored after the digest ran');
  });

  it('fails the invocation when a topic could not be sent, and the retry sends only that topic', async () => {
    await store.putMatch(aMatch({ id: 'd3-fund', ...{ publishedAt: '2024-04-05T09:00:00.000Z', storedAt: '2024-04-05T09:01:00.000Z' } }));
    await store.putMatch(
      aMatch({ id: 'd3-mission', topics: ['nato-mission'], publishedAt: '2024-04-05T10:00:00.000Z', storedAt: '2024-04-05T10:01:00.000Z' }),
    );
    now = new Date('2024-04-06T07:00:00.000Z');
    sns.on(PublishCommand).callsFake((input: PublishCommandInput) => {
      if (topicOf(input) === 'nato-mission') throw new Error('SNS throttled');
      return { MessageId: 'ok' };
    });
    await expect(digest()).rejects.toThrow(/nato-mission/);
    expect(published().map(topicOf)).toEqual(['ukraine-fund', 'nato-mission']);

    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'ok' });
    await digest();
    expect(published().map(topicOf)).toEqual(['nato-mission']);
  });
});
