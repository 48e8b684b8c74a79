import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { createTestTable } from '#tests/support/dynamo.ts';
import { DynamoQueryStore } from '#shared/query/dynamo-query-store.ts';
import { createQueryService } from '#shared/query/service.ts';
import { startApiServer } from '#cli/commands/serve.ts';
import { TOPICS, makeDataset, seed } from './dataset.ts';
import { prng } from '#tests/support/prng.ts';
import { DynamoFeedbackStore } from '#shared/feedback/dynamo-feedback-store.ts';
import { createFeedbackService } from '#shared/feedback/service.ts';
import { localLambdaContext } from '#cli/local-lambda-context.ts';
import { apiEvent, invoker, type Invoke } from './api.ts';

/**
 * Hostile and malformed requests, generated from a fixed seed so a failure replays: whatever
 * arrives, the API answers 2xx or 4xx with a JSON body, never a 5xx.
 */

const SEED = 20240403;
let invoke: Invoke;
let handler: ReturnType<typeof invoker>['handler'];
const realCursors: string[] = [];
const realIds: string[] = [];

beforeAll(async () => {
  const table = await createTestTable('queryfuzz');
  await seed(table.doc, table.tableName, makeDataset(300, 11));
  const service = createQueryService({ store: new DynamoQueryStore({ client: table.doc, tableName: table.tableName }), topics: TOPICS });
  const feedback = createFeedbackService({ store: new DynamoFeedbackStore({ client: table.doc, tableName: table.tableName }), topicIds: TOPICS.map((t) => t.id) });
  ({ invoke, handler } = invoker(service, undefined, { feedback }));
  for (const q of ['limit=3', 'topic=us-aid&limit=2', 'q=fund&limit=1', 'duplicates=include&limit=5']) {
    const page = JSON.parse((await invoke('GET', '/updates', q)).body) as { nextCursor: string; items: { id: string }[] };
    realCursors.push(page.nextCursor);
    realIds.push(...page.items.map((i) => i.id));
  }
});

const NAMES = ['topic', 'since', 'until', 'q', 'minScore', 'lang', 'source', 'limit', 'cursor', 'duplicates', '__proto__', 'constructor', 'toString', 'LIMIT', '', 'a[b]', 'limit[]'];
const PATHS = [
  '/updates', '/updates', '/updates', '/updates.rss', '/updates.json', '/topics', '/feeds', '/', '/assets/app.js', '/updates/', '//updates',
  '/updates/..%2F..%2Fetc%2Fpasswd', '/updates/../feeds', '/updates/%00', '/updates/%E0%A4%A', '/updates/%F0%9F%92%A5', '/updates/a/b',
  '/UPDATES', '/updates.xml', '/updates/' + 'x'.repeat(5000), '/updates/__proto__', '/updates/constructor', '/topics/x', '/feeds/../../',
  '/updates/x/feedback', '/updates/%00/feedback', '/updates//feedback', '/updates/x/feedback/y',
];
const METHODS = ['GET', 'GET', 'GET', 'GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH'];

