import { isIpLiteral, judgeAddress } from '#shared/fetch/address-guard.ts';
import { BlockedAddressError, DnsLookupError, createGuardedAgent, type Resolver } from '#shared/fetch/guarded-agent.ts';
import { ConnectionClosedError, IdleTimeoutError, httpRequest } from '#shared/fetch/http-get.ts';
import { DEFAULT_USER_AGENT } from '#shared/fetch/fetch-feed.ts';
import { parseFeedUrl } from '#shared/fetch/redirect-policy.ts';
import { cleanLine, cutText } from '#shared/alerts/text.ts';

/**
 * One JSON POST to a webhook, with the feed fetcher's defences: the URL checked like a feed URL,
 * every address judged by the address guard at connect time (DNS rebinding included), a total
 * timeout, an idle timeout, and at most a few kB of the answer read. Redirects are never
 * followed: a POST that is redirected either turns into a GET (303) or re-sends the body to a
 * host nobody configured, and a webhook that moved must be updated in its secret.
 *
 * The URL is a credential (a Slack webhook URL is the whole secret), so no outcome or error
 * message contains it: only its host.
 */

export type WebhookOutcome =
  | { kind: 'delivered'; status: number }
  /** Will not succeed by retrying (4xx, a redirect, a refused address, a bad URL): report it. */
  | { kind: 'rejected'; status?: number; reason: string }
  /** May succeed later (5xx, 408, 429, timeouts, connection failures): retry it. */
  | { kind: 'failed'; status?: number; reason: string };

export interface WebhookLimits {
  timeoutMs: number;
  idleTimeoutMs: number;
  /** As `fetch.allowPrivateHosts`: only local runs and tests name loopback here. */
  allowPrivateHosts: readonly string[];
  /** On AWS a webhook must be https; locally a loopback receiver may be plain http. */
  requireHttps: boolean;
}

export interface PostWebhookOptions {
  limits: WebhookLimits;
  signal?: AbortSignal;
  resolve?: Resolver;
}

/** Enough of an answer to quote Slack's "invalid_payload" or a proxy's error line. */
const MAX_ANSWER_BYTES = 4096;
const RETRYABLE_4XX: ReadonlySet<number> = new Set([408, 425, 429]);

export function checkWebhookUrl(raw: string, limits: Pick<WebhookLimits, 'requireHttps' | 'allowPrivateHosts'>): { ok: true; url: URL } | { ok: false; reason: string } {
  const parsed = parseFeedUrl(raw.trim());
  if (!parsed.ok) {
    // parseFeedUrl quotes an unparseable URL, and this one is a secret.
    return { ok: false, reason: parsed.reason.includes(raw.trim()) ? 'the webhook URL is not a valid URL' : `the webhook URL is refused: ${parsed.reason}` };
  }
  const { url } = parsed;
  if (limits.requireHttps && url.protocol !== 'https:') return { ok: false, reason: `the webhook URL for ${url.host} must be https` };
  if (isIpLiteral(url.hostname)) {
    const verdict = judgeAddress(url.hostname, url.hostname, limits.allowPrivateHosts);
    if (!verdict.allowed) return { ok: false, reason: `${url.hostname} refused: ${verdict.reason}` };
  }
  return { ok: true, url };
}

export async function postWebhook(rawUrl: string, body: string, options: PostWebhookOptions): Promise<WebhookOutcome> {
  const checked = checkWebhookUrl(rawUrl, options.limits);
  if (!checked.ok) return { kind: 'rejected', reason: checked.reason };
  const { url } = checked;
  const { limits } = options;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error('webhook timeout elapsed')), limits.timeoutMs);
  const agents = createGuardedAgent({ allowPrivateHosts: limits.allowPrivateHosts, ...(options.resolve ? { resolve: options.resolve } : {}) });
  const bytes = Buffer.from(body, 'utf8');
  try {
    const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
    const response = await httpRequest(url, {
      method: 'POST',
      body: bytes,
      agent: agents.agentFor(url),
      headers: {
        'user-agent': DEFAULT_USER_AGENT,
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(bytes.length),
      },
      signal,
      idleTimeoutMs: limits.idleTimeoutMs,
    });
    try {
      const { status } = response;
      if (status >= 200 && status <= 299) return { kind: 'delivered', status };
      const answer = await readAnswer(response.body);
      const said = answer ? ` (${answer})` : '';
      if (status >= 300 && status <= 399) {
        return { kind: 'rejected', status, reason: `${url.host} answered ${status}: redirects are not followed for webhooks; update the URL in the secret` };
      }
      if (status >= 400 && status <= 499 && !RETRYABLE_4XX.has(status)) {
        return { kind: 'rejected', status, reason: `${url.host} answered ${status}${said}: not retried` };
      }
      return { kind: 'failed', status, reason: `${url.host} answered ${status}${said}` };
    } finally {
      response.close();
    }
  } catch (err) {
    if (deadline.signal.aborted) return { kind: 'failed', reason: `${url.host} gave no answer within ${limits.timeoutMs} ms` };
    if (options.signal?.aborted) return { kind: 'failed', reason: `cancelled by the caller's deadline before ${url.host} answered` };
    if (err instanceof BlockedAddressError) return { kind: 'rejected', reason: err.message };
    if (err instanceof DnsLookupError) return { kind: 'failed', reason: err.message };
    if (err instanceof IdleTimeoutError) return { kind: 'failed', reason: `${url.host}: ${err.message}` };
    if (err instanceof ConnectionClosedError) return { kind: 'failed', reason: `${url.host} ${err.message}` };
    const code = (err as { code?: unknown } | null)?.code;
    return { kind: 'failed', reason: `connection to ${url.host} failed${typeof code === 'string' ? ` (${code})` : ''}` };
  } finally {
    clearTimeout(timer);
    agents.destroy();
  }
}

async function readAnswer(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(Buffer.from(chunk));
      size += chunk.byteLength;
      if (size >= MAX_ANSWER_BYTES) break;
    }
  } catch {
    // The status already says what happened; an unreadable answer adds nothing.
  }
  return cutText(cleanLine(Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8')), 200);
}
