import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, type TestTable } from '#tests/support/dynamo.ts';
import {
  hits,
  rssDocument,
  runBesideHealthy,
  sendXml,
  startLoopbackServer,
  storedMatchesOf,
  storyItem,
  trickle,
  writeForever,
  type LoopbackServer,
} from '#tests/support/hostile-server.ts';

/**
 * Hostile servers at the transport level (time, size, redirects, addresses), each in a full poll
 * cycle beside a healthy feed that must still be fetched and stored.
 */

let server: LoopbackServer;
let forbidden: LoopbackServer;
let table: TestTable;

const feed = (tag: string) => rssDocument([storyItem(tag)]);

beforeAll(async () => {
  [server, forbidden, table] = await Promise.all([
    startLoopbackServer('127.0.0.1'),
    startLoopbackServer('127.0.0.2'),
    createTestTable('hostile-transport'),
  ]);
  forbidden.route('/internal.xml', (_req, res) => sendXml(res, feed('internal-secret')));
});
afterAll(async () => {
  await Promise.all([server?.close(), forbidden?.close()]);
});

describe('slow and silent servers', () => {
  it('cuts a server that sends one byte a second at the total timeout', async () => {
    server.route('/slow.xml', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      trickle(res, feed('slow'), 1000);
    });
    const started = Date.now();
    const r = await runBesideHealthy(server, table, 'slow', { path: '/slow.xml' }, { limits: { timeoutMs: 2500, idleTimeoutMs: 1800 } });
    expect(r.hostile).toMatchObject({ outcome: 'failed', error: 'timeout', consecutiveFailures: 1 });
    expect(r.hostile.message).toBe('no complete response within 2500 ms (fetch.timeoutMs)');
    expect(r.hostile.bytes).toBeLessThan(10);
    expect(Date.now() - started).toBeLessThan(6000);
    expect(r.storedFromHostile).toEqual([]);
  });

  it('gives up on a server that accepts the request and never answers', async () => {
    server.route('/silent.xml', () => undefined);
    const r = await runBesideHealthy(server, table, 'silent', { path: '/silent.xml' }, { limits: { timeoutMs: 3000, idleTimeoutMs: 600 } });
    expect(r.hostile).toMatchObject({ outcome: 'failed', error: 'timeout', bytes: 0 });
    expect(r.hostile.message).toMatch(/^no response headers from 127\.0\.0\.1:\d+ for 600 ms \(fetch\.idleTimeoutMs\)$/);
    expect(r.hostile.status).toBeUndefined();
  });

  it('gives up on a body that stalls half way', async () => {
    const body = feed('stall');
    server.route('/stall.xml', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.write(body.slice(0, body.length / 2));
    });
    const r = await runBesideHealthy(server, table, 'stall', { path: '/stall.xml' }, { limits: { timeoutMs: 3000, idleTimeoutMs: 600 } });
    expect(r.hostile).toMatchObject({ outcome: 'failed', error: 'timeout', status: 200 });
    expect(r.hostile.message).toMatch(/^body from 127\.0\.0\.1:\d+ stalled: no bytes for 600 ms \(fetch\.idleTimeoutMs\)$/);
    expect(r.storedFromHostile).toEqual([]);
  });
});

describe('bodies past fetch.maxBytes', () => {
  const maxBytes = 64 * 1024;

  it('refuses a huge body by its Content-Length before reading it', async () => {
    const huge = Buffer.alloc(4 * 1024 * 1024, ' ');
    server.route('/huge-declared.xml', (_req, res) => sendXml(res, huge, { 'content-length': huge.length }));
    const r = await runBesideHealthy(server, table, 'huge-declared', { path: '/huge-declared.xml' }, { limits: { maxBytes } });
    expect(r.hostile).toMatchObject({ outcome: 'failed', error: 'too-large', status: 200 });
    expect(r.hostile.message).toBe(`body exceeded ${maxBytes} bytes on the wire (Content-Length says ${huge.length})`);
    expect(r.hostile.bytes).toBe(0);
  });

  it('cuts a huge chunked body at the cap and stores nothing from it', async () => {
    // A valid feed with a matching item first, then 2 MB more: nothing may be stored from it.
    const head = rssDocument([storyItem('huge-chunked')]).replace('</channel></rss>', '');
    server.route('/huge-chunked.xml', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.write(head);
      for (let i = 0; i < 32; i++) res.write(`<!-- ${'x'.repeat(64 * 1024)} -->`);
      res.end('</channel></rss>');
    });
    const r = await runBesideHealthy(server, table, 'huge-chunked', { path: '/huge-chunked.xml' }, { limits: { maxBytes } });
    expect(r.hostile).toMatchObject({ outcome: 'failed', error: 'too-large' });
    expect(r.hostile.message).toMatch(new RegExp(`exceeded ${maxBytes} bytes`));
    expect(r.hostile.bytes).toBeGreaterThan(maxBytes);
    expect(r.hostile.bytes).toBeLessThan(maxBytes + 256 * 1024);
    expect(await storedMatchesOf(table, r.hostileUrl)).toEqual([]);
  });

  it('cuts an endless body at the cap', async () => {
    const head = rssDocument([storyItem('endless')]).replace('</channel></rss>', '');
    server.route('/endless.xml', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.write(head);
      writeForever(res, `<!-- ${'y'.repeat(16 * 1024)} -->`);
    });
    const r = await runBesideHealthy(server, table, 'endless', { path: '/endless.xml' }, { limits: { maxBytes } });
    expect(r.hostile).toMatchObject({ outcome: 'failed', error: 'too-large' });
    expect(r.hostile.bytes).toBeLessThan(maxBytes + 256 * 1024);
    expect(await storedMatchesOf(table, r.hostileUrl)).toEqual([]);
  });

  it('stops a gzip bomb once it inflates past the cap', async () => {
    const head = rssDocument([storyItem('bomb')]).replace('</channel></rss>', '<!--');
    const bomb = gzipSync(Buffer.concat([Buffer.from(head), Buffer.alloc(32 * 1024 * 1024, 'A'), Buffer.from('--></channel></rss>')]), {
      level: 9,
    });
    expect(bomb.length).toBeLessThan(64 * 1024);
    server.route('/bomb.xml', (_req, res) => sendXml(res, bomb, { 'content-encoding': 'gzip', 'content-length': bomb.length }));
    const r = await runBesideHealthy(server, table, 'bomb', { path: '/bomb.xml' }, { limits: { maxBytes } });
    expect(r.hostile).toMatchObject({ outcome: 'failed', error: 'too-large' });
    expect(r.hostile.message).toBe(`body exceeded ${maxBytes} bytes after decompression`);
    expect(r.hostile.bytes).toBeLessThanOrEqual(bomb.length);
    expect(await storedMatchesOf(table, r.hostileUrl)).toEqual([]);
  });
});

