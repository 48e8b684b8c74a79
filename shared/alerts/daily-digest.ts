import { randomUUID } from 'node:crypto';
import type { Match, TopicId } from '#shared/model.ts';
import type { AlertClaims, AlertLog, AlertPublisher, TopicMatchReader } from './ports.ts';
import { silentLog } from './ports.ts';
import type { FailedTopic, SentEmail } from './notifier.ts';
import { renderAlert } from './alert-payload.ts';
import type { RenderOptions } from './render-email.ts';

/**
 * The daily digest: per topic, the matches first stored in the 24 hours before `now`, one email
 * per topic, claimed under the UTC date so a re-run (or an EventBridge retry) of the same day
 * sends nothing twice.
 *
 * "New in the last 24 h" is decided by `storedAt`, not `publishedAt`: an item a feed published
 * yesterday morning but that we first saw an hour ago is news to the reader. The Query reads
 * the topic rows (sorted by publication time) back to 24 h plus `lookbackHours` (the alert age
 * limit), which bounds it; a Scan is never needed.
 */

export const DAY_MS = 24 * 3_600_000;

export interface DailyDigestDeps {
  /** Every topic of the topic pack. */
  topics: readonly TopicId[];
  reader: TopicMatchReader;
  claims: AlertClaims;
  publisher: AlertPublisher;
  render: RenderOptions;
  /** `alerts.maxAgeHours`: older publications are stale and never alerted, so never read. */
  lookbackHours?: number;
  newOwner?: () => string;
  log?: AlertLog;
}

export interface DailyDigestReport {
  /** The UTC date the digests are claimed under. */
  date: string;
  windowStart: string;
  windowEnd: string;
  sent: SentEmail[];
  /** Topics with nothing new: no email. */
  empty: TopicId[];
  /** Topics whose digest for this date went out before. */
  alreadySent: TopicId[];
  failed: FailedTopic[];
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

function storedWithin(match: Match, startMs: number, endMs: number): boolean {
  const stored = Date.parse(match.storedAt);
  const at = Number.isNaN(stored) ? Date.parse(match.publishedAt) : stored;
  return at >= startMs && at < endMs;
}

export async function sendDailyDigests(now: Date, deps: DailyDigestDeps): Promise<DailyDigestReport> {
  const log = deps.log ?? silentLog;
  const owner = (deps.newOwner ?? randomUUID)();
  const endMs = now.getTime();
  const startMs = endMs - DAY_MS;
  const readFrom = new Date(startMs - (deps.lookbackHours ?? 48) * 3_600_000).toISOString();
  const date = now.toISOString().slice(0, 10);
  const report: DailyDigestReport = {
    date,
    windowStart: new Date(startMs).toISOString(),
    windowEnd: now.toISOString(),
    sent: [],
    empty: [],
    alreadySent: [],
    failed: [],
  };

  for (const topic of [...new Set(deps.topics)]) {
    let fresh: Match[];
    try {
      const rows = await deps.reader.matchesForTopic(topic, readFrom);
      fresh = rows.filter((m) => !m.alertSuppressed && !m.duplicateOf && storedWithin(m, startMs, endMs));
    } catch (err) {
      report.failed.push({ topic, itemIds: [], error: asError(err) });
      log.error('reading topic matches failed', { topic, error: asError(err).message });
      continue;
    }
    if (fresh.length === 0) {
      report.empty.push(topic);
      continue;
    }
    const itemIds = fresh.map((m) => m.id);
    try {
      const held = await deps.claims.claim('daily', topic, [date], owner);
      if (held.length === 0) {
        report.alreadySent.push(topic);
        continue;
      }
    } catch (err) {
      report.failed.push({ topic, itemIds, error: asError(err) });
      log.error('claiming daily digest failed', { topic, error: asError(err).message });
      continue;
    }
    try {
      const email = renderAlert(topic, 'daily', fresh, { ...deps.render, since: report.windowStart });
      await deps.publisher.publish(email);
      report.sent.push({ topic, subject: email.subject, itemIds });
    } catch (err) {
      await deps.claims.release('daily', topic, [date], owner).catch((releaseErr: unknown) => {
        log.warn('releasing daily digest claim failed', { topic, error: asError(releaseErr).message });
      });
      report.failed.push({ topic, itemIds, error: asError(err) });
      log.error('publishing daily digest failed', { topic, error: asError(err).message });
      continue;
    }
    await deps.claims.markSent('daily', topic, [date], owner).catch((err: unknown) => {
      log.warn('marking daily digest sent failed; a re-run today would resend it once', {
        topic,
        error: asError(err).message,
      });
    });
  }
  return report;
}
