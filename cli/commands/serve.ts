import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Command, CommanderError } from 'commander';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { SignatureV4 } from '@smithy/signature-v4';
import { DEFAULT_DATA_DIR } from '#cli/local-store.ts';
import { UsageError } from '#cli/errors.ts';
import { localLambdaContext } from '#cli/local-lambda-context.ts';
import { localUserName } from '#cli/local-user.ts';
import { crossSiteWriteReason } from '#shared/query/same-origin.ts';

/**
 * `fundwatch serve`: the query API's own Lambda handler behind a loopback HTTP server, so the
 * API (and the web page it will serve) behaves locally exactly as deployed. With `--aws` it is
 * instead a signing proxy to the deployed API, for using the web page against AWS.
 */

type ApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

const MAX_BODY_BYTES = 1024 * 1024;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'content-encoding']);

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A node:http request as API Gateway's HTTP API (payload v2) would hand it to the Lambda. */
export function toApiEvent(req: IncomingMessage, body: Buffer, domainName: string): APIGatewayProxyEventV2 {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const rawQueryString = q < 0 ? '' : target.slice(q + 1);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  // Like API Gateway, the server says how it was reached; a client cannot claim https.
  headers['x-forwarded-proto'] = 'http';
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    queryStringParameters[name] = name in queryStringParameters ? `${queryStringParameters[name]},${value}` : value;
  }
  const method = (req.method ?? 'GET').toUpperCase();
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers,
    ...(rawQueryString ? { queryStringParameters } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method,
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: body.length > 0,
    ...(body.length > 0 ? { body: body.toString('base64') } : {}),
  };
}

function send(res: ServerResponse, statusCode: number, headers: Record<string, unknown>, body: Buffer): void {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && value !== null) out[name] = String(value);
  }
  out['Content-Length'] = String(body.length);
  res.writeHead(statusCode, out);
  res.end(body);
}

const INTERNAL = Buffer.from(JSON.stringify({ error: 'internal' }));
const JSON_TYPE = { 'Content-Type': 'application/json; charset=utf-8' };

/**
 * The names a browser uses for a loopback server. Any other Host is a page that re-pointed its
 * own name at 127.0.0.1 (DNS rebinding): the browser would then treat the server as that page's
 * origin and let it read the store, label matches, or (through the proxy) use whatever the proxy
 * signs with the analyst's credentials.
 */
const LOOPBACK_HOST = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d{1,5})?$/i;

const MISDIRECTED = Buffer.from(JSON.stringify({ error: 'forbidden', message: 'open the page as http://127.0.0.1:<port>/ (other host names are refused)' }));

