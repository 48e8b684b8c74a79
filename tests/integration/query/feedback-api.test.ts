import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, type IncomingHttpHeaders } from 'node:http';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createHandler } from '#functions/query.ts';
import { startApiServer } from '#cli/commands/serve.ts';
import { localLambdaContext } from '#cli/local-lambda-context.ts';
import { DynamoFeedbackStore } from '#shared/feedback/dynamo-feedback-store.ts';
import { createFeedbackService } from '#shared/feedback/service.ts';
import { createQueryService } from '#shared/query/service.ts';
import { DynamoQueryStore } from '#shared/query/dynamo-query-store.ts';
import { KEY, MATCH_SK, matchPk } from '#shared/store/table-design.ts';
import { createTestTable, type TestTable } from '#tests/support/dynamo.ts';
import { aMatch } from '#tests/support/matches.ts';
import { TOPICS } from './dataset.ts';
import { apiEvent, quietLogger } from './api.ts';

/**
 * `POST /updates/{id}/feedback` and `GET /updates/{id}/feedback`: the query handler on DynamoDB
 * Local, called as API Gateway calls it (IAM caller in the request context) and through
 * `fundwatch serve`'s loopback server as a browser reaches it.
 */

let table: TestTable;
let store: DynamoFeedbackStore;
let handler: ReturnType<typeof createHandler>;
let server: Awaited<ReturnType<typeof startApiServer>>;
const topicIds = TOPICS.map((t) => t.id);

beforeAll(async () => {
  table = await createTestTable('feedbackapi');
  await table.store.putMatches(['fa-1', 'fa-2', 'fa-3', 'fa-4', 'fa-gone'].map((id) => aMatch({ id, topics: ['nato-meetings'] })));
  store = new DynamoFeedbackStore({ client: table.doc, tableName: table.tableName });
  handler = createHandler({
    service: createQueryService({ store: new DynamoQueryStore({ client: table.doc, tableName: table.tableName }), topics: TOPICS }),
    feedback: createFeedbackService({ store, topicIds }),
    localCaller: 'analyst-on-laptop',
    logger: quietLogger(),
  });
  server = await startApiServer({ handler: handler as never, port: 0 });
});

afterAll(async () => {
  await server?.close();
});

type Reply = { statusCode: number; headers: Record<string, string>; body: string };

/** As API Gateway hands a signed request to the Lambda: JSON text, the IAM caller in the context. */
async function viaApiGateway(method: string, path: string, body?: string, headers: Record<string, string> = { 'content-type': 'application/json' }, userArn?: string): Promise<Reply> {
  const event = apiEvent(method, path);
  event.headers = { ...event.headers, ...headers };
  if (body !== undefined) event.body = body;
  if (userArn) {
    (event.requestContext as APIGatewayProxyEventV2['requestContext'] & { authorizer: unknown }).authorizer = {
      iam: { accessKey: 'AKIDEXAMPLE', accountId: '123456789012', callerId: 'AIDAEXAMPLE', userArn, userId: 'AIDAEXAMPLE' },
    };
  }
  return (await handler(event, localLambdaContext('query'))) as Reply;
}

