import type { AlertEmail, AlertMode, Match, TopicId } from '#shared/model.ts';
import { renderSubject } from './subject.ts';
import { cleanLine, cutText, cutToBytes, humaniseTopic, utf8Bytes } from './text.ts';

/**
 * SNS takes 256 KiB per message, subject and attributes included. Bodies stay far below that
 * so no feed, however long its fields, can make a Publish fail.
 */
export const DEFAULT_MAX_BODY_BYTES = 100_000;

const MAX_TITLE = 300;
const MAX_SOURCE = 100;
const MAX_SUMMARY = 400;
const MAX_EVIDENCE_PHRASES = 6;
const MAX_EVIDENCE_PHRASE = 60;
/** A cut URL is a broken URL; longer ones are left out rather than shortened. */
const MAX_LINK = 2000;

export type TopicTitle = (topic: TopicId) => string;

export interface RenderOptions {
  /** `alerts.maxItemsPerEmail`: the rest become "…and N more". */
  maxItems: number;
  /** Display name of a topic (from the topic pack); defaults to the humanised id. */
  topicTitle?: TopicTitle;
  /** The name in the subject line; defaults to `topicTitle`. */
  topicShortTitle?: TopicTitle;
  /** Base URL of the query API (`alerts.queryUrl` / `QUERY_API_URL`). */
  queryUrl?: string;
  /** Start of the period the email covers, for the "see all" pointer; defaults to the oldest item. */
  since?: string;
  maxBodyBytes?: number;
}

/** Highest score first, then newest: when the cap bites, the weakest matches are the ones left out. */
function byRelevance(topic: TopicId) {
  return (a: Match, b: Match) =>
    topicScore(b, topic) - topicScore(a, topic) ||
    b.publishedAt.localeCompare(a.publishedAt) ||
    a.id.localeCompare(b.id);
}

const topicScore = (match: Match, topic: TopicId) => match.scores[topic] ?? match.score;

function utcTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return 'time unknown';
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function safeLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  if (link.length > MAX_LINK * 2) return undefined;
  const clean = cleanLine(link);
  if (clean.length > MAX_LINK || clean.includes(' ')) return undefined;
  return /^https?:\/\//i.test(clean) ? clean : undefined;
}

/**
 * Cleans at most a few times the room a field gets: a feed can carry megabytes in one field,
 * and cleaning all of it per email would cost seconds for nothing.
 */
const field = (text: string, max: number) => cutText(cleanLine(text.slice(0, max * 4 + 16)), max);

/**
 * A reader wants the words that matched before the rule names, and where they were found:
 * `'NATO', 'fund', 'Kyiv' (rule alliance-fund-for-ukraine +2, in sentence 2)`. Evidence without
 * concept phrases is shown as it is; rows stored before salience have no sentence and show none.
 */
export function readableEvidence(entries: readonly string[]): string {
  const phrases = new Set<string>();
  const rules: string[] = [];
  let where = '';
  for (const entry of entries.slice(0, 64)) {
    if (entry.startsWith('rule:')) rules.push(entry.slice(5));
    else if (entry.startsWith('sentence:') && where === '') where = sentenceName(entry);
    else if (entry.startsWith('concept:')) {
      const words = entry.split(' ← ')[1];
      if (words) phrases.add(field(words, MAX_EVIDENCE_PHRASE));
    }
  }
  if (phrases.size === 0) {
    return entries
      .slice(0, MAX_EVIDENCE_PHRASES * 2)
      .map((phrase) => field(phrase, MAX_EVIDENCE_PHRASE))
      .filter(Boolean)
      .slice(0, MAX_EVIDENCE_PHRASES)
      .join('; ');
  }
  const words = [...phrases].filter(Boolean).slice(0, MAX_EVIDENCE_PHRASES).join(', ');
  const rule = rules[0] ? `rule ${field(rules[0], MAX_EVIDENCE_PHRASE)}${rules.length > 1 ? ` +${rules.length - 1}` : ''}` : '';
  const detail = [rule, where].filter(Boolean).join(', ');
  return detail ? `${words} (${detail})` : words;
}

/** `sentence:title` → "in the headline", `sentence:2 ← '…'` → "in sentence 2"; '' for anything else. */
function sentenceName(entry: string): string {
  const unit = /^sentence:(title|\d{1,2})\b/.exec(entry)?.[1];
  if (unit === undefined) return '';
  return unit === 'title' ? 'in the headline' : `in sentence ${unit}`;
}

/** Item ids are hex digests; anything else is not put on a command line or into a link. */
const SAFE_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Where the reader says a match was wrong: the web page's label panel for this item, or the
 * command that records the label when there is no page to link to.
 */