/** Serves an HTTP API v2 handler on the loopback interface. */
export async function startApiServer(options: { handler: ApiHandler; port?: number; host?: string; onError?: (err: unknown) => void }): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const host = options.host ?? '127.0.0.1';
  let domainName = host;
  const server = createServer((req, res) => {
    void (async () => {
      try {
        if (!LOOPBACK_HOST.test(req.headers.host ?? '')) {
          send(res, 403, JSON_TYPE, MISDIRECTED);
          return;
        }
        const body = await readBody(req);
        const result = await options.handler(toApiEvent(req, body, domainName), localLambdaContext('fundwatch-query-local'));
        if (typeof result === 'string' || result === undefined || result === null) {
          send(res, 200, JSON_TYPE, Buffer.from(typeof result === 'string' ? result : ''));
          return;
        }
        const payload = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
        send(res, result.statusCode ?? 200, result.headers ?? {}, payload);
      } catch (err) {
        options.onError?.(err);
        if (!res.headersSent) send(res, 500, JSON_TYPE, INTERNAL);
        else res.destroy();
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  domainName = `${host}:${port}`;
  return {
    server,
    url: `http://${domainName}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `--aws`: every request is re-sent to the deployed API, signed with the caller's credentials. */
export function signingProxyHandler(
  apiUrl: string,
  signer: SignatureV4,
  signedFetch: typeof import('#shared/query/api-client.ts').signedFetch,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const base = new URL(apiUrl);
  return async (req, res) => {
    if (!LOOPBACK_HOST.test(req.headers.host ?? '')) {
      send(res, 403, JSON_TYPE, MISDIRECTED);
      return;
    }
    // The API never sees the browser's Origin (it is not forwarded), so the proxy judges it.
    const method = (req.method ?? 'GET').toUpperCase();
    const crossSite = method === 'GET' || method === 'HEAD' ? undefined : crossSiteWriteReason(req.headers, [`http://${req.headers.host}`]);
    if (crossSite) {
      send(res, 403, JSON_TYPE, Buffer.from(JSON.stringify({ error: 'forbidden', message: crossSite })));
      return;
    }
    const body = await readBody(req);
    const target = new URL((req.url ?? '/').replace(/^\/+/, '/'), base);
    if (target.origin !== base.origin) throw new Error('refusing to proxy outside the API');
    const headers: Record<string, string> = {};
    for (const name of ['accept', 'content-type', 'accept-language']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const upstream = await signedFetch(signer, { method, url: target.href, headers, body });
    const out: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (!HOP_BY_HOP.has(name)) out[name] = value;
    });
    send(res, upstream.status, out, Buffer.from(await upstream.arrayBuffer()));
  };
}

function parsePort(value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new UsageError(`--port: expected an integer from 0 to 65535, got ${JSON.stringify(value)}`);
  return port;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('Serve the query API (and its web page) on 127.0.0.1, on the local store or, with --aws, as a signing proxy to the deployed API.')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '8787')
    .option('--data-dir <dir>', 'local data directory', DEFAULT_DATA_DIR)
    .option('--aws', 'proxy to the deployed stack\'s API, signing requests with your AWS credentials')
    .exitOverride(usageExit)
    .action(async (opts: { port: string; dataDir: string; aws?: boolean }) => {
      const port = parsePort(opts.port);
      // Loaded on use, so the rest of the CLI never depends on what this command needs.
      if (opts.aws) {
        const { readStackOutputs } = await import('#cli/aws-stack.ts');
        const { createSigner, regionOfApiUrl, signedFetch } = await import('#shared/query/api-client.ts');
        const outputs = await readStackOutputs();
        const region = regionOfApiUrl(outputs.apiUrl) ?? outputs.region;
        const proxy = signingProxyHandler(outputs.apiUrl, createSigner({ region }), signedFetch);
        const server = createServer((req, res) => {
          proxy(req, res).catch((err: unknown) => {
            process.stderr.write(`fundwatch serve: proxy error: ${err instanceof Error ? err.message : String(err)}\n`);
            if (!res.headersSent) send(res, 502, JSON_TYPE, Buffer.from(JSON.stringify({ error: 'bad_gateway' })));
            else res.destroy();
          });
        });
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, '127.0.0.1', () => resolve());
        });
        const { port: actual } = server.address() as AddressInfo;
        process.stdout.write(`fundwatch serve: proxying http://127.0.0.1:${actual} to ${outputs.apiUrl} (signed, ${region}); Ctrl-C to stop\n`);
        await untilSignal();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        return;
      }
      const { openLocalStore } = await import('#cli/local-store.ts');
      const { loadTopicPack } = await import('#shared/classify/topic-pack.ts');
      const { createDynamoQueryService } = await import('#shared/query/create.ts');
      const { createHandler } = await import('#functions/query.ts');
      const { createFeedbackService } = await import('#shared/feedback/service.ts');
      const { DynamoFeedbackStore } = await import('#shared/feedback/dynamo-feedback-store.ts');
      const local = await openLocalStore(opts.dataDir);
      try {
        const topicPack = await loadTopicPack('default');
        const service = createDynamoQueryService({ client: local.doc, tableName: local.tableName, topicPack });
        const feedback = createFeedbackService({
          store: new DynamoFeedbackStore({ client: local.doc, tableName: local.tableName }),
          topicIds: topicPack.topics.map((t) => t.id),
        });
        const logger = new Logger({ serviceName: 'fundwatch-serve', logLevel: 'WARN' });
        const api = await startApiServer({
          handler: createHandler({ service, feedback, localCaller: localUserName(), logger }) as unknown as ApiHandler,
          port,
          onError: (err) => logger.error('local server error', { error: err as Error }),
        });
        process.stdout.write(`fundwatch serve: query API on ${api.url} (data in ${local.dataDir}); Ctrl-C to stop\n`);
        await untilSignal();
        await api.close();
      } finally {
        await local.stop();
      }
    });
}

/** Commander's own errors (unknown flag, missing value) are usage errors: exit 2, not 1. */
export function usageExit(err: CommanderError): never {
  if (err.exitCode === 0) throw err;
  throw new CommanderError(2, err.code, err.message);
}
