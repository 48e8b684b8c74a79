import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import iconv from 'iconv-lite';

/**
 * Serves the sample feeds in fixtures/feeds on loopback, the way a well-behaved publisher does:
 * ETag and Last-Modified, 304 on a conditional GET, bytes in the charset the XML prolog names.
 *
 * Dates are written relative to the server's start (`{{rfc822:-3h}}`, `{{iso:-2d}}`) so the
 * demo's items are recent whenever it runs. Entries between `<!-- late -->` and
 * `<!-- /late -->` stay hidden until `publishLateItems()`: the demo's "one new item" between
 * its two cycles.
 */

export interface FixtureServer {
  url: string;
  port: number;
  /** Names of the feed files served, e.g. `alliance-news.xml`. */
  feeds: string[];
  publishLateItems(): void;
  /** Requests served, by path, for assertions. */
  requests: { path: string; status: number }[];
  close(): Promise<void>;
}

const TOKEN = /\{\{(rfc822|iso):(-?\d+)([mhd])\}\}/g;
const LATE_BLOCK = /<!-- late -->([\s\S]*?)<!-- \/late -->/g;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function renderDates(text: string, now: Date): string {
  return text.replace(TOKEN, (_, format: 'rfc822' | 'iso', amount: string, unit: 'm' | 'h' | 'd') => {
    const date = new Date(now.getTime() + Number(amount) * UNIT_MS[unit]);
    date.setUTCSeconds(0, 0);
    return format === 'iso' ? date.toISOString().replace('.000Z', 'Z') : date.toUTCString().replace('GMT', '+0000');
  });
}

function contentType(name: string): string {
  if (name.endsWith('.atom')) return 'application/atom+xml';
  if (name.endsWith('.rdf')) return 'application/rdf+xml';
  return 'application/rss+xml';
}

/** Encodes in the charset named by the XML prolog, so the fetcher's prolog sniffing is exercised. */
function encode(xml: string): Buffer {
  const declared = /^<\?xml[^>]*encoding=["']([\w-]+)["']/i.exec(xml)?.[1];
  return declared && iconv.encodingExists(declared) ? iconv.encode(xml, declared) : Buffer.from(xml, 'utf8');
}

interface Version {
  body: Buffer;
  etag: string;
  lastModified: string;
}

function version(xml: string, at: Date): Version {
  const body = encode(xml);
  return {
    body,
    etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`,
    lastModified: at.toUTCString(),
  };
}

export async function startFixtureServer(options: { dir: string; port?: number; now?: Date }): Promise<FixtureServer> {
  const now = options.now ?? new Date();
  const names = (await readdir(options.dir)).filter((n) => /\.(xml|atom|rdf)$/.test(n)).sort();
  const sources = new Map<string, string>();
  for (const name of names) sources.set(name, renderDates(await readFile(join(options.dir, name), 'utf8'), now));

  let lateReleased = false;
  const build = (released: boolean, at: Date) =>
    new Map(
      [...sources].map(([name, xml]) => [name, version(xml.replace(LATE_BLOCK, released ? '$1' : ''), at)] as const),
    );
  let versions = build(false, now);
  const requests: FixtureServer['requests'] = [];

  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    const current = versions.get(path.replace(/^\//, ''));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      requests.push({ path, status: 405 });
      return;
    }
    if (!current) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      requests.push({ path, status: 404 });
      return;
    }
    const headers = { ETag: current.etag, 'Last-Modified': current.lastModified, 'Cache-Control': 'max-age=60' };
    if (req.headers['if-none-match'] === current.etag) {
      res.writeHead(304, headers).end();
      requests.push({ path, status: 304 });
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': contentType(path), 'Content-Length': current.body.length });
    res.end(req.method === 'HEAD' ? undefined : current.body);
    requests.push({ path, status: 200 });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${options.port} on 127.0.0.1 is already in use`) : err),
    );
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    feeds: names,
    requests,
    publishLateItems() {
      if (lateReleased) return;
      lateReleased = true;
      const released = build(true, new Date());
      // Only feeds whose bytes changed get a new validator; the others keep answering 304.
      for (const [name, v] of released) if (v.etag !== versions.get(name)?.etag) versions.set(name, v);
      versions = new Map(versions);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
