import { randomUUID } from 'node:crypto';
import type { Match, TopicId } from '#shared/model.ts';
import type { AlertClaims, AlertLog, AlertPublisher } from './ports.ts';
import { silentLog } from './ports.ts';
import { renderAlert } from './alert-payload.ts';
import type { RenderOptions } from './render-email.ts';

/**
 * Instant alerts: one email per topic for the matches of one batch (a stream batch in Lambda,
 * a poll cycle locally).
 *
 * Idempotency is keyed on the items, not on the batch or message: each (topic, item) has a
 * claim row. Claim (pending) → publish → mark sent. So a retried batch, a batch re-delivered
 * after a timeout, or the same cycle run again finds the items `sent` and sends nothing. If
 * Publish fails, the claims are released and the topic is reported failed, so the caller fails
 * those records and the retry sends exactly once.
 *
 * The one honest at-least-once window: a crash (or timeout) after SNS accepted the Publish but
 * before the claims were marked sent leaves them `pending`; the retry takes them over and sends
 * that email a second time. Never more than once more, and never lost.
 */

export interface InstantAlertDeps {
  claims: AlertClaims;
  publisher: AlertPublisher;
  render: RenderOptions;
  /** Identifies this attempt's claims; a fresh random id by default. */
  newOwner?: () => string;
  log?: AlertLog;
}

export interface SentEmail {
  topic: TopicId;
  subject: string;
  itemIds: string[];
}

export interface FailedTopic {
  topic: TopicId;
  /** The items whose alert did not go out: the records that carried them must be retried. */
  itemIds: string[];
  error: Error;
}

export interface InstantAlertReport {
  sent: SentEmail[];
  /** Items skipped per topic because an earlier attempt already sent them. */
  alreadySent: { topic: TopicId; itemIds: string[] }[];
  failed: FailedTopic[];
  /** Ids of matches that raise no alert (`alertSuppressed`: stale or duplicate). */
  suppressed: string[];
  /** Emails that went out but whose claims could not be marked sent (the at-least-once window). */
  unmarked: { topic: TopicId; itemIds: string[] }[];
}

export class AlertDeliveryError extends Error {
  override readonly name = 'AlertDeliveryError';
  constructor(readonly failed: FailedTopic[]) {
    super(
      `alert emails failed for ${failed.length} topic(s): ` +
        failed.map((f) => `${f.topic} (${f.itemIds.length} items: ${f.error.message})`).join('; '),
    );
  }
}

/** For callers that treat any failed topic as a failure of the whole call (the CLI, the digest). */
export function throwIfFailed(report: { failed: FailedTopic[] }): void {
  if (report.failed.length > 0) throw new AlertDeliveryError(report.failed);
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

export function groupByTopic(matches: Match[]): Map<TopicId, Match[]> {
  const groups = new Map<TopicId, Match[]>();
  for (const match of matches) {
    for (const topic of new Set(match.topics)) {
      const group = groups.get(topic);
      if (group) group.push(match);
      else groups.set(topic, [match]);
    }
  }
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}

export async function sendInstantAlerts(matches: Match[], deps: InstantAlertDeps): Promise<InstantAlertReport> {
  const log = deps.log ?? silentLog;
  const owner = (deps.newOwner ?? randomUUID)();
  const report: InstantAlertReport = { sent: [], alreadySent: [], failed: [], suppressed: [], unmarked: [] };

  const unique = new Map<string, Match>();
  for (const match of matches) {
    if (!match.id || unique.has(match.id)) continue;
    if (match.alertSuppressed) report.suppressed.push(match.id);
    else unique.set(match.id, match);
  }

  // Topics go one after another: the publisher paces anyway, and a failure stays contained to
  // the items of its topic.
  for (const [topic, group] of groupByTopic([...unique.values()])) {
    const ids = group.map((m) => m.id);
    let held: Set<string>;
    try {
      held = new Set(await deps.claims.claim('instant', topic, ids, owner));
    } catch (err) {
      report.failed.push({ topic, itemIds: ids, error: asError(err) });
      log.error('claiming alert items failed', { topic, items: ids.length, error: asError(err).message });
      continue;
    }
    const skipped = ids.filter((id) => !held.has(id));
    if (skipped.length > 0) report.alreadySent.push({ topic, itemIds: skipped });
    const toSend = group.filter((m) => held.has(m.id));
    if (toSend.length === 0) continue;
    const claimed = toSend.map((m) => m.id);

    try {
      const email = renderAlert(topic, 'instant', toSend, deps.render);
      await deps.publisher.publish(email);
      report.sent.push({ topic, subject: email.subject, itemIds: claimed });
    } catch (err) {
      await deps.claims.release('instant', topic, claimed, owner).catch((releaseErr: unknown) => {
        // Harmless: a pending claim is taken over by the next attempt anyway.
        log.warn('releasing alert claims failed', { topic, error: asError(releaseErr).message });
      });
      report.failed.push({ topic, itemIds: claimed, error: asError(err) });
      log.error('publishing alert failed', { topic, items: claimed.length, error: asError(err).message });
      continue;
    }

    try {
      await deps.claims.markSent('instant', topic, claimed, owner);
    } catch (err) {
      // The email is out: failing the records now would only make a retry send it again.
      report.unmarked.push({ topic, itemIds: claimed });
      log.warn('marking alert claims sent failed; a retry of these items would resend once', {
        topic,
        error: asError(err).message,
      });
    }
  }
  return report;
}
