import type { IncomingHttpHeaders } from 'node:http';
import { isIpLiteral, judgeAddress } from '#shared/fetch/address-guard.ts';
import { decodeBody } from '#shared/fetch/charset.ts';
import { BodyDecodeError, BodyTooLargeError, parseContentEncoding, readBoundedBody, type WireMeter } from '#shared/fetch/decompress.ts';
import { BlockedAddressError, DnsLookupError, createGuardedAgent, type GuardedAgents, type Resolver } from '#shared/fetch/guarded-agent.ts';
import { ConnectionClosedError, IdleTimeoutError, MAX_HEADER_BYTES, httpGet, type HttpResponse } from '#shared/fetch/http-get.ts';
import {
  PERMANENT_REDIRECT_STATUSES,
  REDIRECT_STATUSES,
  parseFeedUrl,
  resolveRedirect,
} from '#shared/fetch/redirect-policy.ts';
import { parseRetryAfter } from '#shared/fetch/retry-after.ts';

/**
 * The feed fetcher: one conditional GET with our own limits, safe to point at the open web.
 * rss-parser's parseURL is not used (see DESIGN.md, "Known traps"); the pipeline hands the
 * decoded text to parseString.
 */

export type FetchErrorCode =
  | 'invalid-url'
  | 'blocked-address'
  | 'dns'
  | 'connect'
  | 'timeout'
  | 'too-large'
  | 'too-many-redirects'
  | 'bad-redirect'
  | 'http-status'
  | 'gone'
  | 'rate-limited'
  | 'decode';

export interface FetchValidators {
  etag?: string;
  lastModified?: string;
}

export interface FetchFeedOptions {
  validators?: FetchValidators;
  limits: { timeoutMs: number; idleTimeoutMs: number; maxBytes: number; maxRedirects: number; allowPrivateHosts: string[] };
  userAgent?: string;
  /** The caller's deadline (Lambda time left). */
  signal?: AbortSignal;
  /** Replaces system DNS; for tests that play a rebinding resolver. */
  resolve?: Resolver;
}

export type FetchOutcome =
  | {
      kind: 'fetched';
      url: string;
      status: number;
      body: string;
      charset: string;
      bytes: number;
      etag?: string;
      lastModified?: string;
      contentType?: string;
      movedTo?: string;
      /** Set when a declared charset was unknown and the body was decoded as UTF-8 instead. */
      charsetWarning?: string;
    }
  | { kind: 'not-modified'; url: string; status: 304; bytes: number; etag?: string; lastModified?: string; movedTo?: string }
  | {
      kind: 'failed';
      url: string;
      error: FetchErrorCode;
      message: string;
      status?: number;
      retryAfterSeconds?: number;
      bytes: number;
      movedTo?: string;
    };

export const FUNDWATCH_VERSION = '0.1.0';
export const DEFAULT_USER_AGENT = `fundwatch/${FUNDWATCH_VERSION} (+https://github.com/fundwatch/fundwatch)`;
export const FEED_ACCEPT =
  'application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5';

type Failure = Omit<Extract<FetchOutcome, { kind: 'failed' }>, 'kind' | 'url' | 'bytes' | 'movedTo'>;

/** Everything a failure message needs to know about where the fetch was. */
interface Progress {
  url: URL;
  hops: number;
  allPermanent: boolean;
  /** The final response's status, once its headers are in. */
  status?: number;
  meter: WireMeter;
}

export async function fetchFeed(url: string, options: FetchFeedOptions): Promise<FetchOutcome> {
  const parsed = parseFeedUrl(url);
  if (!parsed.ok) return { kind: 'failed', url, error: 'invalid-url', message: parsed.reason, bytes: 0 };

  const { limits } = options;
  const progress: Progress = { url: parsed.url, hops: 0, allPermanent: true, meter: { bytes: 0 } };
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error('fetch.timeoutMs elapsed')), limits.timeoutMs);
  const agent = createGuardedAgent({
    allowPrivateHosts: limits.allowPrivateHosts,
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });

  try {
    const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
    return await followRedirects(progress, options, agent, signal);
  } catch (err) {
    const failure = deadline.signal.aborted
      ? { error: 'timeout' as const, message: `no complete response within ${limits.timeoutMs} ms (fetch.timeoutMs)` }
      : options.signal?.aborted
        ? { error: 'timeout' as const, message: `fetch cancelled by the caller's deadline before ${progress.url.href} was complete` }
        : describeError(err, progress, limits);
    return failed(progress, failure);
  } finally {
    clearTimeout(timer);
    // Destroy, not close: a timed-out server must not keep a socket (or the Lambda) alive.
    agent.destroy();
  }
}

