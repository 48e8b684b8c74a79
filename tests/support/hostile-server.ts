import type { ServerResponse } from 'node:http';
import { expect } from 'vitest';
import { parseConfig } from '#shared/config/load.ts';
import type { Config } from '#shared/config/schema.ts';
import type { Match } from '#shared/model.ts';
import { runPollCycle, type CycleReport, type FeedReport, type PollDeps } from '#shared/pipeline/poll-cycle.ts';
import { startLoopbackServer, type LoopbackServer } from '#tests/integration/fetch/loopback-server.ts';
import type { TestTable } from '#tests/support/dynamo.ts';
import { realPollDeps } from '#tests/support/poll-deps.ts';

/**
 * Whole-cycle tests against hostile feeds: a recording HTTP server on 127.0.0.1 (the fetcher's
 * loopback server) serves one hostile feed per case next to a healthy one, and the cycle runs on
 * DynamoDB Local with the real fetcher, parser and classifier. Only loopback traffic.
 */

export type { LoopbackServer };
export { startLoopbackServer };

/** A headline the default pack classifies as `ukraine-fund` without any doubt. */
export const STORY_TITLE = "NATO allies back Stoltenberg's €100 billion five-year fund for Ukraine's military support";

export interface FeedItem {
  guid?: string;
  link?: string;
  title?: string;
  description?: string;
  pubDate?: string;
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function rssItem(item: FeedItem): string {
  const parts = ['<item>'];
  if (item.guid !== undefined) parts.push(`<guid isPermaLink="false">${escapeXml(item.guid)}</guid>`);
  if (item.link !== undefined) parts.push(`<link>${escapeXml(item.link)}</link>`);
  if (item.title !== undefined) parts.push(`<title>${escapeXml(item.title)}</title>`);
  if (item.description !== undefined) parts.push(`<description>${escapeXml(item.description)}</description>`);
  if (item.pubDate !== undefined) parts.push(`<pubDate>${escapeXml(item.pubDate)}</pubDate>`);
  parts.push('</item>');
  return parts.join('');
}

/** An RSS 2.0 document; `prolog` replaces the XML declaration (empty string for none). */
export function rssDocument(items: FeedItem[] | string, options: { prolog?: string; channelExtra?: string } = {}): string {
  const body = typeof items === 'string' ? items : items.map(rssItem).join('\n');
  const prolog = options.prolog ?? '<?xml version="1.0" encoding="UTF-8"?>';
  return `${prolog}\n<rss version="2.0"><channel><title>Test desk</title><link>https://desk.example/</link>${options.channelExtra ?? ''}\n${body}\n</channel></rss>\n`;
}

/** One clearly matching item, unique to `tag`. */
export function storyItem(tag: string, overrides: Partial<FeedItem> = {}): FeedItem {
  return {
    guid: `urn:fundwatch-test:${tag}`,
    link: `https://desk.example/${encodeURIComponent(tag)}`,
    title: STORY_TITLE,
    description: 'Foreign ministers in Brussels weighed the proposal for a five-year, 100-billion-euro NATO fund for Ukraine.',
    pubDate: new Date().toUTCString(),
    ...overrides,
  };
}

export function sendXml(res: ServerResponse, body: string | Buffer, headers: Record<string, string | number> = {}): void {
  res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', ...headers });
  res.end(body);
}

export interface HostileLimits {
  timeoutMs?: number;
  idleTimeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
  maxItemsPerFeed?: number;
  allowPrivateHosts?: string[];
}

/** Small limits so a hostile case costs well under two seconds. */
export function hostileConfig(feeds: { url: string; name: string }[], limits: HostileLimits = {}): Config {
  return parseConfig({
    feeds,
    fetch: {
      allowPrivateHosts: ['127.0.0.1'],
      timeoutMs: 1500,
      idleTimeoutMs: 700,
      maxBytes: 256 * 1024,
      maxRedirects: 3,
      maxItemsPerFeed: 200,
      ...limits,
    },
  });
}

export interface CaseResult {
  cycle: CycleReport;
  hostile: FeedReport;
  healthy: FeedReport;
  hostileUrl: string;
  healthyUrl: string;
  /** What this cycle stored from the hostile feed. */
  storedFromHostile: Match[];
  healthyMatch: Match;
}

/**
 * Runs one full poll cycle over `hostilePath` on `server` plus a healthy feed made for this case,
 * and checks the healthy half right away: fetched, and its match stored in DynamoDB.
 */
export async function runBesideHealthy(
  server: LoopbackServer,
  table: TestTable,
  caseId: string,
  hostile: { url?: string; path?: string },
  options: { limits?: HostileLimits; deps?: Partial<PollDeps> } = {},
): Promise<CaseResult> {
  const healthyPath = `/healthy/${caseId}.xml`;
  const healthyItem = storyItem(`healthy-${caseId}`);
  server.route(healthyPath, (_req, res) => sendXml(res, rssDocument([healthyItem])));
  const hostileUrl = hostile.url ?? `${server.origin}${hostile.path}`;
  const healthyUrl = `${server.origin}${healthyPath}`;
  const config = hostileConfig(
    [
      { url: hostileUrl, name: `Hostile ${caseId}` },
      { url: healthyUrl, name: `Healthy ${caseId}` },
    ],
    options.limits,
  );
  const cycle = await runPollCycle(config, realPollDeps(table.store, options.deps));
  const hostileReport = cycle.feeds.find((f) => f.url === hostileUrl)!;
  const healthy = cycle.feeds.find((f) => f.url === healthyUrl)!;
  expect(healthy, 'the healthy feed is reported').toBeDefined();
  expect(healthy.outcome, `healthy feed beside ${caseId}: ${healthy.message ?? ''}`).toBe('fetched');
  expect(healthy.stored).toBe(1);
  const healthyMatch = cycle.stored.find((m) => m.feedUrl === healthyUrl)!;
  expect(healthyMatch.title).toBe(STORY_TITLE);
  expect(healthyMatch.topics).toContain('ukraine-fund');
  // Stored in the table, not only reported.
  expect(await table.store.getMatch(healthyMatch.id)).toMatchObject({ id: healthyMatch.id, feedUrl: healthyUrl });
  return {
    cycle,
    hostile: hostileReport,
    healthy,
    hostileUrl,
    healthyUrl,
    storedFromHostile: cycle.stored.filter((m) => m.feedUrl === hostileUrl),
    healthyMatch,
  };
}

/** Every match in the table from one feed (through the time index, so no Scan). */
export async function storedMatchesOf(table: TestTable, feedUrl: string): Promise<Match[]> {
  const all = await table.store.recentMatches('0000', 100_000);
  return all.filter((m) => m.feedUrl === feedUrl);
}

/** Requests the server saw for one path. */
export function hits(server: LoopbackServer, path: string): number {
  return server.requests.filter((r) => r.path === path).length;
}

/**
 * Writes `chunk` whenever the socket drains, until the client goes away: an endless body.
 * Returns nothing; stops on its own when the response closes.
 */
export function writeForever(res: ServerResponse, chunk: Buffer | string): void {
  let open = true;
  res.on('close', () => (open = false));
  const pump = () => {
    while (open && res.write(chunk));
    if (open) res.once('drain', pump);
  };
  pump();
}

/** Writes one byte of `body` every `everyMs` until done or the client goes away. */
export function trickle(res: ServerResponse, body: string, everyMs: number): void {
  const bytes = Buffer.from(body);
  let at = 0;
  const timer = setInterval(() => {
    if (at >= bytes.length) {
      clearInterval(timer);
      res.end();
      return;
    }
    res.write(bytes.subarray(at, at + 1));
    at += 1;
  }, everyMs);
  res.on('close', () => clearInterval(timer));
}
