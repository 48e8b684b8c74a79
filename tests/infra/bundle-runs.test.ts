import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, Duration, Stack } from 'aws-cdk-lib';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { FundwatchFunction } from '#infra/constructs/fundwatch-function.ts';
import { FUNCTION_ENV } from '#infra/outputs.ts';
import { defaultTopicPack } from '#shared/classify/topic-pack.ts';
import type { FixtureServer } from '#shared/local/fixture-server.ts';
import { createTestTable, type TestTable } from '#tests/support/dynamo.ts';
import { sampleConfig, startSampleFeeds } from '#tests/support/fixture-feeds.ts';
import { aMatch } from '#tests/support/matches.ts';
import { apiEvent } from '#tests/integration/query/api.ts';
import { decodeFeedBatch, encodeFeedBatch } from '#shared/fanout/feed-batch.ts';

const execFileAsync = promisify(execFile);

/**
 * The deployed artefacts, not their source: the ESM bundles esbuild makes at synth (the SDK
 * inside, config compiled in), each imported in a fresh Node process the way the Lambda runtime
 * does and invoked with an event and a Lambda context. Only the DynamoDB endpoint differs:
 * `AWS_ENDPOINT_URL_DYNAMODB` sends the SDK to DynamoDB Local. What only a bundle can get wrong
 * (a `require` left in ESM, a lazy import, an environment variable, the compiled-in config)
 * fails here rather than on the first scheduled run. notify and digest publish to SNS, which has
 * no local peer: here they run with nothing to send (their sending is tested from source with a
 * mocked SNS client, tests/integration/alerts).
 */

let feeds: FixtureServer;
let table: TestTable;
let outdir: string;
let poll: FundwatchFunction;
let query: FundwatchFunction;
let notify: FundwatchFunction;
let digest: FundwatchFunction;
let worker: FundwatchFunction;
let dispatcher: FundwatchFunction;
let deliver: FundwatchFunction;

