import type { FeedState } from '#shared/model.ts';

/** How long to wait before polling a feed again, after each kind of outcome. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
// Shorter than the default 15-minute schedule, so one failure costs no cycle; the second does.
export const BACKOFF_BASE_MS = 10 * MINUTE;
export const BACKOFF_CAP_MS = 12 * HOUR;
/** Gone feeds (404/410) are still tried, rarely, in case the publisher brings them back. */
export const GONE_RETRY_MS = 24 * HOUR;
/** Retry-After is honoured up to this; a server asking for a week is not believed. */
export const RETRY_AFTER_CAP_MS = 24 * HOUR;

export function isDue(state: FeedState | undefined, now: Date): boolean {
  return !state?.nextPollAt || Date.parse(state.nextPollAt) <= now.getTime();
}

export function nextPollAfterSuccess(now: Date, intervalMinutes: number | undefined): string | undefined {
  // Without its own interval a feed is polled every cycle; the schedule sets the pace.
  return intervalMinutes ? new Date(now.getTime() + intervalMinutes * MINUTE - MINUTE).toISOString() : undefined;
}

/** Exponential backoff from the number of consecutive failures, capped; Retry-After wins when longer. */
export function nextPollAfterFailure(
  now: Date,
  consecutiveFailures: number,
  options: { gone?: boolean; retryAfterSeconds?: number },
): string {
  if (options.gone) return new Date(now.getTime() + GONE_RETRY_MS).toISOString();
  const backoff = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, consecutiveFailures - 1));
  const retryAfter = Math.min(RETRY_AFTER_CAP_MS, (options.retryAfterSeconds ?? 0) * 1000);
  return new Date(now.getTime() + Math.max(backoff, retryAfter)).toISOString();
}
