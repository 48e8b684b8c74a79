import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { PublishCommand, SNSClient, type PublishCommandInput } from '@aws-sdk/client-sns';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { createHandler } from '#functions/notify.ts';
import { DynamoAlertClaims } from '#shared/alerts/dynamo-claims.ts';
import type { AlertClaims } from '#shared/alerts/ports.ts';
import { createDuplicateFinder } from '#shared/alerts/near-duplicates.ts';
import { SnsAlertPublisher } from '#shared/alerts/sns-publisher.ts';
import { checkpointPathFor, createLocalStreamsClient, readStream } from '#shared/local/stream-reader.ts';
import { alertClaimPk } from '#shared/store/table-design.ts';
import type { Match } from '#shared/model.ts';
import { createTestTable, type TestTable } from '#tests/support/dynamo.ts';
import { aMatch } from '#tests/support/matches.ts';
import { localLambdaContext } from '#cli/local-lambda-context.ts';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:fundwatch-alerts';
const sns = mockClient(SNSClient);
const streamsClients: DynamoDBStreamsClient[] = [];

const context = localLambdaContext('notify', 60_000);

interface Fixture {
  table: TestTable;
  claims: DynamoAlertClaims;
  invoke(records: DynamoDBRecord[]): Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
  /** Stores matches as the poll cycle does and returns the stream records Lambda would get. */
  store(matches: Match[]): Promise<DynamoDBRecord[]>;
}

async function fixture(claimsOverride?: (claims: DynamoAlertClaims) => AlertClaims): Promise<Fixture> {
  const table = await createTestTable('notify');
  const streams = createLocalStreamsClient(table.endpoint);
  streamsClients.push(streams);
  const checkpointPath = checkpointPathFor(await mkdtemp(join(tmpdir(), 'fundwatch-notify-')));
  const realClaims = new DynamoAlertClaims({ client: table.doc, tableName: table.tableName });
  const claims = claimsOverride ? claimsOverride(realClaims) : realClaims;
  const handler = createHandler({
    alerts: {
      claims,
      publisher: new SnsAlertPublisher({ client: new SNSClient({ region: 'eu-west-1' }), topicArn: TOPIC_ARN, pacer: async () => {} }),
      render: {
        maxItems: 20,
        queryUrl: 'https://api.example.org',
        topicTitle: (t) => ({ 'ukraine-fund': 'Ukraine fund', 'nato-mission': 'NATO mission' })[t] ?? t,
      },
    },
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'fundwatch-test', serviceName: 'notify' }),
  });
  return {
    table,
    claims: realClaims,
    invoke: (records) => handler({ Records: records } as DynamoDBStreamEvent, context),
    async store(matches) {
      for (const match of matches) await table.store.putMatch(match);
      const read = await readStream({ client: streams, streamArn: table.streamArn, checkpointPath });
      await read.commit();
      return read.records;
    },
  };
}

async function claimRows(table: TestTable, mode: string, topic: string) {
  const result = await table.doc.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': alertClaimPk(mode, topic) },
      ConsistentRead: true,
    }),
  );
  return new Map((result.Items ?? []).map((item) => [item.sk as string, item]));
}

const published = () => sns.commandCalls(PublishCommand).map((call) => call.args[0].input as PublishCommandInput);
const topicOf = (input: PublishCommandInput) => input.MessageAttributes?.topic?.StringValue;
const seq = (record: DynamoDBRecord) => record.dynamodb!.SequenceNumber!;

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'msg' });
});

afterAll(() => {
  for (const client of streamsClients) client.destroy();
});