/** A raw HTTP request to the loopback server, with exactly the headers given (fetch would add its own). */
function viaLoopback(method: string, path: string, options: { body?: string; headers?: Record<string, string> } = {}) {
  const { port } = new URL(server.url);
  return new Promise<{ status: number; headers: IncomingHttpHeaders; json: Record<string, unknown> }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(Buffer.concat(chunks).toString() || '{}') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const selfOrigin = () => server.url;
const json = (reply: Reply) => JSON.parse(reply.body) as Record<string, unknown>;

describe('feedback through the API', () => {
  it('records a label from the IAM caller and reads it back; the last label wins', async () => {
    const arn = 'arn:aws:sts::123456789012:assumed-role/Analyst/ana';
    const first = await viaApiGateway('POST', '/updates/fa-1/feedback', '{"verdict":"topics","topics":["us-aid","nato-meetings"]}', undefined, arn);
    expect(first.statusCode).toBe(200);
    expect(json(first).feedback).toMatchObject({ itemId: 'fa-1', verdict: 'topics', topics: ['nato-meetings', 'us-aid'], by: arn });
    expect(await store.feedbackOf('fa-1')).toEqual(json(first).feedback);

    const last = await viaApiGateway('POST', '/updates/fa-1/feedback', '{"verdict":"not-relevant"}', undefined, arn);
    expect(json(last).feedback).toMatchObject({ verdict: 'not-relevant', by: arn });
    const read = await viaApiGateway('GET', '/updates/fa-1/feedback');
    expect(read.statusCode).toBe(200);
    expect(read.headers['Cache-Control']).toBe('no-store');
    expect(json(read)).toEqual({ feedback: json(last).feedback });
    expect((await store.labelledMatches()).find((m) => m.feedback.itemId === 'fa-1')?.feedback.verdict).toBe('not-relevant');
  });

  it('says a match without a label has none, and an unknown id is 404 for both methods', async () => {
    expect(json(await viaApiGateway('GET', '/updates/fa-2/feedback'))).toEqual({ feedback: null });
    const unknownGet = await viaApiGateway('GET', '/updates/nope/feedback');
    expect(unknownGet.statusCode).toBe(404);
    expect(json(unknownGet)).toEqual({ error: 'not_found', message: 'no stored match with id "nope"' });
    expect((await viaApiGateway('POST', '/updates/nope/feedback', '{"verdict":"not-relevant"}')).statusCode).toBe(404);
  });

  it('answers a match that expired between the page loading and the click with 404, creating nothing', async () => {
    await table.doc.send(new DeleteCommand({ TableName: table.tableName, Key: { [KEY.pk]: matchPk('fa-gone'), [KEY.sk]: MATCH_SK } }));
    const reply = await viaApiGateway('POST', '/updates/fa-gone/feedback', '{"verdict":"not-relevant"}');
    expect(reply.statusCode).toBe(404);
    expect((await store.labelledMatches()).map((m) => m.feedback.itemId)).not.toContain('fa-gone');
  });

  it.each([
    ['not JSON', '{"verdict":', 400, { error: 'bad_request', parameter: 'body' }],
    ['an unknown topic', '{"verdict":"topics","topics":["us-aids"]}', 400, { parameter: 'topics' }],
    ['no topics', '{"verdict":"topics","topics":[]}', 400, { parameter: 'topics' }],
    ['an unknown verdict', '{"verdict":"meh"}', 400, { parameter: 'verdict' }],
    ['an extra field', '{"verdict":"not-relevant","note":"spam"}', 400, { parameter: 'note' }],
    ['a JSON array', '[]', 400, { parameter: 'body' }],
    ['an oversized body', JSON.stringify({ verdict: 'not-relevant', pad: 'x'.repeat(5000) }), 413, { error: 'payload_too_large' }],
  ])('refuses %s with a 4xx naming what was wrong, and leaves the label as it was', async (_, body, status, shape) => {
    const before = await store.feedbackOf('fa-2');
    const reply = await viaApiGateway('POST', '/updates/fa-2/feedback', body);
    expect(reply.statusCode).toBe(status);
    expect(json(reply)).toMatchObject(shape);
    expect(await store.feedbackOf('fa-2')).toEqual(before);
  });

  it('refuses a body that is not declared JSON (what a cross-site form sends) with 415', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp']) {
      const reply = await viaApiGateway('POST', '/updates/fa-2/feedback', '{"verdict":"not-relevant"}', { 'content-type': type });
      expect(reply.statusCode, type).toBe(415);
      expect(json(reply)).toMatchObject({ error: 'unsupported_media_type' });
    }
    expect((await viaApiGateway('POST', '/updates/fa-2/feedback', '{"verdict":"not-relevant"}', {})).statusCode).toBe(415);
    expect(await store.feedbackOf('fa-2')).toBeNull();
    expect((await viaApiGateway('POST', '/updates/fa-2/feedback', '{"verdict":"not-relevant"}', { 'content-type': 'Application/JSON; charset=utf-8' })).statusCode).toBe(200);
  });

  it('answers other methods on the feedback path with 405 and Allow', async () => {
    const reply = await viaApiGateway('DELETE', '/updates/fa-3/feedback');
    expect(reply.statusCode).toBe(405);
    expect(reply.headers.Allow).toBe('GET, POST');
  });
});

describe('feedback through fundwatch serve, as a browser reaches it', () => {
  const label = '{"verdict":"topics","topics":["ukraine-fund"]}';

  it('accepts the page\'s own writes (same origin, by either loopback name) and labels them as the local user', async () => {
    const reply = await viaLoopback('POST', '/updates/fa-3/feedback', {
      body: label,
      headers: { 'content-type': 'application/json', origin: selfOrigin(), 'sec-fetch-site': 'same-origin' },
    });
    expect(reply.status).toBe(200);
    expect(reply.json.feedback).toMatchObject({ verdict: 'topics', topics: ['ukraine-fund'], by: 'analyst-on-laptop' });
    const port = new URL(server.url).port;
    const byName = await viaLoopback('POST', '/updates/fa-3/feedback', {
      body: '{"verdict":"not-relevant"}',
      headers: { host: `localhost:${port}`, 'content-type': 'application/json', origin: `http://localhost:${port}`, 'sec-fetch-site': 'same-origin' },
    });
    expect(byName.status).toBe(200);
    expect((await store.feedbackOf('fa-3'))?.verdict).toBe('not-relevant');
  });

  it.each([
    ['another site\'s page', { origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' }],
    ['a sibling site', { origin: 'http://127.0.0.1:1', 'sec-fetch-site': 'same-site' }],
    ['a foreign Origin alone', { origin: 'https://attacker.example' }],
    ['a sandboxed frame', { origin: 'null' }],
    ['Sec-Fetch-Site alone', { 'sec-fetch-site': 'cross-site' }],
  ])('refuses a write from %s with 403 and records nothing', async (_, headers) => {
    const reply = await viaLoopback('POST', '/updates/fa-4/feedback', { body: label, headers: { 'content-type': 'application/json', ...headers } });
    expect(reply.status).toBe(403);
    expect(reply.json).toMatchObject({ error: 'forbidden' });
    expect(await store.feedbackOf('fa-4')).toBeNull();
  });

  it('refuses a foreign Host (DNS rebinding) for reads and writes alike', async () => {
    expect((await viaLoopback('GET', '/updates/fa-4/feedback')).status).toBe(200);
    const rebound = await viaLoopback('POST', '/updates/fa-4/feedback', {
      body: label,
      headers: { host: 'attacker.example:8787', origin: 'http://attacker.example:8787', 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' },
    });
    expect(rebound.status).toBe(403);
    expect((await viaLoopback('GET', '/updates', { headers: { host: 'attacker.example:8787' } })).status).toBe(403);
    expect(await store.feedbackOf('fa-4')).toBeNull();
  });

  it('accepts a client that is not a browser (no Origin, no Sec-Fetch-Site), such as curl', async () => {
    const reply = await viaLoopback('POST', '/updates/fa-4/feedback', { body: label, headers: { 'content-type': 'application/json' } });
    expect(reply.status).toBe(200);
    expect((await store.feedbackOf('fa-4'))?.topics).toEqual(['ukraine-fund']);
  });
});