beforeAll(async () => {
  feeds = await startSampleFeeds();
  table = await createTestTable('bundle');
  outdir = mkdtempSync(join(tmpdir(), 'fundwatch-bundle-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'BundleRun');
  const common = { config: sampleConfig(feeds), topicPackJson: JSON.stringify(defaultTopicPack()), timeout: Duration.minutes(1), memorySize: 512 };
  poll = new FundwatchFunction(stack, 'Poll', { entry: 'functions/poll.ts', description: 'poll bundle under test', ...common });
  query = new FundwatchFunction(stack, 'Query', { entry: 'functions/query.ts', description: 'query bundle under test', ...common });
  notify = new FundwatchFunction(stack, 'Notify', { entry: 'functions/notify.ts', description: 'notify bundle under test', ...common });
  digest = new FundwatchFunction(stack, 'Digest', { entry: 'functions/digest.ts', description: 'digest bundle under test', ...common });
  worker = new FundwatchFunction(stack, 'Worker', { entry: 'functions/poll-worker.ts', description: 'worker bundle under test', ...common });
  dispatcher = new FundwatchFunction(stack, 'Dispatcher', { entry: 'functions/dispatch.ts', description: 'dispatcher bundle under test', ...common });
  const withWebhook = { ...common.config, subscriptions: [{ protocol: 'slack' as const, name: 'ops-slack', secretName: 'fundwatch/ops-slack', secretStore: 'secrets-manager' as const, topics: ['ukraine-fund'], mode: 'instant' as const }] };
  deliver = new FundwatchFunction(stack, 'Deliver', { entry: 'functions/deliver-webhook.ts', description: 'webhook delivery bundle under test', ...common, config: withWebhook });
  app.synth();
}, 120_000);

afterAll(async () => {
  await feeds?.close();
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

/** Imports `fn`'s bundle in a fresh Node process as the Lambda runtime would and invokes it once. */
async function invokeBundle(
  fn: FundwatchFunction,
  event: unknown,
  tableName = table.tableName,
  env: Record<string, string> = {},
  invokedFunctionArn = 'arn:aws:lambda:eu-west-1:123456789012:function:fundwatch-test',
): Promise<Record<string, unknown>> {
  const bundle = join(outdir, (fn.node.findChild('Code') as Asset).assetPath, 'index.mjs');
  const script = `
    const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
    const context = {
      functionName: 'fundwatch-test', functionVersion: '$LATEST', memoryLimitInMB: '512', awsRequestId: 'test-request',
      invokedFunctionArn: ${JSON.stringify(invokedFunctionArn)},
      logGroupName: '/aws/lambda/fundwatch-test', logStreamName: 'test', callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => 60_000,
    };
    const result = await handler(${JSON.stringify(event)}, context);
    process.stdout.write('\\nresult: ' + JSON.stringify(result) + '\\n');
  `;
  const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '--eval', script], {
    timeout: 60_000,
    env: {
      PATH: process.env.PATH,
      AWS_LAMBDA_FUNCTION_NAME: 'fundwatch-test',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
      [FUNCTION_ENV.tableName]: tableName,
      [FUNCTION_ENV.alertTopicArn]: 'arn:aws:sns:eu-west-1:123456789012:fundwatch-alerts',
      // No SNS here: a publish these runs should not make fails at once instead of waiting.
      AWS_ENDPOINT_URL_SNS: 'http://127.0.0.1:9',
      [FUNCTION_ENV.serviceName]: 'fundwatch',
      [FUNCTION_ENV.metricsNamespace]: 'fundwatch',
      ...env,
    },
  });
  const line = stdout.split('\n').find((l) => l.startsWith('result: '));
  if (!line) throw new Error(`the handler printed no result:\n${stdout.slice(-2000)}`);
  return JSON.parse(line.slice('result: '.length)) as Record<string, unknown>;
}

describe('the Lambda bundles, run as Lambda runs them', () => {
  it('poll: fetches the sample feeds on loopback and stores its matches in DynamoDB Local', async () => {
    const summary = await invokeBundle(poll, { source: 'aws.events', 'detail-type': 'Scheduled Event' });
    expect(summary.fetched).toBe(3);
    // The fourth sample feed does not exist on the server: a broken feed, reported, not fatal.
    expect(summary.failed).toBe(1);
    expect(summary.stored).toBeGreaterThan(0);
    const stored = await table.store.recentMatches('2000-01-01T00:00:00.000Z', 100);
    expect(stored.filter((m) => m.feedUrl.startsWith(feeds.url))).toHaveLength(summary.stored as number);
  });

  it('query: answers GET /updates from DynamoDB Local', async () => {
    await table.store.putMatch(aMatch({ id: 'bundle-listed', topics: ['nato-meetings'], publishedAt: new Date().toISOString() }));
    const response = await invokeBundle(query, apiEvent('GET', '/updates', 'topic=nato-meetings&limit=5'));
    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body as string) as { items: { id: string }[] };
    expect(body.items.map((item) => item.id)).toContain('bundle-listed');
  });

  it('notify and digest: start, run and answer with nothing to send', async () => {
    expect(await invokeBundle(notify, { Records: [] })).toEqual({ batchItemFailures: [] });
    const empty = await createTestTable('bundle-digest');
    const report = await invokeBundle(digest, { source: 'aws.events', 'detail-type': 'Scheduled Event' }, empty.tableName);
    expect(report.sent).toEqual([]);
    expect(report.failed).toEqual([]);
  });

  it('deliver: starts with its secret clients and reports, without retrying, a message that is no fundwatch alert', async () => {
    const event = { Records: [{ EventSource: 'aws:sns', Sns: { MessageId: 'm-1', Message: 'plain text, not an alert' } }] };
    const summary = await invokeBundle(deliver, event, table.tableName, {}, 'arn:aws:lambda:eu-west-1:123456789012:function:fundwatch-test:hook-ops-slack');
    expect(summary).toEqual({ webhook: 'ops-slack', delivered: 0, rejected: 1 });
  });

  it('poll worker: polls the feed batch of an SQS record and fails back the record that is not one', async () => {
    const fresh = await createTestTable('bundle-worker');
    const urls = sampleConfig(feeds).feeds.map((f) => f.url);
    const body = encodeFeedBatch({ feeds: urls, dispatchedAt: new Date().toISOString() });
    const record = (messageId: string, text: string) => ({ messageId, receiptHandle: `r-${messageId}`, body: text, attributes: {}, messageAttributes: {}, eventSource: 'aws:sqs' });
    const response = await invokeBundle(worker, { Records: [record('good', body), record('junk', '{"not":"a batch"}')] }, fresh.tableName);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'junk' }] });
    const stored = await fresh.store.recentMatches('2000-01-01T00:00:00.000Z', 100);
    expect(stored.length).toBeGreaterThan(0);
  });

  it('dispatcher: sends the configured feeds to the queue in one SendMessageBatch', async () => {
    const sqs = await startFakeSqs();
    try {
      const summary = await invokeBundle(dispatcher, { source: 'aws.events', 'detail-type': 'Scheduled Event' }, table.tableName, {
        AWS_ENDPOINT_URL_SQS: sqs.url,
        [FUNCTION_ENV.feedBatchQueueUrl]: `${sqs.url}/123456789012/fundwatch-feed-batches`,
      });
      expect(summary).toMatchObject({ feeds: 4, batches: 1 });
      expect(sqs.requests).toHaveLength(1);
      expect(sqs.requests[0]!.target).toBe('AmazonSQS.SendMessageBatch');
      const entries = sqs.requests[0]!.body.Entries as { MessageBody: string }[];
      expect(decodeFeedBatch(entries[0]!.MessageBody).feeds).toEqual(sampleConfig(feeds).feeds.map((f) => f.url));
    } finally {
      await sqs.close();
    }
  });
});

/**
 * SQS's JSON protocol on loopback, answering SendMessageBatch as SQS does (with the MD5 of each
 * body, which the SDK checks), so the dispatcher's bundle is seen making its real call.
 */
async function startFakeSqs(): Promise<{ url: string; requests: { target: string; body: Record<string, unknown> }[]; close(): Promise<void> }> {
  const requests: { target: string; body: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: { Id: string; MessageBody: string }[] };
      requests.push({ target: String(req.headers['x-amz-target']), body });
      const successful = (body.Entries ?? []).map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: createHash('md5').update(e.MessageBody).digest('hex') }));
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ Successful: successful, Failed: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