function generator(seed: number) {
  const rand = prng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
  const randomString = () => {
    const alphabet = 'aZ09-_.~%+&=;,:/?#[]@!$\'()* \t\u00e9\u0142\u0416\u{1F4A5}\u0000\u202e\ud800';
    return Array.from({ length: int(40) }, () => pick([...alphabet])).join('');
  };
  const value = (name: string): string => {
    switch (int(12)) {
      case 0: return randomString();
      case 1: return pick(['0', '-1', '201', '1e3', '1e309', 'NaN', 'Infinity', '99999999999999999999999', '0x10', '1.5', ' 5', '5 ', '０']);
      case 2: return pick(['2024-07-01', '2024-02-30', '2024-07-01T25:00:00Z', '2024-07-01T10:00:00', '0001-01-01', '9999-12-31T23:59:59.999Z', '2024-07-01T10:00:00+99:99', '+275760-09-13T00:00:00.000Z', '2024-W27', '1719792000']);
      case 3: return pick([...TOPICS.map((t) => t.id), 'UKRAINE-FUND', 'ukraine-fund ', '../etc', '__proto__']);
      case 4: return pick(realCursors);
      case 5: {
        const c = pick(realCursors);
        const i = int(c.length);
        return c.slice(0, i) + pick(['A', '_', '-', '']) + c.slice(i + 1);
      }
      case 6: return Buffer.from(JSON.stringify(pick([
        { v: 1, h: 'x', k: { pk: 'FEED#a', sk: 'STATE' } },
        { v: 1, h: 'x', k: { pk: 'ITEM#a', sk: 'ITEM', gsi1pk: 'FEEDS', gsi1sk: 'a' } },
        { v: 1, h: 'x', k: { pk: 'TOPIC#us-aid', sk: 'x'.repeat(3000) } },
        { v: 2 }, [], null, 'string', { v: 1, h: 'x', k: { pk: { S: 'x' }, sk: 1 } }, { __proto__: { polluted: true } },
      ]))).toString('base64url');
      case 7: return 'x'.repeat(pick([201, 2049, 9000]));
      case 8: return pick(['collapse', 'include', 'INCLUDE', 'both']);
      case 9: return pick(['0', '0.5', '1', '1.0000001', '-0', '.5', '0.']);
      case 10: return name === 'q' ? pick(['zełenśkyj', 'BRÜSSEL', '   ', '\u0301', 'a'.repeat(200)]) : randomString();
      default: return '';
    }
  };
  const encode = (s: string) => {
    try {
      return encodeURIComponent(s);
    } catch {
      return '%ED%A0%80';
    }
  };
  return () => {
    const method = pick(METHODS);
    const path = pick(PATHS);
    const parts: string[] = [];
    for (let i = int(5); i > 0; i--) {
      const name = pick(NAMES);
      const raw = rand() < 0.1;
      parts.push(raw ? `${name}=${pick(['%ZZ', '%', '%E0%A4%A', '%00', '+', '%ED%A0%80'])}` : `${encode(name)}=${encode(value(name))}`);
    }
    if (rand() < 0.05) parts.push(parts[0] ?? 'limit=1');
    return { method, path, query: parts.join('&') };
  };
}

function assertSafe(r: { statusCode: number; body: string; headers: Record<string, string> }, label: string) {
  expect(r.statusCode, label).toBeGreaterThanOrEqual(200);
  expect(r.statusCode, label).toBeLessThan(500);
  const type = r.headers['Content-Type'] ?? '';
  if (type.includes('json')) {
    const parsed = JSON.parse(r.body) as Record<string, unknown>;
    if (r.statusCode >= 400) {
      expect(typeof parsed.error, label).toBe('string');
      if (r.statusCode === 400) {
        expect(typeof parsed.parameter, label).toBe('string');
        expect(typeof parsed.message, label).toBe('string');
      }
    }
  } else {
    expect(r.statusCode, label).toBe(200);
    // The feeds, or the web page and its assets.
    expect(type, label).toMatch(/rss\+xml|^text\/(html|javascript|css)|^image\/svg\+xml/);
  }
  // The page's own script and style are code, which may well say "Error:"; answers must not leak one.
  if (!/^text\/(javascript|css)|^image\/svg\+xml/.test(type)) expect(r.body, label).not.toMatch(/at .*\.ts:\d+|Error:|arn:aws/);
}