export function feedbackPointer(itemId: string, queryUrl: string | undefined): string | undefined {
  if (!SAFE_ID.test(itemId)) return undefined;
  if (queryUrl) return `${queryUrl.replace(/\/+$/, '')}/?${new URLSearchParams({ feedback: itemId }).toString()}`;
  return `fundwatch feedback ${itemId} --not-relevant`;
}

function renderItem(n: number, match: Match, topic: TopicId, queryUrl: string | undefined): string {
  const title = field(match.title, MAX_TITLE) || '(no title)';
  const source = field(match.source, MAX_SOURCE) || 'unknown source';
  const lines = [`${n}. ${title}`, `   ${source} · ${utcTime(match.publishedAt)} · score ${topicScore(match, topic).toFixed(2)}`];
  const link = safeLink(match.link);
  if (link) lines.push(`   ${link}`);
  const why = readableEvidence(match.evidence[topic] ?? []);
  if (why) lines.push(`   Why: ${why}`);
  const summary = field(match.summary, MAX_SUMMARY);
  if (summary) lines.push(`   ${summary}`);
  const feedback = feedbackPointer(match.id, queryUrl);
  if (feedback) lines.push(`   Not about this topic? ${feedback}`);
  return `${lines.join('\n')}\n`;
}

/** Where a reader finds everything the email left out. */
export function queryPointer(topic: TopicId, since: string, queryUrl: string | undefined): string {
  const params = new URLSearchParams({ topic, since });
  // The web page, filtered the same way: a person follows this link, not a program.
  if (queryUrl) return `${queryUrl.replace(/\/+$/, '')}/?${params.toString()}`;
  return `fundwatch query --topic ${topic} --since ${since}`;
}

/**
 * One plain-text email for one topic (SNS email carries no HTML). Pure: the same matches and
 * options always give the same email, which keeps retries and the local outbox comparable.
 */
export function renderAlertEmail(topic: TopicId, mode: AlertMode, matches: Match[], options: RenderOptions): AlertEmail {
  if (matches.length === 0) throw new Error(`no matches to render for topic ${topic}`);
  const topicName = field((options.topicTitle ?? humaniseTopic)(topic), 80) || humaniseTopic(topic);
  const ordered = [...matches].sort(byRelevance(topic));
  const since =
    options.since ??
    ordered.reduce((min, m) => (m.publishedAt && m.publishedAt < min ? m.publishedAt : min), ordered[0]!.publishedAt);
  const pointer = queryPointer(topic, since, options.queryUrl);
  const budget = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  const heading =
    mode === 'daily'
      ? `${topicName}: daily digest, ${ordered.length} new ${ordered.length === 1 ? 'match' : 'matches'} in the last 24 hours\n\n`
      : `${topicName}: ${ordered.length} new ${ordered.length === 1 ? 'match' : 'matches'}\n\n`;
  const footer =
    `--\nfundwatch ${mode === 'daily' ? 'daily digest' : 'instant alert'} for topic "${topic}". ` +
    `To change or stop these emails, ask whoever runs fundwatch, or use the unsubscribe link SNS adds below.\n`;
  const moreLine = (n: number) => `…and ${n} more: ${pointer}\n\n`;
  const allLine = `All matches for this topic: ${pointer}\n\n`;
  // Reserve room for the longest closing line so adding an item can never push it out.
  const reserved =
    utf8Bytes(heading) + utf8Bytes(footer) + Math.max(utf8Bytes(moreLine(ordered.length)), utf8Bytes(allLine)) + 1;

  const items: string[] = [];
  let used = reserved;
  const cap = Math.max(1, Math.min(options.maxItems, ordered.length));
  for (let i = 0; i < cap; i++) {
    const text = `${renderItem(i + 1, ordered[i]!, topic, options.queryUrl)}\n`;
    const size = utf8Bytes(text);
    if (used + size > budget) break;
    items.push(text);
    used += size;
  }
  if (items.length === 0) {
    // Only with an absurdly small budget: still say what happened instead of sending nothing.
    items.push(cutToBytes(renderItem(1, ordered[0]!, topic, options.queryUrl), Math.max(0, budget - reserved)) + '\n');
  }
  const rest = ordered.length - items.length;
  const body = cutToBytes(`${heading}${items.join('')}${rest > 0 ? moreLine(rest) : allLine}${footer}`, budget);

  return {
    topic,
    mode,
    subject: renderSubject({ topicName: options.topicShortTitle ? field(options.topicShortTitle(topic), 80) || topicName : topicName, mode, count: ordered.length, leadTitle: ordered[0]!.title }),
    body,
    itemIds: ordered.map((m) => m.id),
  };
}