describe('redirects', () => {
  it('stops a redirect loop', async () => {
    server.route('/loop-a.xml', (_req, res) => res.writeHead(302, { location: '/loop-b.xml' }).end());
    server.route('/loop-b.xml', (_req, res) => res.writeHead(302, { location: '/loop-a.xml' }).end());
    const r = await runBesideHealthy(server, table, 'loop', { path: '/loop-a.xml' });
    expect(r.hostile).toMatchObject({ outcome: 'failed', error: 'too-many-redirects', status: 302 });
    expect(r.hostile.message).toBe(`redirect loop: ${server.origin}/loop-b.xml redirects back to ${server.origin}/loop-a.xml`);
    expect(hits(server, '/loop-a.xml')).toBe(1);
    expect(hits(server, '/loop-b.xml')).toBe(1);
  });

  it('stops a long redirect chain after fetch.maxRedirects hops', async () => {
    for (let i = 0; i < 20; i++) {
      server.route(`/chain/${i}.xml`, (_req, res) => res.writeHead(307, { location: `/chain/${i + 1}.xml` }).end());
    }
    const r = await runBesideHealthy(server, table, 'chain', { path: '/chain/0.xml' }, { limits: { maxRedirects: 3 } });
    expect(r.hostile).toMatchObject({ outcome: 'failed', error: 'too-many-redirects' });
    expect(r.hostile.message).toBe(`more than 3 redirects (fetch.maxRedirects); next was ${server.origin}/chain/4.xml`);
    expect(server.requests.filter((q) => q.path.startsWith('/chain/')).map((q) => q.path)).toEqual([
      '/chain/0.xml',
      '/chain/1.xml',
      '/chain/2.xml',
      '/chain/3.xml',
    ]);
  });

  it.each([
    ['file', 'file:///etc/passwd'],
    ['ftp', 'ftp://127.0.0.1/feed.xml'],
  ])('refuses a redirect that switches scheme to %s:', async (scheme, location) => {
    server.route(`/to-${scheme}.xml`, (_req, res) => res.writeHead(301, { location }).end());
    const r = await runBesideHealthy(server, table, `to-${scheme}`, { path: `/to-${scheme}.xml` });
    expect(r.hostile).toMatchObject({ outcome: 'failed', error: 'bad-redirect', status: 301 });
    expect(r.hostile.message).toMatch(new RegExp(`${scheme}:`));
    // A refused hop is no new home for the feed.
    expect(r.hostile.movedTo).toBeUndefined();
  });
});

describe('private addresses (SSRF)', () => {
  it('refuses a feed on 127.0.0.2 when only 127.0.0.1 is allowed; that server sees no connection', async () => {
    const r = await runBesideHealthy(server, table, 'ssrf-direct', { url: `${forbidden.origin}/internal.xml` });
    expect(r.hostile).toMatchObject({ outcome: 'failed', error: 'blocked-address' });
    expect(r.hostile.message).toBe('127.0.0.2 refused: loopback address not in fetch.allowPrivateHosts');
    expect(forbidden.connections()).toBe(0);
    expect(forbidden.requests).toEqual([]);
  });

  it('refuses a redirect from the allowed server to 127.0.0.2', async () => {
    server.route('/to-internal.xml', (_req, res) => res.writeHead(302, { location: `${forbidden.origin}/internal.xml` }).end());
    const r = await runBesideHealthy(server, table, 'ssrf-redirect', { path: '/to-internal.xml' });
    expect(r.hostile).toMatchObject({ outcome: 'failed', error: 'blocked-address' });
    expect(r.hostile.message).toBe('redirect to 127.0.0.2 refused: loopback address not in fetch.allowPrivateHosts');
    expect(hits(server, '/to-internal.xml')).toBe(1);
    expect(forbidden.connections()).toBe(0);
    expect(r.storedFromHostile).toEqual([]);
  });
});
