import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchFeed, type FetchFeedOptions } from '#shared/fetch/fetch-feed.ts';
import type { Resolver } from '#shared/fetch/guarded-agent.ts';
import { startLoopbackServer, type LoopbackServer } from '#tests/integration/fetch/loopback-server.ts';

/**
 * The private-network block, end to end: the allowed server listens on 127.0.0.1, the
 * forbidden one on 127.0.0.2 (Linux routes all of 127/8 to loopback). The forbidden server
 * must never see a connection, not just never a request.
 */

const RSS = '<rss version="2.0"><channel><title>ok</title></channel></rss>';

const limits: FetchFeedOptions['limits'] = {
  timeoutMs: 3000,
  idleTimeoutMs: 2000,
  maxBytes: 64 * 1024,
  maxRedirects: 3,
  allowPrivateHosts: [],
};

let allowed: LoopbackServer;
let forbidden: LoopbackServer;

beforeAll(async () => {
  allowed = await startLoopbackServer('127.0.0.1');
  forbidden = await startLoopbackServer('127.0.0.2');
  forbidden.route('/feed.xml', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end('<rss><channel><title>internal secret</title></channel></rss>');
  });
  allowed.route('/feed.xml', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(RSS);
  });
  allowed.route('/to-forbidden', (_req, res) => {
    res.writeHead(302, { location: `${forbidden.origin}/feed.xml` });
    res.end();
  });
  allowed.route('/to-metadata', (_req, res) => {
    res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' });
    res.end();
  });
  allowed.route('/to-rebinding-name', (_req, res) => {
    res.writeHead(302, { location: `http://rebind.example:${forbidden.port}/feed.xml` });
    res.end();
  });
});

afterAll(async () => {
  await Promise.all([allowed.close(), forbidden.close()]);
});

