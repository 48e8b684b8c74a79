import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_USER_AGENT, fetchFeed, type FetchFeedOptions, type FetchOutcome } from '#shared/fetch/fetch-feed.ts';
import { startLoopbackServer, type Handler, type LoopbackServer } from '#tests/integration/fetch/loopback-server.ts';
import { SELF_SIGNED_CERT, SELF_SIGNED_KEY } from '#tests/integration/fetch/self-signed.ts';

const RSS = '<?xml version="1.0"?><rss version="2.0"><channel><title>Outlet</title></channel></rss>';

const limits: FetchFeedOptions['limits'] = {
  timeoutMs: 3000,
  idleTimeoutMs: 2000,
  maxBytes: 64 * 1024,
  maxRedirects: 3,
  allowPrivateHosts: ['127.0.0.1'],
};

let server: LoopbackServer;

beforeAll(async () => {
  server = await startLoopbackServer();
});

afterAll(async () => {
  await server.close();
});

/** Registers a one-off route and returns its absolute URL. */
function serve(path: string, handler: Handler): string {
  server.route(path, handler);
  return `${server.origin}${path}`;
}

function reply(status: number, headers: Record<string, string>, body: string | Buffer = ''): Handler {
  return (_req, res) => {
    res.writeHead(status, headers);
    res.end(body);
  };
}

function redirect(status: number, location: string): Handler {
  return reply(status, { location });
}

function expectKind<K extends FetchOutcome['kind']>(outcome: FetchOutcome, kind: K): Extract<FetchOutcome, { kind: K }> {
  expect(outcome, JSON.stringify(outcome)).toMatchObject({ kind });
  return outcome as Extract<FetchOutcome, { kind: K }>;
}

describe('fetchFeed: plain and conditional GET', () => {
  it('returns the body, validators and content type of a 200, and sends our headers', async () => {
    const url = serve('/feed.xml', (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') {
        res.writeHead(304, { etag: '"v1"' });
        res.end();
        return;
      }
      res.writeHead(200, {
        'content-type': 'application/rss+xml; charset=utf-8',
        etag: '"v1"',
        'last-modified': 'Tue, 01 Jul 2025 10:00:00 GMT',
      });
      res.end(RSS);
    });

    const first = expectKind(await fetchFeed(url, { limits }), 'fetched');
    expect(first).toMatchObject({
      url,
      status: 200,
      body: RSS,
      charset: 'utf-8',
      etag: '"v1"',
      lastModified: 'Tue, 01 Jul 2025 10:00:00 GMT',
      contentType: 'application/rss+xml; charset=utf-8',
      bytes: Buffer.byteLength(RSS),
    });
    expect(first.movedTo).toBeUndefined();

    const sent = server.requests.filter((r) => r.path === '/feed.xml').at(-1)!.headers;
    expect(sent['user-agent']).toBe(DEFAULT_USER_AGENT);
    expect(sent['user-agent']).toMatch(/^fundwatch\/\d+\.\d+\.\d+ \(\+https:\/\/github\.com\/fundwatch\/fundwatch\)$/);
    expect(sent.accept).toContain('application/rss+xml');
    expect(sent.accept).toContain('application/atom+xml');
    expect(sent['accept-encoding']).toBe('gzip, deflate, br');

    const second = await fetchFeed(url, { limits, validators: { etag: first.etag!, lastModified: first.lastModified! } });
    expect(second).toEqual({
      kind: 'not-modified',
      url,
      status: 304,
      bytes: 0,
      etag: '"v1"',
      lastModified: 'Tue, 01 Jul 2025 10:00:00 GMT',
    });
    const conditional = server.requests.filter((r) => r.path === '/feed.xml').at(-1)!.headers;
    expect(conditional['if-none-match']).toBe('"v1"');
    expect(conditional['if-modified-since']).toBe('Tue, 01 Jul 2025 10:00:00 GMT');
  });

  it('answers not-modified to If-Modified-Since alone', async () => {
    const stamp = 'Wed, 02 Jul 2025 08:00:00 GMT';
    const url = serve('/by-date.xml', (req, res) => {
      res.writeHead(req.headers['if-modified-since'] === stamp ? 304 : 200, { 'last-modified': stamp });
      res.end(req.headers['if-modified-since'] === stamp ? undefined : RSS);
    });
    const outcome = await fetchFeed(url, { limits, validators: { lastModified: stamp } });
    expect(outcome).toMatchObject({ kind: 'not-modified', status: 304, lastModified: stamp });
  });

  it('closes every socket once a fetch is over, also after a timeout', async () => {
    const stall = serve('/stall-for-sockets', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.write('<rss>');
    });
    const fine = serve('/fine-for-sockets', reply(200, { 'content-type': 'text/xml' }, RSS));
    expect((await fetchFeed(fine, { limits })).kind).toBe('fetched');
    expect(await fetchFeed(stall, { limits: { ...limits, idleTimeoutMs: 200, timeoutMs: 1000 } })).toMatchObject({
      kind: 'failed',
      error: 'timeout',
    });
    await vi.waitFor(() => expect(server.openSockets()).toBe(0), { timeout: 2000 });
  });
});

