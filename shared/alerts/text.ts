/**
 * Text hygiene for what goes into an email. Titles and summaries come from feeds, which are
 * hostile input: a newline in a subject would forge headers in some mail paths (SNS rejects it
 * outright), bidi overrides reorder what the reader sees, and a cut in the middle of a surrogate
 * pair is not valid UTF-8, which SNS rejects.
 */

// C0/C1 controls, line/paragraph separators, bidi marks/embeddings/overrides/isolates, the
// Arabic letter mark, zero-width space, BOM, interlinear annotations and non-characters. ZWJ
// and ZWNJ stay: emoji sequences and Persian/Indic spelling need them.
const UNSAFE_IN_LINE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb\ufffe\uffff]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** One clean line: controls and line breaks become spaces, unsafe marks vanish, spaces collapse. */
export function cleanLine(text: string): string {
  return text
    .replace(LONE_SURROGATE, '')
    .replace(/[\t\n\r\v\f\u0085\u2028\u2029]/g, ' ')
    .replace(UNSAFE_IN_LINE, '')
    .replace(/\s+/gu, ' ')
    .trim();
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Cuts to at most `maxUnits` UTF-16 code units including the ellipsis, at a grapheme boundary
 * (so neither a surrogate pair nor an emoji sequence or a base letter and its accent is split),
 * preferring a word boundary when one is close.
 */
export function cutText(text: string, maxUnits: number, ellipsis = '…'): string {
  if (text.length <= maxUnits) return text;
  const budget = maxUnits - ellipsis.length;
  if (budget <= 0) return ellipsis.slice(0, Math.max(0, maxUnits));
  let end = 0;
  for (const { index, segment } of graphemes.segment(text)) {
    if (index + segment.length > budget) break;
    end = index + segment.length;
  }
  let cut = text.slice(0, end);
  const space = cut.lastIndexOf(' ');
  if (space >= budget * 0.6) cut = cut.slice(0, space);
  return `${cut.replace(/[\s,;:.\-–—]+$/u, '')}${ellipsis}`;
}

export const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** Cuts to at most `maxBytes` of UTF-8, ellipsis included, at a grapheme boundary. */
export function cutToBytes(text: string, maxBytes: number, ellipsis = '…'): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const budget = maxBytes - utf8Bytes(ellipsis);
  if (budget <= 0) return '';
  let used = 0;
  let end = 0;
  for (const { index, segment } of graphemes.segment(text)) {
    const size = utf8Bytes(segment);
    if (used + size > budget) break;
    used += size;
    end = index + segment.length;
  }
  return `${text.slice(0, end)}${ellipsis}`;
}

/** Human-readable fallback for a topic id without a display name: `ukraine-fund` → `Ukraine fund`. */
export function humaniseTopic(topic: string): string {
  const words = cleanLine(topic).replace(/[-_]+/g, ' ').trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : 'Topic';
}
