/**
 * Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP date. Capped so that one hostile
 * or misconfigured server cannot park a feed for months; the pipeline's own backoff applies
 * on top.
 */

export const MAX_RETRY_AFTER_SECONDS = 24 * 60 * 60;

/** Seconds to wait, in [0, MAX_RETRY_AFTER_SECONDS], or undefined when absent or unparseable. */
export function parseRetryAfter(header: string | undefined, now: Date = new Date()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Math.min(Number(value), MAX_RETRY_AFTER_SECONDS);
  // Only date-like strings: Date.parse would also accept things like "1" or "2024".
  if (!/[a-z]{3}/i.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  const seconds = Math.ceil((at - now.getTime()) / 1000);
  return Math.min(Math.max(seconds, 0), MAX_RETRY_AFTER_SECONDS);
}
