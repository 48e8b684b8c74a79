import http, { type ClientRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { urlToHttpOptions } from 'node:url';

/**
 * One request over node:http / node:https (a feed GET, a webhook POST), without following redirects. Every way an exchange can
 * end early (idle socket, early close) surfaces as a typed error, from the request or from the
 * body, so the fetcher can say what went wrong in words.
 */

/** Node's own default, stated so that a runtime flag (--max-http-header-size) cannot raise it. */
export const MAX_HEADER_BYTES = 16 * 1024;

export type IdlePhase = 'connect' | 'headers' | 'body';

export class IdleTimeoutError extends Error {
  override readonly name = 'IdleTimeoutError';
  constructor(
    readonly phase: IdlePhase,
    readonly idleTimeoutMs: number,
  ) {
    super(`no bytes for ${idleTimeoutMs} ms while waiting for the ${phase}`);
  }
}

export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError';
  constructor(readonly before: 'answering' | 'the body was complete') {
    super(`connection closed before ${before}`);
  }
}

export interface HttpGetOptions {
  agent: http.Agent;
  headers: Record<string, string>;
  signal: AbortSignal;
  /** No bytes in either direction for this long, while connecting or reading. */
  idleTimeoutMs: number;
}

export interface HttpRequestOptions extends HttpGetOptions {
  method: 'GET' | 'POST';
  body?: Uint8Array;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Body bytes as they come off the wire (de-chunked, still content-coded). */
  body: AsyncIterable<Uint8Array>;
  /** Drops whatever is left of the body, and the socket with it. */
  close(): void;
}

export function httpGet(url: URL, options: HttpGetOptions): Promise<HttpResponse> {
  return httpRequest(url, { ...options, method: 'GET' });
}

export function httpRequest(url: URL, options: HttpRequestOptions): Promise<HttpResponse> {
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise<HttpResponse>((resolve, reject) => {
    // The first cause we know of; tearing the socket down makes node report a generic abort,
    // which must not hide it.
    let failure: Error | undefined;
    let response: IncomingMessage | undefined;

    const req: ClientRequest = send({
      ...urlToHttpOptions(url),
      method: options.method,
      agent: options.agent,
      headers: options.headers,
      signal: options.signal,
      maxHeaderSize: MAX_HEADER_BYTES,
      insecureHTTPParser: false,
      rejectUnauthorized: true,
    });
    const fail = (err: Error): void => {
      failure ??= err;
      req.destroy(failure);
    };
    const cause = (err: unknown): unknown => failure ?? earlyClose(err, response === undefined ? 'answering' : 'the body was complete');

    req.once('socket', (socket: Socket) => {
      socket.setTimeout(options.idleTimeoutMs, () => {
        const phase: IdlePhase = socket.connecting ? 'connect' : response === undefined ? 'headers' : 'body';
        fail(new IdleTimeoutError(phase, options.idleTimeoutMs));
      });
    });
    req.on('error', (err) => reject(cause(err)));
    // A socket closed without a response and without an error still settles the exchange.
    req.once('close', () => reject(failure ?? new ConnectionClosedError('answering')));
    req.once('response', (res: IncomingMessage) => {
      response = res;
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: (async function* body() {
          try {
            for await (const chunk of res) yield chunk as Buffer;
          } catch (err) {
            throw cause(err);
          }
        })(),
        close: () => {
          res.destroy();
          req.destroy();
        },
      });
    });
    req.end(options.body);
  });
}

/** Node reports a peer that hung up mid-exchange as ECONNRESET ("socket hang up", "aborted"). */
function earlyClose(err: unknown, before: ConnectionClosedError['before']): unknown {
  return (err as { code?: unknown } | null)?.code === 'ECONNRESET' ? new ConnectionClosedError(before) : err;
}
