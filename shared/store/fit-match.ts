import type { Match } from '#shared/model.ts';
import { cutAtWord } from '#shared/feed/safe-text.ts';
import { utf8Bytes as utf8 } from './item-size.ts';

const ELLIPSIS_BYTES = 3;

/** A summary is clipped to this before any evidence goes: a few lines still say what the story is. */
const SUMMARY_FLOOR_BYTES = 200;
/** Matched phrases each topic keeps however tight the row: one still explains the match. */
const PHRASES_FLOOR = 1;

/**
 * Clips a match until `sizeOf` is within `budget` bytes, least useful text first: the summary
 * (at a word, with an ellipsis) down to a few lines, then the extra matched phrases of its
 * evidence, then its categories. The title, ids, link, times, topics and each topic's deciding
 * rule and first phrase are never touched, and the summary never goes below those few lines: a
 * match that cannot fit without them is stored larger (and costs more than one write unit)
 * rather than unreadable. The classifier has already read the full text; only what is stored and
 * shown is clipped. Clipping a clipped match changes nothing.
 */
export function fitMatch(match: Match, sizeOf: (match: Match) => number, budget: number): Match {
  if (sizeOf(match) <= budget) return match;
  const fitted: Match = { ...match };
  const over = () => sizeOf(fitted) - budget;
  const summaryBytes = utf8(fitted.summary);
  if (summaryBytes > SUMMARY_FLOOR_BYTES) fitted.summary = cutToBytes(fitted.summary, Math.max(SUMMARY_FLOOR_BYTES, summaryBytes - over()));
  let phrasesLeft = true;
  while (over() > 0 && phrasesLeft) phrasesLeft = dropOnePhrase(fitted);
  while (over() > 0 && fitted.categories.length > 0) fitted.categories = fitted.categories.slice(0, -1);
  return fitted;
}

/** Drops the last matched phrase of the topic with the most; false when each is down to its floor. */
function dropOnePhrase(match: Match): boolean {
  const isPhrase = (entry: string) => !entry.startsWith('rule:') && !entry.startsWith('veto:') && !entry.startsWith('sentence:');
  let richest: string | undefined;
  let most = PHRASES_FLOOR;
  for (const [topic, entries] of Object.entries(match.evidence)) {
    const phrases = entries.filter(isPhrase).length;
    if (phrases > most) [richest, most] = [topic, phrases];
  }
  if (richest === undefined) return false;
  const entries = match.evidence[richest]!;
  const last = entries.findLastIndex(isPhrase);
  match.evidence = { ...match.evidence, [richest]: entries.filter((_, i) => i !== last) };
  return true;
}

/** At most `maxBytes` of UTF-8, cut at a word with an ellipsis; '' when not even that fits. */
export function cutToBytes(text: string, maxBytes: number): string {
  if (utf8(text) <= maxBytes) return text;
  const room = maxBytes - ELLIPSIS_BYTES;
  if (room <= 0) return '';
  let chars = 0;
  let bytes = 0;
  for (const char of text) {
    const size = utf8(char);
    if (bytes + size > room) break;
    bytes += size;
    chars += char.length;
  }
  // cutAtWord counts the ellipsis as one of its characters and never splits a surrogate pair.
  return chars === 0 ? '' : cutAtWord(text, chars + 1);
}