describe('fetchFeed: content codings and the size cap', () => {
  it('decompresses gzip, deflate (zlib and raw) and br bodies, counting wire bytes', async () => {
    const cases: Array<[string, string, Buffer]> = [
      ['/gzip.xml', 'gzip', gzipSync(RSS)],
      ['/deflate.xml', 'deflate', deflateSync(RSS)],
      ['/raw-deflate.xml', 'deflate', deflateRawSync(RSS)],
      ['/br.xml', 'br', brotliCompressSync(RSS)],
    ];
    for (const [path, coding, body] of cases) {
      const url = serve(path, reply(200, { 'content-type': 'application/xml', 'content-encoding': coding }, body));
      const outcome = expectKind(await fetchFeed(url, { limits }), 'fetched');
      expect(outcome.body, path).toBe(RSS);
      expect(outcome.bytes, path).toBe(body.length);
    }
  });

  it('refuses a plain body over the cap: by Content-Length, and streamed without one', async () => {
    const big = 'x'.repeat(limits.maxBytes + 1);
    const declared = serve('/big-declared.xml', reply(200, { 'content-type': 'text/xml', 'content-length': String(big.length) }, big));
    const streamed = serve('/big-streamed.xml', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' }); // chunked: no Content-Length
      for (let i = 0; i < 4; i += 1) res.write(big.slice(0, big.length / 2));
      res.end();
    });

    const a = await fetchFeed(declared, { limits });
    expect(a).toMatchObject({ kind: 'failed', error: 'too-large', status: 200 });
    expect((a as { message: string }).message).toContain(`body exceeded ${limits.maxBytes} bytes on the wire`);
    expect(a.bytes).toBe(0);

    const b = await fetchFeed(streamed, { limits });
    expect(b).toMatchObject({ kind: 'failed', error: 'too-large', message: `body exceeded ${limits.maxBytes} bytes on the wire` });
    expect(b.bytes).toBeGreaterThan(limits.maxBytes);
    expect(b.bytes).toBeLessThan(limits.maxBytes * 2);
  });

  it('cuts a small gzip body that inflates past the cap (a gzip bomb)', async () => {
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(limits.maxBytes);
    const url = serve('/bomb.xml.gz', reply(200, { 'content-type': 'text/xml', 'content-encoding': 'gzip' }, bomb));
    const outcome = await fetchFeed(url, { limits });
    expect(outcome).toMatchObject({
      kind: 'failed',
      error: 'too-large',
      message: `body exceeded ${limits.maxBytes} bytes after decompression`,
    });
    expect(outcome.bytes).toBeLessThanOrEqual(bomb.length);
  });

  it('cuts a brotli bomb the same way', async () => {
    const bomb = brotliCompressSync(Buffer.alloc(20 * 1024 * 1024, 0x41));
    const url = serve('/bomb.xml.br', reply(200, { 'content-type': 'text/xml', 'content-encoding': 'br' }, bomb));
    expect(await fetchFeed(url, { limits })).toMatchObject({ kind: 'failed', error: 'too-large' });
  });

  it('reports a corrupt gzip body and an unsupported coding as decode failures', async () => {
    const corrupt = serve('/corrupt.gz', reply(200, { 'content-encoding': 'gzip' }, Buffer.from('not gzip at all')));
    const zstd = serve('/zstd.xml', reply(200, { 'content-encoding': 'zstd' }, Buffer.from('whatever')));
    const a = await fetchFeed(corrupt, { limits });
    expect(a).toMatchObject({ kind: 'failed', error: 'decode' });
    expect((a as { message: string }).message).toMatch(/could not decompress the gzip body/);
    expect(await fetchFeed(zstd, { limits })).toMatchObject({
      kind: 'failed',
      error: 'decode',
      message: 'unsupported Content-Encoding "zstd" (we ask for gzip, deflate or br)',
    });
  });
});

