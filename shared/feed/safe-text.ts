/**
 * Character hygiene and length caps for text that came from a feed. Feeds are hostile input:
 * control characters break email headers and logs, bidi overrides spoof text, lone surrogates
 * are not valid UTF-8 and make DynamoDB reject the write.
 */

// C0/C1 controls except tab, newline and carriage return, bidi embedding/override/isolate marks,
// the non-characters U+FFFE/U+FFFF, and surrogates that are not part of a pair.
const UNSAFE =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Removes unsafe characters; keeps tab, newline and carriage return (HTML needs them as spaces). */
export function stripUnsafeChars(text: string): string {
  return text.replace(UNSAFE, '');
}

/** Cuts to at most `max` UTF-16 units without splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return text.slice(0, end);
}

/**
 * Cuts plain text to at most `max` characters (the ellipsis included), at a word boundary when
 * one is reasonably close, so readers never see half a word.
 */
export function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const hard = truncate(text, max - 1);
  const space = hard.lastIndexOf(' ');
  const cut = space >= max * 0.6 ? hard.slice(0, space) : hard;
  return `${cut.replace(/[\s,;:.\-–—]+$/u, '')}…`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
