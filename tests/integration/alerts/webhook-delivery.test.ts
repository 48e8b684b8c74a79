import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import type { SNSEvent } from 'aws-lambda';
import { localLambdaContext } from '#cli/local-lambda-context.ts';
import { createHandler } from '#functions/deliver-webhook.ts';
import { renderAlert } from '#shared/alerts/alert-payload.ts';
import { awsSecretReader } from '#shared/alerts/aws-secret-reader.ts';
import { snsMessageOf } from '#shared/alerts/sns-publisher.ts';
import { cachingSecretReader } from '#shared/alerts/webhook-secrets.ts';
import { parseConfig } from '#shared/config/load.ts';
import type { Resolver } from '#shared/fetch/guarded-agent.ts';
import type { WebhookLimits } from '#shared/fetch/post-webhook.ts';
import type { Match } from '#shared/model.ts';
import { toUpdateView } from '#shared/query/views.ts';
import { startLoopbackServer, type LoopbackServer } from '#tests/integration/fetch/loopback-server.ts';
import { aMatch } from '#tests/support/matches.ts';

/**
 * The delivery Lambda's handler, end to end on loopback: the SNS event as SNS builds it from the
 * publisher's real message, the secret read through the Secrets Manager adapter (mocked: there
 * is no local peer), the POST to a real receiver on 127.0.0.1. Only the limits differ from AWS
 * (loopback and plain http allowed, short timeouts).
 */

const secrets = mockClient(SecretsManagerClient);
let receiver: LoopbackServer;
let elsewhere: LoopbackServer;
const bodies: { path: string; contentType: string | undefined; json: any }[] = [];

const config = parseConfig({
  feeds: [{ url: 'https://news.example.org/feed.xml', name: 'Example News' }],
  subscriptions: [
    { protocol: 'https', name: 'newsroom', secretName: 'fundwatch/newsroom', topics: ['ukraine-fund'] },
    { protocol: 'slack', name: 'ops-slack', secretName: 'fundwatch/ops-slack', topics: ['ukraine-fund'] },
  ],
});

const limits: WebhookLimits = { timeoutMs: 1_000, idleTimeoutMs: 500, allowPrivateHosts: ['127.0.0.1'], requireHttps: false };

function readJson(req: IncomingMessage): Promise<any> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

/** The SNS event a webhook alias receives for one published alert (the `default` message). */
function snsEventFor(matches: Match[]): SNSEvent {
  const email = renderAlert('ukraine-fund', 'instant', matches, { maxItems: 20, topicTitle: () => 'Ukraine fund', queryUrl: 'https://fundwatch.example.org' });
  const published = snsMessageOf(email);
  const message = published.MessageStructure === 'json' ? JSON.parse(published.Message).default : published.Message;
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:eu-west-1:123456789012:alerts:sub',
        Sns: {
          Type: 'Notification',
          MessageId: 'msg-1',
          TopicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts',
          Subject: email.subject,
          Message: message,
          Timestamp: '2024-04-03T09:06:00.000Z',
          SignatureVersion: '1',
          Signature: '',
          SigningCertUrl: '',
          UnsubscribeUrl: '',
          MessageAttributes: { topic: { Type: 'String', Value: 'ukraine-fund' }, mode: { Type: 'String', Value: 'instant' } },
        },
      },
    ],
  };
}