async function followRedirects(
  progress: Progress,
  options: FetchFeedOptions,
  agents: GuardedAgents,
  signal: AbortSignal,
): Promise<FetchOutcome> {
  const { limits } = options;
  const visited = new Set<string>([progress.url.href]);
  const headers = requestHeaders(options);

  for (;;) {
    const literalRefusal = refuseLiteral(progress, limits.allowPrivateHosts);
    if (literalRefusal) return failed(progress, literalRefusal);

    const response = await httpGet(progress.url, {
      agent: agents.agentFor(progress.url),
      headers,
      signal,
      idleTimeoutMs: limits.idleTimeoutMs,
    });
    const { status } = response;

    if (REDIRECT_STATUSES.has(status)) {
      response.close();
      const target = resolveRedirect(progress.url, header(response.headers, 'location'));
      if (!target.ok) return failed(progress, { error: 'bad-redirect', message: target.reason, status });
      if (progress.hops + 1 > limits.maxRedirects) {
        return failed(progress, {
          error: 'too-many-redirects',
          message: `more than ${limits.maxRedirects} redirects (fetch.maxRedirects); next was ${target.url.href}`,
          status,
        });
      }
      if (visited.has(target.url.href)) {
        return failed(progress, {
          error: 'too-many-redirects',
          message: `redirect loop: ${progress.url.href} redirects back to ${target.url.href}`,
          status,
        });
      }
      visited.add(target.url.href);
      progress.hops += 1;
      progress.allPermanent &&= PERMANENT_REDIRECT_STATUSES.has(status);
      progress.url = target.url;
      continue;
    }

    try {
      return await finalOutcome(progress, options, response);
    } finally {
      response.close();
    }
  }
}

async function finalOutcome(
  progress: Progress,
  options: FetchFeedOptions,
  response: HttpResponse,
): Promise<FetchOutcome> {
  const { status, headers: responseHeaders, body } = response;
  progress.status = status;
  const etag = header(responseHeaders, 'etag');
  const lastModified = header(responseHeaders, 'last-modified');

  if (status === 304 && (options.validators?.etag || options.validators?.lastModified)) {
    return {
      kind: 'not-modified',
      url: progress.url.href,
      status: 304,
      bytes: progress.meter.bytes,
      // A 304 may omit unchanged validators; the ones we sent are still the current ones.
      ...optional('etag', etag ?? options.validators.etag),
      ...optional('lastModified', lastModified ?? options.validators.lastModified),
      ...optional('movedTo', movedTo(progress)),
    };
  }

  if (status < 200 || status > 299) {
    return failed(progress, statusFailure(status, responseHeaders));
  }

  const { maxBytes } = options.limits;
  const declaredLength = Number(header(responseHeaders, 'content-length'));
  if (Number.isFinite(declaredLength) && declaredLength > maxBytes) {
    return failed(progress, {
      error: 'too-large',
      message: `body exceeded ${maxBytes} bytes on the wire (Content-Length says ${declaredLength})`,
      status,
    });
  }

  const codings = parseContentEncoding(header(responseHeaders, 'content-encoding'));
  const bytes = await readBoundedBody(body, codings, maxBytes, progress.meter);
  const contentType = header(responseHeaders, 'content-type');
  const decoded = decodeBody(bytes, contentType);
  return {
    kind: 'fetched',
    url: progress.url.href,
    status,
    body: decoded.text,
    charset: decoded.charset,
    bytes: progress.meter.bytes,
    ...optional('etag', etag),
    ...optional('lastModified', lastModified),
    ...optional('contentType', contentType),
    ...optional('movedTo', movedTo(progress)),
    ...optional('charsetWarning', decoded.warning),
  };
}

