import { beforeAll, afterAll, describe, expect, it, vi } from 'vitest';
import Parser from 'rss-parser';
import type { Match } from '#shared/model.ts';
import { createTestTable, type TestTable } from '#tests/support/dynamo.ts';
import { aMatch } from '#tests/support/matches.ts';
import { DynamoQueryStore } from '#shared/query/dynamo-query-store.ts';
import { createQueryService, type QueryService } from '#shared/query/service.ts';
import { startApiServer } from '#cli/commands/serve.ts';
import { TOPICS, duplicateCounts, makeDataset, newestFirst, seed } from './dataset.ts';
import { invoker, quietLogger, type Invoke } from './api.ts';

let table: TestTable;
let service: QueryService;
let invoke: Invoke;
let handler: ReturnType<typeof invoker>['handler'];
let data: Match[];

const HOSTILE = aMatch({
  id: 'hostile',
  title: 'Fund <script>alert(1)</script> & "quotes" ]]> \u0001\u0007 end',
  summary: 'Summary with <b>tags</b> & entities &amp; \uFFFE',
  link: 'javascript:alert(1)',
  publishedAt: '2024-08-01T00:00:00.000Z',
  topics: ['us-aid'],
});

beforeAll(async () => {
  table = await createTestTable('queryhttp');
  data = [...makeDataset(400, 3), HOSTILE];
  await seed(table.doc, table.tableName, data);
  service = createQueryService({ store: new DynamoQueryStore({ client: table.doc, tableName: table.tableName }), topics: TOPICS });
  ({ invoke, handler } = invoker(service));
});

const body = (r: { body: string }) => JSON.parse(r.body) as Record<string, unknown>;

