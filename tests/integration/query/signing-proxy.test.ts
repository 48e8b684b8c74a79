import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signingProxyHandler } from '#cli/commands/serve.ts';
import { createSigner, signedFetch } from '#shared/query/api-client.ts';

/**
 * `fundwatch serve --aws`: a loopback proxy that signs each request for the deployed API. Here the
 * "API" is a real HTTP server on 127.0.0.1 that records what reaches it.
 */

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const seen: Seen[] = [];
let upstream: Server;
let proxy: Server;
let proxyPort = 0;

const listen = (server: Server) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(200, { 'content-type': 'application/json', connection: 'keep-alive' }).end('{"items":[]}');
    });
  });
  const apiUrl = `http://127.0.0.1:${await listen(upstream)}/`;
  const signer = createSigner({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' } });
  const handler = signingProxyHandler(apiUrl, signer, signedFetch);
  proxy = createServer((req, res) => void handler(req, res));
  proxyPort = await listen(proxy);
});

afterAll(async () => {
  await new Promise((resolve) => proxy.close(resolve));
  await new Promise((resolve) => upstream.close(resolve));
});

/** A request to the proxy with the Host header a browser would send for `host`. */
function viaProxy(path: string, host: string, options: { method?: string; body?: string; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: proxyPort, path, method: options.method ?? 'GET', headers: { ...options.headers, host } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('fundwatch serve --aws: the signing proxy', () => {
  it('signs each request with SigV4 for execute-api and relays the answer, keeping path and query', async () => {
    seen.length = 0;
    const answer = await viaProxy('/updates?topic=us-aid&q=aid%20gap', `127.0.0.1:${proxyPort}`, { headers: { accept: 'application/json', cookie: 'session=1' } });
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('{"items":[]}');
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request!.url).toBe('/updates?topic=us-aid&q=aid%20gap');
    expect(request!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/);
    expect(request!.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    // Only the headers the API reads are passed on: the browser's cookies stay on the laptop.
    expect(request!.headers.accept).toBe('application/json');
    expect(request!.headers.cookie).toBeUndefined();
  });

  it.each(['localhost', `localhost:${'PORT'}`, '[::1]:8787', '127.0.0.1'])('accepts the loopback name %s', async (host) => {
    const answer = await viaProxy('/topics', host.replace('PORT', String(proxyPort)));
    expect(answer.status).toBe(200);
  });

  it.each(['attacker.example', `attacker.example:${'PORT'}`, '127.0.0.1.attacker.example', 'localhost.evil:80'])(
    'refuses the host name %s (DNS rebinding) with a 403, signing and sending nothing',
    async (host) => {
      seen.length = 0;
      const answer = await viaProxy('/updates', host.replace('PORT', String(proxyPort)));
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body)).toMatchObject({ error: 'forbidden' });
      expect(seen).toEqual([]);
    },
  );

  it('passes a write from the page itself on, signed, with its JSON body', async () => {
    seen.length = 0;
    const host = `127.0.0.1:${proxyPort}`;
    const answer = await viaProxy('/updates/abc/feedback', host, {
      method: 'POST',
      body: '{"verdict":"not-relevant"}',
      headers: { 'content-type': 'application/json', origin: `http://${host}`, 'sec-fetch-site': 'same-origin' },
    });
    expect(answer.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/updates/abc/feedback', body: '{"verdict":"not-relevant"}' });
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(seen[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
    // The API never sees the browser's Origin: the proxy is what judges it.
    expect(seen[0]!.headers.origin).toBeUndefined();
  });

  it.each([
    ['another site', { origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' }],
    ['a foreign Origin alone', { origin: 'https://attacker.example' }],
    ['Sec-Fetch-Site cross-site alone', { 'sec-fetch-site': 'cross-site' }],
  ])('refuses a write from %s with a 403, signing and sending nothing', async (_, headers) => {
    seen.length = 0;
    const answer = await viaProxy('/updates/abc/feedback', `127.0.0.1:${proxyPort}`, {
      method: 'POST',
      body: '{"verdict":"not-relevant"}',
      headers: { 'content-type': 'application/json', ...headers },
    });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'forbidden' });
    expect(seen).toEqual([]);
  });
});
