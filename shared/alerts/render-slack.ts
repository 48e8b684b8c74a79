import type { AlertPayload } from './alert-payload.ts';
import { readableEvidence } from './render-email.ts';
import { cleanLine, cutText } from './text.ts';

/**
 * A Slack incoming-webhook message for one alert: `text` (what the notification shows) and
 * `blocks` (a header, one section per match with its title as a link and why it matched, and
 * "…and N more" past the cap). Slack reads `&`, `<` and `>` as markup in mrkdwn, so feed text
 * is escaped with exactly those three entities (https://api.slack.com/reference/surfaces/formatting#escaping).
 */

/** A channel wants a glance, not a digest: the rest is one link away. */
export const SLACK_MAX_ITEMS = 10;
// Slack's own limits: a header's plain text 150 characters, a section's text 3,000.
const MAX_HEADER = 150;
const MAX_TITLE = 250;
const MAX_WHY = 300;

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string } }
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
  | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] };

export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A URL inside `<url|label>`: `|` and `>` would end it early, so they are percent-encoded. */
function slackUrl(url: string): string | undefined {
  if (!/^https?:\/\/[^\s]+$/i.test(url)) return undefined;
  return escapeSlack(url.replace(/\|/g, '%7C'));
}

const line = (text: string, max: number) => escapeSlack(cutText(cleanLine(text), max));

function link(url: string | null, label: string): string {
  const href = url ? slackUrl(url) : undefined;
  return href ? `<${href}|${label}>` : label;
}

export function renderSlackMessage(payload: AlertPayload, maxItems: number = SLACK_MAX_ITEMS): SlackMessage {
  const shown = payload.items.slice(0, Math.max(1, maxItems));
  const more = payload.total - shown.length;
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: cutText(cleanLine(`${payload.topicTitle}: ${payload.total} new ${payload.total === 1 ? 'match' : 'matches'}${payload.mode === 'daily' ? ' today' : ''}`), MAX_HEADER) },
    },
  ];
  for (const item of shown) {
    const title = line(item.title, MAX_TITLE) || '(no title)';
    const facts = [line(item.source, 100), item.publishedAt.slice(0, 16).replace('T', ' ') + ' UTC', `score ${(item.scores[payload.topic] ?? item.score).toFixed(2)}`];
    const why = readableEvidence(item.evidence[payload.topic] ?? []);
    // Only a link: a shell command under every item would be noise in a channel.
    const label = item.feedback && /^https?:\/\//i.test(item.feedback) ? link(item.feedback, 'not about this topic?') : '';
    const lines = [`*${link(item.link, title)}*`, [...facts, label].filter(Boolean).join(' · ')];
    if (why) lines.push(`_Why:_ ${line(why, MAX_WHY)}`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } });
  }
  const seeAll = /^https?:\/\//i.test(payload.seeAll) ? link(payload.seeAll, 'see all') : `see all: \`${escapeSlack(payload.seeAll)}\``;
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: more > 0 ? `…and ${more} more — ${seeAll}` : seeAll }] });
  return { text: escapeSlack(cleanLine(payload.subject)), blocks };
}