describe('fetchFeed: timeouts', () => {
  it('cuts a server that sends one byte at a time by the total timeout', async () => {
    const url = serve('/trickle.xml', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      const timer = setInterval(() => res.write('x'), 50);
      res.on('close', () => clearInterval(timer));
    });
    const started = Date.now();
    const outcome = await fetchFeed(url, { limits: { ...limits, timeoutMs: 600, idleTimeoutMs: 400 } });
    expect(outcome).toMatchObject({ kind: 'failed', error: 'timeout', message: 'no complete response within 600 ms (fetch.timeoutMs)' });
    expect(outcome.bytes).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('cuts a server that never answers by the idle timeout', async () => {
    const url = serve('/silent.xml', () => {
      /* accepts the request and never answers */
    });
    const outcome = await fetchFeed(url, { limits: { ...limits, timeoutMs: 2000, idleTimeoutMs: 300 } });
    expect(outcome).toMatchObject({
      kind: 'failed',
      error: 'timeout',
      message: `no response headers from 127.0.0.1:${server.port} for 300 ms (fetch.idleTimeoutMs)`,
    });
  });

  it('cuts a server that never answers by the total timeout when that is shorter', async () => {
    const url = serve('/silent-long.xml', () => {
      /* accepts the request and never answers */
    });
    const outcome = await fetchFeed(url, { limits: { ...limits, timeoutMs: 300, idleTimeoutMs: 5000 } });
    expect(outcome).toMatchObject({ kind: 'failed', error: 'timeout', message: 'no complete response within 300 ms (fetch.timeoutMs)' });
  });

  it('cuts a server that stalls mid-body by the idle timeout', async () => {
    const url = serve('/stall.xml', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.write('<?xml version="1.0"?><rss><channel>');
    });
    const outcome = await fetchFeed(url, { limits: { ...limits, timeoutMs: 3000, idleTimeoutMs: 300 } });
    expect(outcome).toMatchObject({
      kind: 'failed',
      error: 'timeout',
      message: `body from 127.0.0.1:${server.port} stalled: no bytes for 300 ms (fetch.idleTimeoutMs)`,
    });
    expect(outcome.bytes).toBe('<?xml version="1.0"?><rss><channel>'.length);
  });

  it('does not restart the total timeout on each redirect', async () => {
    // Each hop answers well within the idle timeout; together they exceed the total.
    const slowRedirect = (next: string): Handler => (_req, res) => {
      const timer = setTimeout(() => {
        res.writeHead(302, { location: next });
        res.end();
      }, 200);
      res.on('close', () => clearTimeout(timer));
    };
    serve('/slow-hop-3', reply(200, { 'content-type': 'text/xml' }, RSS));
    serve('/slow-hop-2', slowRedirect('/slow-hop-3'));
    serve('/slow-hop-1', slowRedirect('/slow-hop-2'));
    const url = serve('/slow-hop-0', slowRedirect('/slow-hop-1'));
    const outcome = await fetchFeed(url, { limits: { ...limits, timeoutMs: 500, idleTimeoutMs: 400 } });
    expect(outcome).toMatchObject({ kind: 'failed', error: 'timeout', message: 'no complete response within 500 ms (fetch.timeoutMs)' });
  });

  it('cuts a connection that never gets going by the idle timeout', async () => {
    // A name whose lookup never answers keeps the socket connecting.
    const resolve = () => new Promise<never>(() => undefined);
    const outcome = await fetchFeed('http://slow-dns.example/rss', {
      limits: { ...limits, timeoutMs: 3000, idleTimeoutMs: 300, allowPrivateHosts: ['slow-dns.example'] },
      resolve,
    });
    expect(outcome).toMatchObject({
      kind: 'failed',
      error: 'timeout',
      message: 'could not connect to slow-dns.example within 300 ms (fetch.idleTimeoutMs)',
    });
  });

  it("honours the caller's abort signal", async () => {
    const url = serve('/silent-for-signal.xml', () => {
      /* never answers */
    });
    const controller = new AbortController();
    const pending = fetchFeed(url, { limits, signal: controller.signal });
    await vi.waitFor(() => expect(server.requests.some((r) => r.path === '/silent-for-signal.xml')).toBe(true));
    controller.abort();
    const outcome = await pending;
    expect(outcome).toMatchObject({ kind: 'failed', error: 'timeout' });
    expect((outcome as { message: string }).message).toMatch(/caller's deadline/);
  });
});

describe('fetchFeed: raw sockets', () => {
  let raw: TcpServer;
  let rawPort = 0;
  const sockets = new Set<Socket>();
  let behaviour: (socket: Socket) => void = () => undefined;

  beforeAll(async () => {
    raw = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      socket.once('data', () => behaviour(socket));
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', () => resolve()));
    rawPort = (raw.address() as AddressInfo).port;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => raw.close(() => resolve()));
  });

  it('cuts a server that trickles its status line and headers one byte at a time', async () => {
    behaviour = (socket) => {
      const head = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nX-Padding: ' + 'p'.repeat(200) + '\r\n\r\n');
      let i = 0;
      const timer = setInterval(() => {
        if (i < head.length && !socket.destroyed) socket.write(head.subarray(i, ++i));
      }, 40);
      socket.on('close', () => clearInterval(timer));
    };
    const outcome = await fetchFeed(`http://127.0.0.1:${rawPort}/`, { limits: { ...limits, timeoutMs: 600, idleTimeoutMs: 5000 } });
    expect(outcome).toMatchObject({ kind: 'failed', error: 'timeout', message: 'no complete response within 600 ms (fetch.timeoutMs)' });
    await vi.waitFor(() => expect(sockets.size).toBe(0), { timeout: 2000 });
  });

  it('reports a response that is not HTTP', async () => {
    behaviour = (socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n');
    const outcome = await fetchFeed(`http://127.0.0.1:${rawPort}/`, { limits });
    expect(outcome).toMatchObject({ kind: 'failed', error: 'connect' });
    expect((outcome as { message: string }).message).toMatch(new RegExp(`^invalid HTTP response from 127\\.0\\.0\\.1:${rawPort}`));
  });

  it('reports a connection closed before any answer', async () => {
    behaviour = (socket) => socket.end();
    const outcome = await fetchFeed(`http://127.0.0.1:${rawPort}/`, { limits });
    expect(outcome).toEqual({
      kind: 'failed',
      url: `http://127.0.0.1:${rawPort}/`,
      error: 'connect',
      message: `127.0.0.1:${rawPort} closed the connection before answering`,
      bytes: 0,
    });
  });

  it('refuses response headers over 16 KiB', async () => {
    behaviour = (socket) => socket.end(`HTTP/1.1 200 OK\r\nX-Padding: ${'p'.repeat(17 * 1024)}\r\nContent-Length: 5\r\n\r\n<rss>`);
    const outcome = await fetchFeed(`http://127.0.0.1:${rawPort}/`, { limits });
    expect(outcome).toMatchObject({
      kind: 'failed',
      error: 'too-large',
      message: `response headers from 127.0.0.1:${rawPort} are too large (over 16384 bytes)`,
    });
  });

  it('refuses a response that smuggles a second Content-Length', async () => {
    behaviour = (socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n<rss>');
    const outcome = await fetchFeed(`http://127.0.0.1:${rawPort}/`, { limits });
    expect(outcome).toMatchObject({ kind: 'failed', error: 'connect' });
    expect((outcome as { message: string }).message).toMatch(new RegExp(`^invalid HTTP response from 127\\.0\\.0\\.1:${rawPort}`));
  });

  it('reports a connection closed before the declared body was complete', async () => {
    behaviour = (socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n<rss>');
    const outcome = await fetchFeed(`http://127.0.0.1:${rawPort}/`, { limits });
    expect(outcome).toMatchObject({ kind: 'failed', error: 'connect', status: 200, bytes: 5 });
    expect((outcome as { message: string }).message).toMatch(/^127\.0\.0\.1:\d+ closed the connection before the body was complete$/);
  });
});

describe('fetchFeed: redirects', () => {
  it('follows a chain within the limit and reports the final URL; 302 leaves movedTo unset', async () => {
    const final = serve('/chain-end.xml', reply(200, { 'content-type': 'text/xml' }, RSS));
    serve('/chain-2', redirect(301, '/chain-end.xml'));
    serve('/chain-1', redirect(302, `${server.origin}/chain-2`));
    const start = serve('/chain-0', redirect(301, '/chain-1'));
    const outcome = expectKind(await fetchFeed(start, { limits }), 'fetched');
    expect(outcome.url).toBe(final);
    expect(outcome.body).toBe(RSS);
    expect(outcome.movedTo).toBeUndefined();
  });

  it('sets movedTo when every hop was permanent (301, 308)', async () => {
    const final = serve('/moved-end.xml', reply(200, { 'content-type': 'text/xml' }, RSS));
    serve('/moved-1', redirect(308, '/moved-end.xml'));
    const start = serve('/moved-0', redirect(301, '/moved-1'));
    const outcome = expectKind(await fetchFeed(start, { limits }), 'fetched');
    expect(outcome).toMatchObject({ url: final, movedTo: final });
  });

  it('keeps movedTo on a 304 after a permanent move', async () => {
    const final = serve('/moved-304-end.xml', reply(304, { etag: '"e"' }));
    const start = serve('/moved-304', redirect(301, '/moved-304-end.xml'));
    expect(await fetchFeed(start, { limits, validators: { etag: '"e"' } })).toEqual({
      kind: 'not-modified',
      url: final,
      status: 304,
      bytes: 0,
      etag: '"e"',
      movedTo: final,
    });
  });

  it('detects a redirect loop', async () => {
    serve('/loop-b', redirect(302, '/loop-a'));
    const start = serve('/loop-a', redirect(302, '/loop-b'));
    const outcome = await fetchFeed(start, { limits: { ...limits, maxRedirects: 10 } });
    expect(outcome).toMatchObject({
      kind: 'failed',
      error: 'too-many-redirects',
      message: `redirect loop: ${server.origin}/loop-b redirects back to ${start}`,
    });
  });

  it('refuses a chain longer than maxRedirects', async () => {
    for (let i = 0; i < 5; i += 1) serve(`/long-${i}`, redirect(302, `/long-${i + 1}`));
    serve('/long-5', reply(200, {}, RSS));
    const outcome = await fetchFeed(`${server.origin}/long-0`, { limits: { ...limits, maxRedirects: 3 } });
    expect(outcome).toMatchObject({
      kind: 'failed',
      error: 'too-many-redirects',
      url: `${server.origin}/long-3`,
      message: `more than 3 redirects (fetch.maxRedirects); next was ${server.origin}/long-4`,
    });
    expect(server.requests.some((r) => r.path === '/long-4')).toBe(false);
  });

  it('refuses redirects to file:, ftp: and other schemes, and one without Location', async () => {
    const toFile = serve('/to-file', redirect(302, 'file:///etc/passwd'));
    const toFtp = serve('/to-ftp', redirect(301, 'ftp://127.0.0.1/feed.xml'));
    const toGopher = serve('/to-gopher', redirect(307, 'gopher://127.0.0.1/'));
    const noLocation = serve('/no-location', reply(302, {}));
    expect(await fetchFeed(toFile, { limits })).toMatchObject({
      kind: 'failed',
      error: 'bad-redirect',
      status: 302,
      url: toFile,
      message: 'redirect to file: URL refused: only http and https are fetched',
    });
    expect(await fetchFeed(toFtp, { limits })).toMatchObject({ kind: 'failed', error: 'bad-redirect' });
    expect(await fetchFeed(toGopher, { limits })).toMatchObject({ kind: 'failed', error: 'bad-redirect' });
    expect(await fetchFeed(noLocation, { limits })).toMatchObject({
      kind: 'failed',
      error: 'bad-redirect',
      message: `redirect from ${noLocation} has no Location header`,
    });
  });
});

describe('fetchFeed: status mapping', () => {
  it('maps 404 and 410 to gone, 500 to http-status', async () => {
    expect(await fetchFeed(serve('/404', reply(404, {}, 'nope')), { limits })).toMatchObject({
      kind: 'failed',
      error: 'gone',
      status: 404,
      message: 'the server answered 404 Not Found',
    });
    expect(await fetchFeed(serve('/410', reply(410, {})), { limits })).toMatchObject({ kind: 'failed', error: 'gone', status: 410 });
    expect(await fetchFeed(serve('/500', reply(500, {}, 'boom')), { limits })).toMatchObject({
      kind: 'failed',
      error: 'http-status',
      status: 500,
      message: 'the server answered HTTP 500',
    });
  });

  it('maps 429 with Retry-After seconds and 503 with an HTTP date to rate-limited', async () => {
    const a = await fetchFeed(serve('/429', reply(429, { 'retry-after': '120' })), { limits });
    expect(a).toMatchObject({ kind: 'failed', error: 'rate-limited', status: 429, retryAfterSeconds: 120 });

    const at = new Date(Date.now() + 300_000).toUTCString();
    const b = await fetchFeed(serve('/503', reply(503, { 'retry-after': at })), { limits });
    expect(b).toMatchObject({ kind: 'failed', error: 'rate-limited', status: 503 });
    const seconds = (b as { retryAfterSeconds?: number }).retryAfterSeconds;
    expect(seconds).toBeGreaterThanOrEqual(290);
    expect(seconds).toBeLessThanOrEqual(301);

    const c = await fetchFeed(serve('/503-bare', reply(503, {})), { limits });
    expect(c).toMatchObject({ kind: 'failed', error: 'rate-limited' });
    expect(c).not.toHaveProperty('retryAfterSeconds');
  });

  it('reports a refused connection and an unresolvable name', async () => {
    const closed = await startLoopbackServer();
    const deadOrigin = closed.origin;
    await closed.close();
    expect(await fetchFeed(`${deadOrigin}/feed.xml`, { limits })).toMatchObject({ kind: 'failed', error: 'connect' });
    // A resolver that fails like getaddrinfo does, so the test needs no network.
    const resolve = async (hostname: string) => {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    };
    const unresolvable = await fetchFeed('http://feed.invalid/rss', { limits, resolve });
    expect(unresolvable).toMatchObject({ kind: 'failed', error: 'dns' });
    expect((unresolvable as { message: string }).message).toBe('could not resolve feed.invalid (ENOTFOUND)');
  });

  it('reports invalid and non-http URLs without any traffic', async () => {
    expect(await fetchFeed('not a url', { limits })).toMatchObject({ kind: 'failed', error: 'invalid-url', bytes: 0 });
    expect(await fetchFeed('file:///etc/passwd', { limits })).toMatchObject({
      kind: 'failed',
      error: 'invalid-url',
      message: 'file: URLs are not fetched: only http and https',
    });
  });
});

describe('fetchFeed: charsets', () => {
  const cyrillic = 'Фонд НАТО для України';

  it('decodes windows-1251 declared only in the XML prolog', async () => {
    const xml = `<?xml version="1.0" encoding="windows-1251"?><rss><channel><title>${cyrillic}</title></channel></rss>`;
    const url = serve('/cp1251.xml', reply(200, { 'content-type': 'application/rss+xml' }, iconv.encode(xml, 'windows-1251')));
    const outcome = expectKind(await fetchFeed(url, { limits }), 'fetched');
    expect(outcome.charset).toBe('windows-1251');
    expect(outcome.body).toBe(xml);
  });

  it('decodes iso-8859-1 named in the header', async () => {
    const xml = '<?xml version="1.0"?><rss><channel><title>Café crème à Genève</title></channel></rss>';
    const url = serve('/latin1.xml', reply(200, { 'content-type': 'text/xml; charset=ISO-8859-1' }, iconv.encode(xml, 'latin1')));
    const outcome = expectKind(await fetchFeed(url, { limits }), 'fetched');
    expect(outcome.charset).toBe('iso-8859-1');
    expect(outcome.body).toBe(xml);
  });

  it('strips a UTF-8 byte order mark', async () => {
    const xml = `<?xml version="1.0"?><rss><channel><title>${cyrillic}</title></channel></rss>`;
    const url = serve('/utf8-bom.xml', reply(200, { 'content-type': 'application/xml' }, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)])));
    const outcome = expectKind(await fetchFeed(url, { limits }), 'fetched');
    expect(outcome.charset).toBe('utf-8');
    expect(outcome.body).toBe(xml);
  });

  it('decodes UTF-16LE with a byte order mark', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-16"?><rss><channel><title>${cyrillic}</title></channel></rss>`;
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
    const outcome = expectKind(await fetchFeed(serve('/utf16le.xml', reply(200, { 'content-type': 'application/xml' }, bytes)), { limits }), 'fetched');
    expect(outcome.charset).toBe('utf-16le');
    expect(outcome.body).toBe(xml);
  });

  it('lets the BOM win over a wrong header charset', async () => {
    const xml = `<?xml version="1.0"?><rss><channel><title>${cyrillic}</title></channel></rss>`;
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)]);
    const url = serve('/bom-vs-header.xml', reply(200, { 'content-type': 'text/xml; charset=windows-1251' }, bytes));
    const outcome = expectKind(await fetchFeed(url, { limits }), 'fetched');
    expect(outcome.charset).toBe('utf-8');
    expect(outcome.body).toBe(xml);
  });

  it('decodes an unknown charset label as UTF-8 and says so', async () => {
    const xml = `<rss><channel><title>${cyrillic}</title></channel></rss>`;
    const url = serve('/unknown-charset.xml', reply(200, { 'content-type': 'text/xml; charset=x-made-up' }, Buffer.from(xml)));
    const outcome = expectKind(await fetchFeed(url, { limits }), 'fetched');
    expect(outcome).toMatchObject({
      charset: 'utf-8',
      body: xml,
      charsetWarning: 'unknown charset "x-made-up" in the Content-Type header; decoded as UTF-8',
    });
  });
});

describe('fetchFeed: https', () => {
  it('verifies the certificate, sending the host name as SNI', async () => {
    const serverNames: string[] = [];
    const tls = createHttpsServer({
      key: SELF_SIGNED_KEY,
      cert: SELF_SIGNED_CERT,
      SNICallback: (name, done) => {
        serverNames.push(name);
        done(null);
      },
    });
    let requests = 0;
    tls.on('request', (_req, res) => {
      requests += 1;
      res.end(RSS);
    });
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', () => resolve()));
    const { port } = tls.address() as AddressInfo;
    try {
      const outcome = await fetchFeed(`https://localhost:${port}/feed.xml`, { limits: { ...limits, allowPrivateHosts: ['localhost'] } });
      expect(outcome).toMatchObject({ kind: 'failed', error: 'connect', url: `https://localhost:${port}/feed.xml` });
      expect((outcome as { message: string }).message).toMatch(/^connection to localhost:\d+ failed: self[- ]signed certificate/);
      expect(serverNames).toEqual(['localhost']);
      expect(requests).toBe(0);
    } finally {
      tls.closeAllConnections();
      await new Promise<void>((resolve) => tls.close(() => resolve()));
    }
  });
});