function statusFailure(status: number, headers: IncomingHttpHeaders): Failure {
  if (status === 404 || status === 410) {
    return { error: 'gone', message: `the server answered ${status} ${status === 404 ? 'Not Found' : 'Gone'}`, status };
  }
  if (status === 429 || status === 503) {
    const retryAfterSeconds = parseRetryAfter(header(headers, 'retry-after'));
    const when = retryAfterSeconds === undefined ? '' : `; retry after ${retryAfterSeconds} s`;
    return {
      error: 'rate-limited',
      message: `the server answered ${status} ${status === 429 ? 'Too Many Requests' : 'Service Unavailable'}${when}`,
      status,
      ...optional('retryAfterSeconds', retryAfterSeconds),
    };
  }
  if (status === 304) return { error: 'http-status', message: 'the server answered 304 to an unconditional request', status };
  return { error: 'http-status', message: `the server answered HTTP ${status}`, status };
}

/** IP literals are refused here already, so the message can say which redirect hop it was. */
function refuseLiteral(progress: Progress, allowPrivateHosts: readonly string[]): Failure | undefined {
  const host = progress.url.hostname;
  if (!isIpLiteral(host)) return undefined;
  const verdict = judgeAddress(host, host, allowPrivateHosts);
  if (verdict.allowed) return undefined;
  return { error: 'blocked-address', message: `${redirectPrefix(progress)}${host} refused: ${verdict.reason}` };
}

function redirectPrefix(progress: Progress): string {
  return progress.hops > 0 ? 'redirect to ' : '';
}

function describeError(err: unknown, progress: Progress, limits: FetchFeedOptions['limits']): Failure {
  const host = progress.url.host;
  if (err instanceof BlockedAddressError) return { error: 'blocked-address', message: `${redirectPrefix(progress)}${err.message}` };
  if (err instanceof DnsLookupError) return { error: 'dns', message: err.message };
  if (err instanceof BodyTooLargeError) return { error: 'too-large', message: err.message };
  if (err instanceof BodyDecodeError) return { error: 'decode', message: err.message };
  if (err instanceof ConnectionClosedError) return { error: 'connect', message: `${host} closed the connection before ${err.before}` };
  if (err instanceof IdleTimeoutError) return { error: 'timeout', message: idleMessage(err, host, limits.idleTimeoutMs) };

  const code = (err as { code?: unknown } | null)?.code;
  const detail = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { error: 'too-large', message: `response headers from ${host} are too large (over ${MAX_HEADER_BYTES} bytes)` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { error: 'dns', message: `could not resolve ${progress.url.hostname} (${code})` };
    default:
      if (typeof code === 'string' && code.startsWith('HPE_')) {
        return { error: 'connect', message: `invalid HTTP response from ${host}: ${detail}` };
      }
      return { error: 'connect', message: `connection to ${host} failed: ${detail}${typeof code === 'string' ? ` (${code})` : ''}` };
  }
}

function idleMessage(err: IdleTimeoutError, host: string, idleTimeoutMs: number): string {
  switch (err.phase) {
    case 'connect':
      return `could not connect to ${host} within ${idleTimeoutMs} ms (fetch.idleTimeoutMs)`;
    case 'headers':
      return `no response headers from ${host} for ${idleTimeoutMs} ms (fetch.idleTimeoutMs)`;
    case 'body':
      return `body from ${host} stalled: no bytes for ${idleTimeoutMs} ms (fetch.idleTimeoutMs)`;
  }
}

function failed(progress: Progress, failure: Failure): FetchOutcome {
  return {
    kind: 'failed',
    url: progress.url.href,
    ...optional('status', progress.status),
    ...failure,
    bytes: progress.meter.bytes,
    ...optional('movedTo', movedTo(progress)),
  };
}

/** Only a URL that answered counts as the feed's new home; a refused or unreachable hop does not. */
function movedTo(progress: Progress): string | undefined {
  return progress.hops > 0 && progress.allPermanent && progress.status !== undefined ? progress.url.href : undefined;
}

function requestHeaders(options: FetchFeedOptions): Record<string, string> {
  const headers: Record<string, string> = {
    'user-agent': options.userAgent ?? DEFAULT_USER_AGENT,
    accept: FEED_ACCEPT,
    'accept-encoding': 'gzip, deflate, br',
  };
  if (options.validators?.etag) headers['if-none-match'] = options.validators.etag;
  if (options.validators?.lastModified) headers['if-modified-since'] = options.validators.lastModified;
  return headers;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Spreads `{ key: value }` only when value is defined, so outcomes carry no `undefined` keys. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