describe('notify handler (DynamoDB Local stream and claims, SNS mocked)', () => {
  let f: Fixture;
  let records: DynamoDBRecord[];

  beforeAll(async () => {
    f = await fixture();
    records = await f.store([
      aMatch({ id: 'n-1', title: 'NATO allies back €100bn plan', topics: ['ukraine-fund'] }),
      aMatch({ id: 'n-2', title: 'Hungary objects to fund', topics: ['ukraine-fund'] }),
      aMatch({ id: 'n-3', title: 'NATO to take over aid coordination', topics: ['nato-mission', 'ukraine-fund'] }),
      aMatch({ id: 'n-4', title: 'Old story', topics: ['ukraine-fund'], alertSuppressed: 'stale' }),
    ]);
  });

  it('sends one email per topic with the routing attributes topic and mode', async () => {
    expect(records).toHaveLength(4);
    const response = await f.invoke(records);
    expect(response).toEqual({ batchItemFailures: [] });
    const calls = published();
    expect(calls.map(topicOf)).toEqual(['nato-mission', 'ukraine-fund']);
    for (const input of calls) {
      expect(input.TopicArn).toBe(TOPIC_ARN);
      expect(input.MessageAttributes?.mode).toEqual({ DataType: 'String', StringValue: 'instant' });
      expect(input.Subject!.length).toBeLessThan(100);
    }
    const fund = calls.find((c) => topicOf(c) === 'ukraine-fund')!;
    expect(fund.Subject).toMatch(/^\[fundwatch\] Ukraine fund: 3 new — /);
    expect(fund.Message).toContain('NATO allies back €100bn plan');
    expect(fund.Message).not.toContain('Old story');
    expect(calls.find((c) => topicOf(c) === 'nato-mission')!.Subject).toBe(
      '[fundwatch] NATO mission: 1 new — NATO to take over aid coordination',
    );
    const rows = await claimRows(f.table, 'instant', 'ukraine-fund');
    expect([...rows.keys()].sort()).toEqual(['n-1', 'n-2', 'n-3']);
    for (const row of rows.values()) {
      expect(row.status).toBe('sent');
      expect(row.expiresAt).toBeGreaterThan(Date.now() / 1000 + 29 * 86_400);
    }
  });

  it('sends nothing twice when the same batch is delivered again', async () => {
    expect(await f.invoke(records)).toEqual({ batchItemFailures: [] });
    expect(await f.invoke([...records].reverse())).toEqual({ batchItemFailures: [] });
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });
});

describe('a failing publish', () => {
  it('fails exactly the records of that topic, releases their claims, and the retry sends once', async () => {
    const f = await fixture();
    const records = await f.store([
      aMatch({ id: 'p-1', topics: ['ukraine-fund'] }),
      aMatch({ id: 'p-2', topics: ['nato-mission'] }),
      aMatch({ id: 'p-3', topics: ['ukraine-fund', 'nato-mission'] }),
      aMatch({ id: 'p-4', topics: ['ukraine-fund'] }),
    ]);
    sns.on(PublishCommand).callsFake((input: PublishCommandInput) => {
      if (topicOf(input) === 'nato-mission') throw Object.assign(new Error('SNS is down'), { name: 'InternalErrorException' });
      return { MessageId: 'ok' };
    });

    const first = await f.invoke(records);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: seq(records[1]!) }, { itemIdentifier: seq(records[2]!) }]);
    expect((await claimRows(f.table, 'instant', 'nato-mission')).size).toBe(0);
    const fundClaims = await claimRows(f.table, 'instant', 'ukraine-fund');
    expect([...fundClaims.values()].map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);

    // Lambda retries from the lowest failed sequence number: records 2..4 come again.
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'ok' });
    const retry = await f.invoke(records.slice(1));
    expect(retry).toEqual({ batchItemFailures: [] });
    expect(published().map(topicOf)).toEqual(['nato-mission']);
    expect(published()[0]!.Subject).toMatch(/: 2 new — /);

    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'ok' });
    expect(await f.invoke(records)).toEqual({ batchItemFailures: [] });
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it('reports every failed record in the partial-batch response the event source mapping retries and sends to the DLQ', async () => {
    const f = await fixture();
    const records = await f.store([aMatch({ id: 'd-1' }), aMatch({ id: 'd-2', topics: ['nato-mission'] })]);
    const corrupt: DynamoDBRecord = {
      ...records[0]!,
      eventID: 'corrupt',
      dynamodb: { ...records[0]!.dynamodb, SequenceNumber: '999999999999999999999', NewImage: { rowType: { S: 'match' } } },
    };
    const topicRow: DynamoDBRecord = {
      ...records[0]!,
      eventID: 'topic-row',
      dynamodb: { ...records[0]!.dynamodb, SequenceNumber: '1', NewImage: { rowType: { S: 'topic-entry' }, id: { S: 'x' } } },
    };
    sns.on(PublishCommand).rejects(new Error('KMS key disabled'));

    const response = await f.invoke([...records, topicRow, corrupt]);
    // The shape Lambda reads with ReportBatchItemFailures: sequence numbers of the failed records.
    expect(response).toStrictEqual({
      batchItemFailures: [
        { itemIdentifier: seq(records[0]!) },
        { itemIdentifier: seq(records[1]!) },
        { itemIdentifier: '999999999999999999999' },
      ],
    });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect((await claimRows(f.table, 'instant', 'ukraine-fund')).size).toBe(0);
    expect((await claimRows(f.table, 'instant', 'nato-mission')).size).toBe(0);
  });
});