describe('query API under fuzzed requests', () => {
  it('never answers 5xx to 1500 generated requests', async () => {
    const next = generator(SEED);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 1500; i++) {
      const { method, path, query } = next();
      const r = await invoke(method, path, query);
      statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
      assertSafe(r, `#${i} ${method} ${path}?${query}`);
    }
    // The generator must actually reach the interesting answers, or it tests nothing.
    for (const status of [200, 400, 404, 405]) expect(statuses.get(status) ?? 0).toBeGreaterThan(10);
  });

  it('never answers 5xx to 600 generated label writes, and stores only valid labels', async () => {
    const rand = prng(SEED + 1);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
    const topics = [...TOPICS.map((t) => t.id), 'US-AID', '', '__proto__', 'x'.repeat(300), 7, null];
    const bodies = (): string => {
      if (rand() < 0.25) return pick(['{"verdict":"not-relevant"}', '{"verdict":"topics","topics":["us-aid","nato-meetings","us-aid"]}']);
      const fields: Record<string, unknown> = {};
      if (rand() < 0.9) fields.verdict = pick(['not-relevant', 'topics', 'Topics', '', 1, null, ['topics'], { $ne: 1 }]);
      if (rand() < 0.6) fields.topics = rand() < 0.2 ? pick(['us-aid', 3, {}, null]) : Array.from({ length: Math.floor(rand() * 4) }, () => pick(topics));
      if (rand() < 0.1) fields[pick(['__proto__', 'by', 'at', 'itemId', 'constructor'])] = 'x';
      const text = JSON.stringify(fields);
      return pick([text, text, text, text.slice(0, Math.floor(rand() * text.length)), '', 'null', '"x"', '1e999', '[' .repeat(3000), '{"verdict":"not-relevant"}'.padEnd(5000)]);
    };
    const statuses = new Map<number, number>();
    for (let i = 0; i < 600; i++) {
      const event = apiEvent('POST', `/updates/${encodeURIComponent(rand() < 0.3 ? pick(['no-such-id', '\u00e9', 'x'.repeat(600)]) : pick(realIds))}/feedback`);
      const body = bodies();
      const encoded = rand() < 0.3;
      event.headers = {
        ...event.headers,
        'content-type': pick(['application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/json5', '']),
        ...(rand() < 0.1 ? { origin: pick(['https://api.example.test', 'https://evil.example', 'null']) } : {}),
      };
      event.body = encoded ? Buffer.from(body).toString('base64') : body;
      event.isBase64Encoded = encoded;
      const r = (await handler(event, localLambdaContext('query'))) as { statusCode: number; body: string; headers: Record<string, string> };
      statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
      assertSafe(r, `#${i} POST ${event.rawPath} ${body.slice(0, 80)}`);
      if (r.statusCode === 200) {
        const { feedback } = JSON.parse(r.body) as { feedback: { verdict: string; topics?: string[] } };
        expect(['not-relevant', 'topics']).toContain(feedback.verdict);
        for (const topic of feedback.topics ?? []) expect(TOPICS.map((t) => t.id)).toContain(topic);
      }
    }
    for (const status of [200, 400, 403, 404, 413, 415]) expect(statuses.get(status) ?? 0, `status ${status}`).toBeGreaterThan(3);
  });

  describe('over real loopback HTTP', () => {
    let server: Awaited<ReturnType<typeof startApiServer>>;
    beforeAll(async () => {
      server = await startApiServer({ handler: handler as never, port: 0 });
    });
    afterAll(async () => {
      await server.close();
    });

    const raw = (requestLine: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString('latin1')));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
        socket.write(`${requestLine}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      });

    it('never answers 5xx to malformed request targets', async () => {
      const targets = [
        'GET /updates?limit=%ZZ HTTP/1.1',
        'GET /updates?%=% HTTP/1.1',
        'GET /updates/%2e%2e%2f%2e%2e%2fetc%2fpasswd HTTP/1.1',
        'GET /updates/\u00e9 HTTP/1.1',
        'GET /updates?cursor=' + 'A'.repeat(4000) + ' HTTP/1.1',
        'GET /updates?topic=us-aid&topic=us-aid HTTP/1.1',
        'GET /updates?since=2024-07-01&since=2024-07-02 HTTP/1.1',
        'GET /../../../etc/passwd HTTP/1.1',
        'TRACE /updates HTTP/1.1',
        'GET /updates?q=%C3%A9%CC%81 HTTP/1.1',
      ];
      for (const target of targets) {
        const response = await raw(target);
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);
        expect(status, target).toBeGreaterThanOrEqual(200);
        expect(status, target).toBeLessThan(500);
      }
    });
  });
});
