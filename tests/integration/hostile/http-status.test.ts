import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedState } from '#shared/model.ts';
import { runPollCycle, type CycleReport } from '#shared/pipeline/poll-cycle.ts';
import { BACKOFF_BASE_MS, BACKOFF_CAP_MS, GONE_RETRY_MS, RETRY_AFTER_CAP_MS } from '#shared/pipeline/feed-schedule.ts';
import { toFeedHealth } from '#shared/query/views.ts';
import { createTestTable, type TestTable } from '#tests/support/dynamo.ts';
import { realPollDeps } from '#tests/support/poll-deps.ts';
import {
  hits,
  hostileConfig,
  rssDocument,
  runBesideHealthy,
  sendXml,
  startLoopbackServer,
  storyItem,
  type LoopbackServer,
} from '#tests/support/hostile-server.ts';

/**
 * What the poll cycle does with a server's status codes over several cycles: moves, gone feeds,
 * rate limits and 5xx backoff. Time is driven with the `now` dep; nothing sleeps.
 */

let server: LoopbackServer;
let table: TestTable;

beforeAll(async () => {
  [server, table] = await Promise.all([startLoopbackServer('127.0.0.1'), createTestTable('hostile-status')]);
});
afterAll(async () => {
  await server?.close();
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const at = (base: Date, ms: number) => new Date(base.getTime() + ms);

async function stateOf(url: string): Promise<FeedState> {
  const state = (await table.store.getFeedStates([url])).get(url);
  expect(state, `feed state of ${url}`).toBeDefined();
  return state!;
}

/** One cycle over a single feed at the given time. */
function cycleAt(url: string, now: Date): Promise<CycleReport> {
  return runPollCycle(hostileConfig([{ url, name: 'Hostile' }]), realPollDeps(table.store, { now: () => now }));
}

describe('301 Moved Permanently', () => {
  it('reports movedTo, remembers it, and polls the new URL directly from then on', async () => {
    const etag = '"moved-v1"';
    server.route('/moved-old.xml', (_req, res) => res.writeHead(301, { location: '/moved-new.xml' }).end());
    server.route('/moved-new.xml', (req, res) => {
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
      sendXml(res, rssDocument([storyItem('moved')]), { etag });
    });
    const t0 = new Date();
    const first = await runBesideHealthy(server, table, 'moved', { path: '/moved-old.xml' }, { deps: { now: () => t0 } });
    const newUrl = `${server.origin}/moved-new.xml`;
    expect(first.hostile).toMatchObject({ outcome: 'fetched', status: 200, movedTo: newUrl, stored: 1 });
    const state = await stateOf(first.hostileUrl);
    expect(state.movedTo).toBe(newUrl);
    expect(toFeedHealth(state)).toMatchObject({ status: 'moved', movedTo: newUrl });

    const second = await cycleAt(first.hostileUrl, at(t0, 20 * MINUTE));
    expect(second.feeds[0]).toMatchObject({ outcome: 'not-modified', status: 304 });
    expect(second.stored).toEqual([]);
    expect(hits(server, '/moved-old.xml')).toBe(1);
    expect(hits(server, '/moved-new.xml')).toBe(2);
    const secondRequest = server.requests.filter((r) => r.path === '/moved-new.xml')[1]!;
    expect(secondRequest.headers['if-none-match']).toBe(etag);
    expect((await stateOf(first.hostileUrl)).movedTo).toBe(newUrl);
  });
});

describe('404 and 410', () => {
  it.each([404, 410])('marks a feed answering %i as gone and leaves it until its retry time', async (status) => {
    const path = `/gone-${status}.xml`;
    server.route(path, (_req, res) => res.writeHead(status, { 'content-type': 'text/plain' }).end('nope'));
    const t0 = new Date();
    const first = await runBesideHealthy(server, table, `gone-${status}`, { path }, { deps: { now: () => t0 } });
    expect(first.hostile).toMatchObject({ outcome: 'failed', error: 'gone', status, consecutiveFailures: 1 });
    expect(first.hostile.message).toBe(`the server answered ${status} ${status === 404 ? 'Not Found' : 'Gone'}`);
    const state = await stateOf(first.hostileUrl);
    expect(state.gone).toBe(true);
    expect(state.nextPollAt).toBe(at(t0, GONE_RETRY_MS).toISOString());
    expect(toFeedHealth(state).status).toBe('gone');

    const early = await cycleAt(first.hostileUrl, at(t0, GONE_RETRY_MS - MINUTE));
    expect(early.feeds[0]).toMatchObject({ outcome: 'not-due', consecutiveFailures: 1 });
    expect(hits(server, path)).toBe(1);

    const due = await cycleAt(first.hostileUrl, at(t0, GONE_RETRY_MS));
    expect(due.feeds[0]).toMatchObject({ outcome: 'failed', error: 'gone', consecutiveFailures: 2 });
    expect(hits(server, path)).toBe(2);
  });
});

describe('429 and 503 with Retry-After', () => {
  it('honours a 429 Retry-After in seconds that is longer than the backoff', async () => {
    server.route('/busy-429.xml', (_req, res) => res.writeHead(429, { 'retry-after': '7200' }).end());
    const t0 = new Date();
    const first = await runBesideHealthy(server, table, 'busy-429', { path: '/busy-429.xml' }, { deps: { now: () => t0 } });
    expect(first.hostile).toMatchObject({ outcome: 'failed', error: 'rate-limited', status: 429 });
    expect(first.hostile.message).toBe('the server answered 429 Too Many Requests; retry after 7200 s');
    expect((await stateOf(first.hostileUrl)).nextPollAt).toBe(at(t0, 2 * HOUR).toISOString());

    expect((await cycleAt(first.hostileUrl, at(t0, 2 * HOUR - 1000))).feeds[0]!.outcome).toBe('not-due');
    expect(hits(server, '/busy-429.xml')).toBe(1);
    expect((await cycleAt(first.hostileUrl, at(t0, 2 * HOUR))).feeds[0]!.outcome).toBe('failed');
    expect(hits(server, '/busy-429.xml')).toBe(2);
  });

  it('honours a 503 Retry-After given as an HTTP date', async () => {
    const t0 = new Date();
    const retryAt = new Date(Math.ceil((t0.getTime() + 3 * HOUR) / 1000) * 1000);
    server.route('/busy-503.xml', (_req, res) => res.writeHead(503, { 'retry-after': retryAt.toUTCString() }).end());
    const first = await runBesideHealthy(server, table, 'busy-503', { path: '/busy-503.xml' }, { deps: { now: () => t0 } });
    expect(first.hostile).toMatchObject({ outcome: 'failed', error: 'rate-limited', status: 503 });
    const next = Date.parse((await stateOf(first.hostileUrl)).nextPollAt!);
    // Retry-After is read against the wall clock a moment after t0.
    expect(Math.abs(next - retryAt.getTime())).toBeLessThan(5000);
    expect((await cycleAt(first.hostileUrl, at(t0, 2 * HOUR))).feeds[0]!.outcome).toBe('not-due');
    expect(hits(server, '/busy-503.xml')).toBe(1);
  });

  it('caps a Retry-After of a week, and lets the backoff win over a short one', async () => {
    server.route('/busy-week.xml', (_req, res) => res.writeHead(429, { 'retry-after': String(7 * 24 * 3600) }).end());
    server.route('/busy-short.xml', (_req, res) => res.writeHead(503, { 'retry-after': '30' }).end());
    const t0 = new Date();
    const config = hostileConfig([
      { url: `${server.origin}/busy-week.xml`, name: 'Week' },
      { url: `${server.origin}/busy-short.xml`, name: 'Short' },
    ]);
    const cycle = await runPollCycle(config, realPollDeps(table.store, { now: () => t0 }));
    expect(cycle.feeds.map((f) => f.error)).toEqual(['rate-limited', 'rate-limited']);
    expect((await stateOf(`${server.origin}/busy-week.xml`)).nextPollAt).toBe(at(t0, RETRY_AFTER_CAP_MS).toISOString());
    expect((await stateOf(`${server.origin}/busy-short.xml`)).nextPollAt).toBe(at(t0, BACKOFF_BASE_MS).toISOString());
  });
});

describe('5xx', () => {
  it('backs off exponentially with consecutive failures, capped, and resets after a success', async () => {
    let failing = true;
    server.route('/flaky.xml', (_req, res) => {
      if (failing) return void res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
      sendXml(res, rssDocument([storyItem('flaky')]));
    });
    let now = new Date();
    const first = await runBesideHealthy(server, table, 'flaky', { path: '/flaky.xml' }, { deps: { now: () => now } });
    const url = first.hostileUrl;
    expect(first.hostile).toMatchObject({ outcome: 'failed', error: 'http-status', status: 500, consecutiveFailures: 1 });
    expect(first.hostile.message).toBe('the server answered HTTP 500');

    const waits: number[] = [];
    let state = await stateOf(url);
    waits.push(Date.parse(state.nextPollAt!) - now.getTime());
    for (let failures = 2; failures <= 8; failures++) {
      const dueAt = new Date(state.nextPollAt!);
      // A minute early: not polled, not even a request.
      const before = hits(server, '/flaky.xml');
      expect((await cycleAt(url, at(dueAt, -MINUTE))).feeds[0]!.outcome).toBe('not-due');
      expect(hits(server, '/flaky.xml')).toBe(before);

      now = dueAt;
      const cycle = await cycleAt(url, now);
      expect(cycle.feeds[0]).toMatchObject({ outcome: 'failed', status: 500, consecutiveFailures: failures });
      expect(cycle.failingFeeds).toBe(failures >= 3 ? 1 : 0);
      state = await stateOf(url);
      waits.push(Date.parse(state.nextPollAt!) - now.getTime());
      // As /feeds shows it.
      expect(toFeedHealth(state)).toMatchObject({
        status: 'failing',
        consecutiveFailures: failures,
        lastStatus: 500,
        lastError: 'http-status: the server answered HTTP 500',
        nextPollAt: state.nextPollAt,
      });
    }
    expect(waits.map((ms) => ms / MINUTE)).toEqual([10, 20, 40, 80, 160, 320, 640, 720]);
    expect(Math.max(...waits)).toBe(BACKOFF_CAP_MS);

    failing = false;
    now = new Date(state.nextPollAt!);
    const recovered = await cycleAt(url, now);
    expect(recovered.feeds[0]).toMatchObject({ outcome: 'fetched', consecutiveFailures: 0, stored: 1 });
    state = await stateOf(url);
    expect(state.consecutiveFailures).toBe(0);
    expect(state.nextPollAt).toBeUndefined();
    expect(toFeedHealth(state)).toMatchObject({ status: 'ok', lastError: null, consecutiveFailures: 0 });

    failing = true;
    const again = await cycleAt(url, at(now, 15 * MINUTE));
    expect(again.feeds[0]).toMatchObject({ outcome: 'failed', consecutiveFailures: 1 });
    expect(Date.parse((await stateOf(url)).nextPollAt!) - (now.getTime() + 15 * MINUTE)).toBe(BACKOFF_BASE_MS);
  });
});
