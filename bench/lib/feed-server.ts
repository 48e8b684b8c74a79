import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { FeedSet } from './feeds.ts';

/**
 * Serves a FeedSet on 127.0.0.1 the way a real publisher's CDN does: one port per "host",
 * `ETag` and `Last-Modified` on every answer, 304 on a matching `If-None-Match` (or
 * `If-Modified-Since` when no ETag was sent), gzip when the client asks for it.
 *
 * It counts what it sends, per server group, so both pollers are measured by the same meter:
 * `wireBytes` is every byte written to the sockets (status line, headers, body), `bodyBytes`
 * the bodies alone (what fundwatch's `FeedReport.bytes` counts on its side).
 *
 * `latencyMs` holds every answer (200, 304 and 404 alike) that long on a server-side timer
 * before its status line and headers are written, so a poller sees the wait a response takes on
 * the open web; see WEB_LATENCY_MS.
 */

/**
 * Simulated time to a response on the open web, per request, for the "web-like" poll runs.
 * A feed fetch from a Lambda to a publisher pays DNS, a TCP and a TLS handshake (a poll every
 * 15 minutes rarely finds a connection still open), one request round trip and the publisher's
 * or its CDN's server time: typically 100–300 ms in total for a 304 or the first byte of a 200,
 * more for a slow CMS. 150 ms is a middle, not a worst, case; the same wait applies to both
 * pollers. (bench/lib/cost.ts assumes 200 ms per fetch for its Lambda-time estimate.)
 */
export const WEB_LATENCY_MS = 150;

export interface ServerCounters {
  requests: number;
  ok: number;
  notModified: number;
  bodyBytes: number;
  wireBytes: number;
  gzipped: number;
  /** Wire bytes of the 200 answers and of the 304 answers, each measured on its socket. */
  okWireBytes: number;
  notModifiedWireBytes: number;
}

export interface FeedServer {
  urls: string[];
  counters(): ServerCounters;
  /**
   * Renders (and gzips) every feed's current version ahead of the requests, as a publisher's
   * CDN has its current documents cached: the server shares the pollers' process, and its
   * rendering is no part of either poller's cycle.
   */
  prerender(): void;
  close(): Promise<void>;
}

interface Rendered {
  version: number;
  body: Buffer;
  gzip: Buffer;
  etag: string;
  lastModified: string;
}

export async function startFeedServer(set: FeedSet, options: { latencyMs?: number } = {}): Promise<FeedServer> {
  const latencyMs = options.latencyMs ?? 0;
  const cache = new Map<number, Rendered>();
  const counts = { requests: 0, ok: 0, notModified: 0, bodyBytes: 0, gzipped: 0, okWireBytes: 0, notModifiedWireBytes: 0 };
  const sockets = new Set<Socket>();
  let closedSocketBytes = 0;

  const rendered = (feed: number): Rendered => {
    const version = set.versions[feed]!;
    const hit = cache.get(feed);
    if (hit && hit.version === version) return hit;
    const body = Buffer.from(set.render(feed), 'utf8');
    const newest = set.feeds[feed]![0]?.publishedMs ?? 0;
    const fresh = { version, body, gzip: gzipSync(body), etag: `"f${feed}-v${version}"`, lastModified: new Date(newest).toUTCString() };
    cache.set(feed, fresh);
    return fresh;
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    counts.requests++;
    const socket = req.socket;
    const before = socket.bytesWritten;
    res.once('finish', () => {
      const bytes = socket.bytesWritten - before;
      if (res.statusCode === 304) counts.notModifiedWireBytes += bytes;
      else if (res.statusCode === 200) counts.okWireBytes += bytes;
    });
    if (latencyMs > 0) setTimeout(() => answer(req, res), latencyMs);
    else answer(req, res);
  };

  const answer = (req: IncomingMessage, res: ServerResponse) => {
    if (res.destroyed) return;
    const match = /^\/feeds\/(\d+)\.xml$/.exec(req.url ?? '');
    const feed = match ? Number(match[1]) : -1;
    if (!match || feed >= set.feeds.length) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const doc = rendered(feed);
    const validators = { etag: doc.etag, 'last-modified': doc.lastModified, 'cache-control': 'max-age=60' };
    const inm = req.headers['if-none-match'];
    const ims = req.headers['if-modified-since'];
    const unchanged = inm !== undefined ? inm.split(',').some((t) => t.trim() === doc.etag) : ims !== undefined && ims === doc.lastModified;
    if (unchanged) {
      counts.notModified++;
      res.writeHead(304, validators).end();
      return;
    }
    counts.ok++;
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? doc.gzip : doc.body;
    if (gzip) counts.gzipped++;
    counts.bodyBytes += body.length;
    res.writeHead(200, {
      ...validators,
      'content-type': 'application/rss+xml; charset=utf-8',
      'content-length': body.length,
      ...(gzip ? { 'content-encoding': 'gzip', vary: 'Accept-Encoding' } : {}),
    });
    res.end(body);
  };

  const servers: Server[] = [];
  const ports: number[] = [];
  for (let h = 0; h < set.options.hosts; h++) {
    const server = createServer(handle);
    server.keepAliveTimeout = 5_000;
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => {
        closedSocketBytes += socket.bytesWritten;
        sockets.delete(socket);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('feed server has no port');
    servers.push(server);
    ports.push(address.port);
  }

  return {
    urls: set.feeds.map((_, f) => `http://127.0.0.1:${ports[set.hostOf(f)]}/feeds/${f}.xml`),
    counters: () => {
      let open = 0;
      for (const s of sockets) open += s.bytesWritten;
      return { ...counts, wireBytes: closedSocketBytes + open };
    },
    prerender: () => set.feeds.forEach((_, feed) => rendered(feed)),
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}

export function diffCounters(after: ServerCounters, before: ServerCounters): ServerCounters {
  return {
    requests: after.requests - before.requests,
    ok: after.ok - before.ok,
    notModified: after.notModified - before.notModified,
    bodyBytes: after.bodyBytes - before.bodyBytes,
    wireBytes: after.wireBytes - before.wireBytes,
    gzipped: after.gzipped - before.gzipped,
    okWireBytes: after.okWireBytes - before.okWireBytes,
    notModifiedWireBytes: after.notModifiedWireBytes - before.notModifiedWireBytes,
  };
}