function invoke(alias: string, matches: Match[], overrides: Partial<WebhookLimits> = {}, resolve?: Resolver) {
  const logger = new Logger({ logLevel: 'SILENT' });
  const logged: string[] = [];
  for (const level of ['info', 'warn', 'error'] as const) {
    vi.spyOn(logger, level).mockImplementation((message: unknown, ...rest: unknown[]) => void logged.push(`${level}: ${String(message)} ${JSON.stringify(rest)}`));
  }
  const handler = createHandler({
    subscriptions: config.subscriptions,
    delivery: {
      secrets: cachingSecretReader(awsSecretReader({ secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }), ssm: new SSMClient({ region: 'eu-west-1' }) })),
      limits: { ...limits, ...overrides },
      ...(resolve ? { resolve } : {}),
    },
    logger,
    metrics: new Metrics({ namespace: 'fundwatch-test', serviceName: 'deliver' }),
  });
  const context = { ...localLambdaContext('deliver'), invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:deliver:${alias}` };
  return { run: () => handler(snsEventFor(matches), context), logged };
}

const useSecret = (url: string) => secrets.on(GetSecretValueCommand).resolves({ SecretString: url });

beforeAll(async () => {
  receiver = await startLoopbackServer('127.0.0.1');
  elsewhere = await startLoopbackServer('127.0.0.2');
  const record = (req: IncomingMessage, status: number) =>
    readJson(req).then((json) => bodies.push({ path: req.url ?? '', contentType: req.headers['content-type'], json })).then(() => status);
  receiver.route('/hook', (req, res) => void record(req, 200).then((s) => res.writeHead(s).end('ok')));
  receiver.route('/gone', (req, res) => void record(req, 404).then((s) => res.writeHead(s).end('no_service')));
  receiver.route('/broken', (req, res) => void record(req, 503).then((s) => res.writeHead(s).end('try later')));
  receiver.route('/slow', () => undefined);
  receiver.route('/moved', (_req, res) => res.writeHead(302, { location: `${elsewhere.origin}/hook` }).end());
  elsewhere.route('/hook', (_req, res) => res.writeHead(200).end('ok'));
});
afterAll(async () => {
  await receiver.close();
  await elsewhere.close();
});
beforeEach(() => {
  secrets.reset();
  bodies.length = 0;
});

describe('webhook delivery through the delivery function, to a receiver on 127.0.0.1', () => {
  it('https: POSTs the alert as JSON whose items are the query API match view', async () => {
    useSecret(`${receiver.origin}/hook`);
    const matches = [aMatch({ id: 'a', score: 0.95, scores: { 'ukraine-fund': 0.95 } }), aMatch({ id: 'b', score: 0.7, scores: { 'ukraine-fund': 0.7 } })];
    const { run } = invoke('hook-newsroom', matches);
    await expect(run()).resolves.toEqual({ webhook: 'newsroom', delivered: 1, rejected: 0 });
    expect(bodies).toHaveLength(1);
    const { json, contentType } = bodies[0]!;
    expect(contentType).toBe('application/json; charset=utf-8');
    expect(json).toMatchObject({ type: 'fundwatch.alert', version: 1, topic: 'ukraine-fund', topicTitle: 'Ukraine fund', mode: 'instant', total: 2, more: 0 });
    expect(json.seeAll).toMatch(/^https:\/\/fundwatch\.example\.org\/\?topic=ukraine-fund/);
    // The match view, and where to label each one: the web page's panel for it.
    expect(json.items).toEqual(matches.map((m) => ({ ...toUpdateView(m), feedback: `https://fundwatch.example.org/?feedback=${m.id}` })));
    expect(secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual([{ SecretId: 'fundwatch/newsroom' }]);
  });

  it('slack: text and blocks with titles as links, the why, "and N more" past the cap, and & < > escaped', async () => {
    useSecret(`${receiver.origin}/hook`);
    const matches = Array.from({ length: 12 }, (_, i) =>
      aMatch({
        id: `m${String(i).padStart(2, '0')}`,
        title: i === 0 ? 'Allies <b>agree</b> & fund | ready' : `Story ${i}`,
        link: i === 0 ? 'https://news.example.org/a?x=1&y=<2>|z' : `https://news.example.org/${i}`,
        score: 0.99 - i * 0.01,
        scores: { 'ukraine-fund': 0.99 - i * 0.01 },
        evidence: { 'ukraine-fund': ['concept:fund ← fund', 'rule:alliance-fund'] },
      }),
    );
    await invoke('hook-ops-slack', matches).run();
    const message = bodies[0]!.json;
    expect(Object.keys(message).sort()).toEqual(['blocks', 'text']);
    expect(message.text).toMatch(/^\[fundwatch\] Ukraine fund: 12 new/);
    expect(message.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Ukraine fund: 12 new matches' } });
    const sections = message.blocks.filter((b: { type: string }) => b.type === 'section');
    expect(sections).toHaveLength(10);
    expect(sections[0].text.type).toBe('mrkdwn');
    expect(sections[0].text.text.split('\n')[0]).toBe('*<https://news.example.org/a?x=1&amp;y=&lt;2&gt;%7Cz|Allies &lt;b&gt;agree&lt;/b&gt; &amp; fund | ready>*');
    expect(sections[0].text.text).toContain('_Why:_ fund (rule alliance-fund)');
    expect(sections[0].text.text.split('\n')[1]).toMatch(/ · score 0\.99 · <https:\/\/fundwatch\.example\.org\/\?feedback=m00\|not about this topic\?>$/);
    expect(sections[1].text.text).toMatch(/^\*<https:\/\/news\.example\.org\/1\|Story 1>\*/);
    const context = message.blocks.at(-1);
    expect(context.type).toBe('context');
    expect(context.elements[0].text).toMatch(/^…and 2 more — <https:\/\/fundwatch\.example\.org\/\?topic=ukraine-fund[^|]*\|see all>$/);
  });

  it('5xx: the invocation fails so Lambda retries it, and no log line carries the URL', async () => {
    useSecret(`${receiver.origin}/broken`);
    const { run, logged } = invoke('hook-newsroom', [aMatch()]);
    await expect(run()).rejects.toThrow('webhook "newsroom" failed: 127.0.0.1:' + receiver.port + ' answered 503 (try later)');
    expect(bodies).toHaveLength(1);
    expect(logged.join('\n')).not.toContain('/broken');
  });

  it('4xx: reported as an error naming the status, not thrown (so not retried)', async () => {
    useSecret(`${receiver.origin}/gone`);
    const { run, logged } = invoke('hook-newsroom', [aMatch()]);
    await expect(run()).resolves.toEqual({ webhook: 'newsroom', delivered: 0, rejected: 1 });
    expect(bodies).toHaveLength(1);
    expect(logged.filter((l) => l.startsWith('error:'))).toEqual([expect.stringContaining(`webhook "newsroom" refused the alert: 127.0.0.1:${receiver.port} answered 404 (no_service): not retried`)]);
    expect(logged.join('\n')).not.toContain('/gone');
  });

  it('a receiver that never answers: timed out and thrown for a retry', async () => {
    useSecret(`${receiver.origin}/slow`);
    const started = Date.now();
    await expect(invoke('hook-newsroom', [aMatch()], { timeoutMs: 300, idleTimeoutMs: 5_000 }).run()).rejects.toThrow(/gave no answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('a redirect is not followed (it pointed at another private address), and is reported', async () => {
    useSecret(`${receiver.origin}/moved`);
    const before = elsewhere.connections();
    const { run, logged } = invoke('hook-newsroom', [aMatch()]);
    await expect(run()).resolves.toMatchObject({ rejected: 1 });
    expect(elsewhere.connections()).toBe(before);
    expect(logged.join('\n')).toContain('answered 302: redirects are not followed');
  });

  it.each([
    ['a private address', 'http://10.20.30.40/hook', 'private address not in fetch.allowPrivateHosts'],
    ['cloud metadata', 'http://169.254.169.254/latest', 'cloud metadata address'],
    ['a loopback address not allowed', 'http://127.0.0.2:9/hook', 'loopback address not in fetch.allowPrivateHosts'],
  ])('a secret pointing at %s is refused before connecting', async (_what, url, reason) => {
    useSecret(url);
    const { run, logged } = invoke('hook-newsroom', [aMatch()]);
    await expect(run()).resolves.toMatchObject({ rejected: 1 });
    expect(logged.join('\n')).toContain(reason);
  });

  it('a host name that resolves to a private address is refused at connect time (DNS rebinding)', async () => {
    useSecret('https://hooks.example.net/services/x');
    const rebinding: Resolver = async () => [{ address: '10.0.0.5', family: 4 }];
    const { run, logged } = invoke('hook-newsroom', [aMatch()], { requireHttps: true }, rebinding);
    await expect(run()).resolves.toMatchObject({ rejected: 1 });
    expect(logged.join('\n')).toContain('hooks.example.net resolves to 10.0.0.5: private address not in fetch.allowPrivateHosts');
    expect(logged.join('\n')).not.toContain('/services/x');
  });

  it('on AWS a plain-http webhook is refused', async () => {
    useSecret(`${receiver.origin}/hook`);
    const { run, logged } = invoke('hook-newsroom', [aMatch()], { requireHttps: true });
    await run();
    expect(bodies).toHaveLength(0);
    expect(logged.join('\n')).toContain(`the webhook URL for 127.0.0.1:${receiver.port} must be https`);
  });

  it('an invocation through an alias of no configured webhook fails loudly', async () => {
    await expect(invoke('hook-unknown', [aMatch()]).run()).rejects.toThrow(/no https or slack subscription for the alias/);
  });
});