describe('the at-least-once window', () => {
  it('resends at most once when the claims could not be marked sent after a Publish', async () => {
    let failMark = true;
    const f = await fixture((claims) => ({
      claim: (...a) => claims.claim(...a),
      release: (...a) => claims.release(...a),
      markSent: async (...a) => {
        if (failMark) throw new Error('DynamoDB unavailable');
        return claims.markSent(...a);
      },
    }));
    const records = await f.store([aMatch({ id: 'w-1' })]);
    // The email went out: the record must not fail, or the retry would certainly resend.
    expect(await f.invoke(records)).toEqual({ batchItemFailures: [] });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect((await claimRows(f.table, 'instant', 'ukraine-fund')).get('w-1')?.status).toBe('pending');

    failMark = false;
    await f.invoke(records);
    await f.invoke(records);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect((await claimRows(f.table, 'instant', 'ukraine-fund')).get('w-1')?.status).toBe('sent');
  });
});

describe('syndicated copies', () => {
  it('alert once: the poll cycle marks four of five copies as duplicates and only the first is emailed', async () => {
    const f = await fixture();
    const wire =
      'NATO foreign ministers meeting in Brussels discussed a proposal by Secretary General Jens Stoltenberg to create ' +
      'a five-year, 100-billion-euro fund for Ukraine and to have the alliance take over the coordination of military aid.';
    const copies = [
      aMatch({ id: 's-1', source: 'Wire', title: 'NATO weighs 100-billion-euro fund for Ukraine', summary: wire }),
      aMatch({ id: 's-2', source: 'Outlet B', title: 'Allies debate €100bn Ukraine fund', summary: wire }),
      aMatch({ id: 's-3', source: 'Outlet C', title: 'Stoltenberg pitches Ukraine fund to ministers', summary: wire }),
      aMatch({ id: 's-4', source: 'Outlet D', title: 'NATO weighs 100-billion-euro fund for Ukraine', summary: `${wire} Talks continue in June.` }),
      aMatch({ id: 's-5', source: 'Outlet B', title: 'UPDATE: NATO weighs Ukraine fund', summary: wire }),
    ];
    // What the poll cycle does with the finder before storing.
    const finder = createDuplicateFinder([], { windowHours: 72 });
    for (const copy of copies) {
      const first = finder.firstReportOf(copy);
      if (first) Object.assign(copy, { duplicateOf: first, alertSuppressed: 'duplicate' });
      finder.add(copy);
    }
    expect(copies.map((c) => c.duplicateOf)).toEqual([undefined, 's-1', 's-1', 's-1', 's-1']);

    const records = await f.store(copies);
    expect(await f.invoke(records)).toEqual({ batchItemFailures: [] });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(published()[0]!.Subject).toBe('[fundwatch] Ukraine fund: 1 new — NATO weighs 100-billion-euro fund for Ukraine');
    expect(published()[0]!.Message).toContain('Wire ·');
    expect(published()[0]!.Message).not.toContain('Outlet');
  });
});
