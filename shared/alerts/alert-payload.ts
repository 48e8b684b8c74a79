import type { AlertEmail, AlertMode, Match, TopicId } from '#shared/model.ts';
import { toUpdateView, type UpdateView } from '#shared/query/views.ts';
import { feedbackPointer, queryPointer, renderAlertEmail, type RenderOptions } from './render-email.ts';
import { cutText, humaniseTopic, utf8Bytes } from './text.ts';

/**
 * The same alert as data, for every channel that is not an email: webhooks (`https`), Slack,
 * and the user's own SQS queues and Lambda functions. Items are the query API's match view
 * (`toUpdateView`), so a program reading the webhook and one reading `/updates` see one shape.
 *
 * It travels in the same SNS Publish as the email (the `default` message; the `email` key
 * carries the plain text), so routing stays the filter policies' alone. SNS takes 256 KiB for
 * all of it: the email body is at most 100 kB, this at most `MAX_PAYLOAD_BYTES`.
 */

export const ALERT_PAYLOAD_TYPE = 'fundwatch.alert';
export const MAX_PAYLOAD_BYTES = 64_000;
const MAX_TITLE = 300;
const MAX_SUMMARY = 1000;
const MAX_EVIDENCE_ENTRIES = 12;

export interface AlertPayload {
  type: typeof ALERT_PAYLOAD_TYPE;
  version: 1;
  topic: TopicId;
  topicTitle: string;
  mode: AlertMode;
  /** The email's subject line. */
  subject: string;
  /** Matches this alert is about; `items` holds the first of them, `more` counts the rest. */
  total: number;
  more: number;
  /** Where all of them can be read (the web page, or the CLI command when no URL is known). */
  seeAll: string;
  /** Most relevant first, as in the email. */
  items: AlertItem[];
}

/**
 * The query API's match view, and where a reader labels the match when it is wrong: the web
 * page's labelling panel, or the `fundwatch feedback` command when no URL is known (as in the email).
 */
export type AlertItem = UpdateView & { feedback: string | null };

/** Fields cut to a size a chat message or a webhook body can carry; the shape stays UpdateView's. */
function compactView(match: Match, queryUrl: string | undefined): AlertItem {
  const view = toUpdateView(match);
  return {
    ...view,
    feedback: feedbackPointer(match.id, queryUrl) ?? null,
    title: cutText(view.title, MAX_TITLE),
    summary: cutText(view.summary, MAX_SUMMARY),
    evidence: Object.fromEntries(Object.entries(view.evidence).map(([topic, entries]) => [topic, entries.slice(0, MAX_EVIDENCE_ENTRIES)])),
  };
}

/**
 * The payload for one rendered email: the same matches, in the email's order (`itemIds`), capped
 * at `maxItems` and at `MAX_PAYLOAD_BYTES`.
 */
export function renderAlertPayload(email: AlertEmail, matches: readonly Match[], options: RenderOptions): AlertPayload {
  const byId = new Map(matches.map((m) => [m.id, m]));
  const ordered = email.itemIds.map((id) => byId.get(id)).filter((m): m is Match => m !== undefined);
  const since = options.since ?? ordered.reduce((min, m) => (m.publishedAt < min ? m.publishedAt : min), ordered[0]?.publishedAt ?? '');
  const payload: AlertPayload = {
    type: ALERT_PAYLOAD_TYPE,
    version: 1,
    topic: email.topic,
    topicTitle: (options.topicTitle ?? humaniseTopic)(email.topic),
    mode: email.mode,
    subject: email.subject,
    total: ordered.length,
    more: ordered.length,
    seeAll: queryPointer(email.topic, since, options.queryUrl),
    items: [],
  };
  // Room for the counters growing from one digit to several.
  let used = utf8Bytes(JSON.stringify(payload)) + 16;
  for (const match of ordered.slice(0, Math.max(1, options.maxItems))) {
    const view = compactView(match, options.queryUrl);
    const size = utf8Bytes(JSON.stringify(view)) + 1;
    if (used + size > MAX_PAYLOAD_BYTES && payload.items.length > 0) break;
    payload.items.push(view);
    used += size;
  }
  payload.more = ordered.length - payload.items.length;
  return payload;
}

/** The email and, beside it, the same alert as data: what the notifier and the digest publish. */
export function renderAlert(topic: TopicId, mode: AlertMode, matches: Match[], options: RenderOptions): AlertEmail {
  const email = renderAlertEmail(topic, mode, matches, options);
  return { ...email, payload: renderAlertPayload(email, matches, options) };
}