/** A resolver that answers like an attacker's DNS: whatever the test says, per name. */
function fakeDns(answers: Record<string, string[]>): Resolver {
  return async (hostname) => {
    const addresses = answers[hostname];
    if (!addresses) throw Object.assign(new Error(`queryA ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

describe('fetchFeed: private-network block', () => {
  it('refuses http://127.0.0.2 without an allow-list, before connecting', async () => {
    const outcome = await fetchFeed(`${forbidden.origin}/feed.xml`, { limits });
    expect(outcome).toEqual({
      kind: 'failed',
      url: `${forbidden.origin}/feed.xml`,
      error: 'blocked-address',
      message: '127.0.0.2 refused: loopback address not in fetch.allowPrivateHosts',
      bytes: 0,
    });
    expect(forbidden.connections()).toBe(0);
    expect(forbidden.requests).toHaveLength(0);
  });

  it('refuses 127.0.0.2 when only 127.0.0.1 is allowed', async () => {
    const outcome = await fetchFeed(`${forbidden.origin}/feed.xml`, { limits: { ...limits, allowPrivateHosts: ['127.0.0.1'] } });
    expect(outcome).toMatchObject({ kind: 'failed', error: 'blocked-address' });
    expect(forbidden.connections()).toBe(0);
  });

  it('fetches from 127.0.0.1 when it is allowed, and refuses it when not', async () => {
    const ok = await fetchFeed(`${allowed.origin}/feed.xml`, { limits: { ...limits, allowPrivateHosts: ['127.0.0.1'] } });
    expect(ok).toMatchObject({ kind: 'fetched', body: RSS });
    const before = allowed.connections();
    const refused = await fetchFeed(`${allowed.origin}/feed.xml`, { limits });
    expect(refused).toMatchObject({ kind: 'failed', error: 'blocked-address' });
    expect(allowed.connections()).toBe(before);
  });

  it('refuses a redirect from an allowed 127.0.0.1 server to 127.0.0.2', async () => {
    const outcome = await fetchFeed(`${allowed.origin}/to-forbidden`, { limits: { ...limits, allowPrivateHosts: ['127.0.0.1'] } });
    expect(outcome).toMatchObject({
      kind: 'failed',
      url: `${forbidden.origin}/feed.xml`,
      error: 'blocked-address',
      message: 'redirect to 127.0.0.2 refused: loopback address not in fetch.allowPrivateHosts',
    });
    expect(allowed.requests.some((r) => r.path === '/to-forbidden')).toBe(true);
    expect(forbidden.connections()).toBe(0);
  });

  it('refuses a redirect to the cloud metadata address', async () => {
    const outcome = await fetchFeed(`${allowed.origin}/to-metadata`, { limits: { ...limits, allowPrivateHosts: ['127.0.0.1'] } });
    expect(outcome).toMatchObject({
      kind: 'failed',
      error: 'blocked-address',
      message: 'redirect to 169.254.169.254 refused: link-local cloud metadata address not in fetch.allowPrivateHosts',
    });
    // A hop that was never reached is no move the pipeline should remember.
    expect(outcome.movedTo).toBeUndefined();
  });

  it('checks names at connect time: localhost is refused unless allowed by name', async () => {
    const url = `http://localhost:${allowed.port}/feed.xml`;
    const before = allowed.connections();
    const refused = await fetchFeed(url, { limits });
    expect(refused).toMatchObject({ kind: 'failed', error: 'blocked-address' });
    expect((refused as { message: string }).message).toMatch(/^localhost resolves to (127\.0\.0\.1|::1): loopback address not in fetch\.allowPrivateHosts$/);
    expect(allowed.connections()).toBe(before);

    const ok = await fetchFeed(url, { limits: { ...limits, allowPrivateHosts: ['localhost'] } });
    expect(ok).toMatchObject({ kind: 'fetched', body: RSS });
  });

  it('refuses a public-looking name that resolves to a forbidden address (DNS rebinding)', async () => {
    const resolve = fakeDns({ 'feed.example': ['127.0.0.1'], 'rebind.example': ['127.0.0.2'] });
    const options = { limits: { ...limits, allowPrivateHosts: ['feed.example'] }, resolve };

    const ok = await fetchFeed(`http://feed.example:${allowed.port}/feed.xml`, options);
    expect(ok).toMatchObject({ kind: 'fetched', body: RSS });

    const outcome = await fetchFeed(`http://feed.example:${allowed.port}/to-rebinding-name`, options);
    expect(outcome).toMatchObject({
      kind: 'failed',
      error: 'blocked-address',
      message: 'redirect to rebind.example resolves to 127.0.0.2: loopback address not in fetch.allowPrivateHosts',
    });
    expect(forbidden.connections()).toBe(0);
  });

  it('refuses a name with any forbidden address among public ones', async () => {
    const resolve = fakeDns({ 'mixed.example': ['93.184.215.14', '10.0.0.7'] });
    const outcome = await fetchFeed('http://mixed.example/feed.xml', { limits, resolve });
    expect(outcome).toMatchObject({
      kind: 'failed',
      error: 'blocked-address',
      message: 'mixed.example resolves to 10.0.0.7: private address not in fetch.allowPrivateHosts',
    });
  });

  it('refuses IPv4-mapped and NAT64 spellings of a loopback address', async () => {
    for (const host of ['[::ffff:127.0.0.2]', '[::ffff:7f00:2]', '[64:ff9b::127.0.0.2]']) {
      const outcome = await fetchFeed(`http://${host}:${forbidden.port}/feed.xml`, { limits: { ...limits, allowPrivateHosts: ['127.0.0.1'] } });
      expect(outcome, host).toMatchObject({ kind: 'failed', error: 'blocked-address' });
    }
    for (const host of ['2130706434', '0x7f000002', '127.2']) {
      const outcome = await fetchFeed(`http://${host}:${forbidden.port}/feed.xml`, { limits });
      expect(outcome, host).toMatchObject({ kind: 'failed', error: 'blocked-address', url: `${forbidden.origin}/feed.xml` });
    }
    expect(forbidden.connections()).toBe(0);
  });
});