describe('query API handler', () => {
  it('lists updates as JSON with security headers', async () => {
    const r = await invoke('GET', '/updates', 'limit=10&duplicates=include');
    expect(r.statusCode).toBe(200);
    expect(r.headers['Content-Type']).toMatch(/^application\/json/);
    expect(r.headers['X-Content-Type-Options']).toBe('nosniff');
    expect(r.headers['Strict-Transport-Security']).toMatch(/max-age=/);
    const page = body(r) as { items: { id: string; title: string; link: string | null; source: string; publishedAt: string; topics: string[]; score: number; duplicateOf: string | null }[]; nextCursor: string };
    expect(page.items.map((i) => i.id)).toEqual([...data].sort(newestFirst).slice(0, 10).map((m) => m.id));
    for (const key of ['id', 'title', 'link', 'source', 'publishedAt', 'topics', 'score', 'duplicateOf']) expect(page.items[0]).toHaveProperty(key);
    expect(typeof page.nextCursor).toBe('string');
  });

  it('answers bad parameters with 400 naming the parameter', async () => {
    const r = await invoke('GET', '/updates', 'limit=0');
    expect(r.statusCode).toBe(400);
    expect(body(r)).toEqual({ error: 'bad_request', parameter: 'limit', message: 'expected an integer from 1 to 200' });
    expect(body(await invoke('GET', '/updates', 'topic=a&topic=b'))).toMatchObject({ error: 'bad_request', parameter: 'topic' });
    expect(body(await invoke('GET', '/updates.rss', 'since=yesterday'))).toMatchObject({ parameter: 'since' });
    expect(body(await invoke('GET', '/updates', 'colour=red'))).toMatchObject({ parameter: 'colour' });
    expect((await invoke('GET', '/updates', 'since=2024-07-02&until=2024-07-01')).statusCode).toBe(400);
  });

  it('answers an unknown route 404, a wrong method 405 with Allow, an unknown id 404', async () => {
    const missing = await invoke('GET', '/nothing-here');
    expect(missing.statusCode).toBe(404);
    expect(body(missing)).toMatchObject({ error: 'not_found' });
    const post = await invoke('POST', '/updates');
    expect(post.statusCode).toBe(405);
    expect(post.headers.Allow).toBe('GET');
    expect(body(post)).toMatchObject({ error: 'method_not_allowed' });
    expect((await invoke('DELETE', '/updates/abc')).statusCode).toBe(405);
    const unknown = await invoke('GET', '/updates/no-such-id');
    expect(unknown.statusCode).toBe(404);
    expect(body(unknown)).toMatchObject({ error: 'not_found' });
  });

  it('serves one update, the topics and the feeds', async () => {
    const withDups = data.find((m) => data.some((d) => d.duplicateOf === m.id))!;
    const detail = await invoke('GET', `/updates/${encodeURIComponent(withDups.id)}`);
    expect(detail.statusCode).toBe(200);
    expect(body(detail)).toMatchObject({ id: withDups.id, evidence: withDups.evidence });
    expect((body(detail).duplicates as unknown[]).length).toBe(data.filter((d) => d.duplicateOf === withDups.id).length);
    // The default listing carries each first report's stored duplicate count.
    const listing = body(await invoke('GET', '/updates', 'limit=200')) as { items: { id: string; duplicateOf: string | null; duplicateCount: number }[] };
    const counts = duplicateCounts(data);
    expect(listing.items.some((i) => i.duplicateCount > 1)).toBe(true);
    for (const item of listing.items) expect([item.duplicateOf, item.duplicateCount]).toEqual([null, counts.get(item.id) ?? 0]);
    const topics = body(await invoke('GET', '/topics')) as { topics: { id: string; counts: Record<string, number> }[] };
    expect(topics.topics.map((t) => t.id)).toEqual(TOPICS.map((t) => t.id));
    expect(topics.topics[0]!.counts).toHaveProperty('last7d');
    expect(body(await invoke('GET', '/feeds'))).toEqual({ feeds: [] });
  });

  it('never shows internals of an unexpected error: 500 {"error":"internal"}, logged', async () => {
    const logger = quietLogger();
    const logged = vi.spyOn(logger, 'error');
    const broken: QueryService = { ...service, listUpdates: async () => { throw new Error('secret table arn:aws:dynamodb:eu-west-1:1:table/x'); } };
    const r = await invoker(broken, logger).invoke('GET', '/updates');
    expect(r.statusCode).toBe(500);
    expect(r.body).toBe('{"error":"internal"}');
    expect(logged).toHaveBeenCalled();
  });

  it('renders a well-formed RSS 2.0 feed with atom:link rel=self, hostile text escaped', async () => {
    const r = await invoke('GET', '/updates.rss', 'topic=us-aid&limit=20&duplicates=include');
    expect(r.statusCode).toBe(200);
    expect(r.headers['Content-Type']).toMatch(/^application\/rss\+xml/);
    expect(r.body).toMatch(/<rss version="2\.0" xmlns:atom="http:\/\/www\.w3\.org\/2005\/Atom">/);
    expect(r.body).toContain('<atom:link href="https://api.example.test/updates.rss?topic=us-aid&amp;limit=20&amp;duplicates=include" rel="self" type="application/rss+xml"/>');
    expect(r.body).not.toContain('<script>');
    expect(r.body).not.toMatch(/[\u0001\u0007\uFFFE]/);
    const feed = await new Parser().parseString(r.body);
    expect(feed.title).toBeTruthy();
    expect(feed.link).toBe('https://api.example.test/');
    expect(feed.description).toBeTruthy();
    const want = data.filter((m) => m.topics.includes('us-aid')).sort(newestFirst).slice(0, 20);
    expect(feed.items.map((i) => i.guid)).toEqual(want.map((m) => m.id));
    const hostile = feed.items.find((i) => i.guid === 'hostile')!;
    expect(hostile.title).toBe('Fund <script>alert(1)</script> & "quotes" ]]>  end');
    expect(hostile.link).toBeUndefined();
    for (const item of feed.items.filter((i) => i.guid !== 'hostile')) {
      expect(item.title).toBeTruthy();
      expect(item.link).toMatch(/^https:\/\//);
      // RFC 822 dates carry whole seconds.
      expect(Date.parse(item.pubDate!)).toBe(Math.floor(Date.parse(want.find((m) => m.id === item.guid)!.publishedAt) / 1000) * 1000);
    }
  });

  it('renders a valid JSON Feed 1.1 with next_url for the next page', async () => {
    const r = await invoke('GET', '/updates.json', 'limit=15&duplicates=include');
    expect(r.statusCode).toBe(200);
    expect(r.headers['Content-Type']).toMatch(/^application\/feed\+json/);
    const feed = body(r) as { version: string; title: string; feed_url: string; next_url: string; items: Record<string, unknown>[] };
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.title).toBeTruthy();
    expect(feed.feed_url).toBe('https://api.example.test/updates.json?limit=15&duplicates=include');
    expect(feed.items).toHaveLength(15);
    for (const item of feed.items) {
      expect(typeof item.id).toBe('string');
      expect(typeof item.content_text).toBe('string');
      expect(Number.isNaN(Date.parse(item.date_published as string))).toBe(false);
      expect(Array.isArray(item.tags)).toBe(true);
    }
    expect(feed.items.find((i) => i.id === 'hostile')?.url).toBeUndefined();
    const next = new URL(feed.next_url);
    const second = body(await invoke('GET', next.pathname, next.search.slice(1))) as { items: { id: string }[] };
    const ids = [...feed.items.map((i) => i.id), ...second.items.map((i) => i.id)];
    expect(ids).toEqual([...data].sort(newestFirst).slice(0, 30).map((m) => m.id));
  });
});

describe('the handler behind a loopback HTTP server (fundwatch serve)', () => {
  let server: Awaited<ReturnType<typeof startApiServer>>;
  beforeAll(async () => {
    server = await startApiServer({ handler: handler as never, port: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('serves the API on 127.0.0.1 with the same statuses and bodies', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ok = await fetch(`${server.url}/updates?limit=3&topic=nato-meetings`);
    expect(ok.status).toBe(200);
    const page = (await ok.json()) as { items: { id: string }[] };
    expect(page.items.map((i) => i.id)).toEqual(data.filter((m) => m.topics.includes('nato-meetings') && !m.duplicateOf).sort(newestFirst).slice(0, 3).map((m) => m.id));
    const bad = await fetch(`${server.url}/updates?limit=abc`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ parameter: 'limit' });
    const post = await fetch(`${server.url}/updates`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect((await fetch(`${server.url}/updates/%E0%A4%A`)).status).toBe(404);
    const rss = await fetch(`${server.url}/updates.rss?limit=2`);
    expect(await rss.text()).toContain(`<atom:link href="${server.url}/updates.rss?limit=2" rel="self"`);
  });
});
