/**
 * Cheap looks at a body before it reaches the XML parser: what it is when it is not a feed, and
 * whether it carries entity declarations. Everything here is a linear scan (indexOf, anchored
 * regexes) because the body is hostile and can be megabytes long.
 */

export interface DocumentSniff {
  /** Name of the first element, when the body starts like XML. */
  root?: string;
  /** Name in `<!DOCTYPE name ...>`, when there is one before the root. */
  doctype?: string;
  /** Whether the first non-blank character is `<`. */
  startsWithTag: boolean;
  /** The first non-blank character, for telling JSON from other non-XML bodies. */
  firstChar?: string;
}

const MAX_PROLOG_ITEMS = 1_000;

export function sniffDocument(body: string): DocumentSniff {
  let i = body.charCodeAt(0) === 0xfeff ? 1 : 0;
  let doctype: string | undefined;
  for (let step = 0; step < MAX_PROLOG_ITEMS; step += 1) {
    i = skipBlank(body, i);
    if (body.startsWith('<?', i)) {
      const end = body.indexOf('?>', i + 2);
      if (end < 0) return { startsWithTag: true, firstChar: '<' };
      i = end + 2;
    } else if (body.startsWith('<!--', i)) {
      const end = body.indexOf('-->', i + 4);
      if (end < 0) return { startsWithTag: true, firstChar: '<' };
      i = end + 3;
    } else if (body.slice(i, i + 9).toUpperCase() === '<!DOCTYPE') {
      doctype = /^\s*([^\s[>]{1,100})/.exec(body.slice(i + 9, i + 200))?.[1];
      const end = doctypeEnd(body, i + 9);
      if (end < 0) return { startsWithTag: true, firstChar: '<', ...(doctype ? { doctype } : {}) };
      i = end + 1;
    } else {
      break;
    }
  }
  const firstChar = body[i];
  const root = firstChar === '<' ? /^<([A-Za-z_][\w.:-]{0,99})/.exec(body.slice(i, i + 120))?.[1] : undefined;
  const sniff: DocumentSniff = { startsWithTag: firstChar === '<' };
  if (firstChar !== undefined) sniff.firstChar = firstChar;
  if (root) sniff.root = root;
  if (doctype) sniff.doctype = doctype;
  return sniff;
}

/** Index of the `>` that closes a DOCTYPE, past its internal subset if it has one; -1 if none. */
function doctypeEnd(body: string, from: number): number {
  const gt = body.indexOf('>', from);
  const bracket = body.indexOf('[', from);
  if (bracket < 0 || (gt >= 0 && gt < bracket)) return gt;
  const close = body.indexOf(']', bracket);
  return close < 0 ? -1 : body.indexOf('>', close);
}

function skipBlank(body: string, from: number): number {
  let i = from;
  while (i < body.length && /\s/.test(body[i]!)) i += 1;
  return i;
}

/**
 * True when a DOCTYPE declares entities. Our parser would not expand them, but "billion laughs"
 * and external-entity (XXE) documents are never legitimate feeds, so they are refused before any
 * parsing rather than trusted to a parser detail.
 */
export function declaresEntities(body: string): boolean {
  const at = body.search(/<!DOCTYPE/i);
  if (at < 0) return false;
  const subsetEnd = body.indexOf(']>', at);
  const region = subsetEnd < 0 ? body.slice(at) : body.slice(at, subsetEnd);
  return /<!ENTITY/i.test(region);
}

const HTML_ROOTS = new Set(['html', 'head', 'body']);

export function looksLikeHtml(sniff: DocumentSniff): boolean {
  return (
    (sniff.root !== undefined && HTML_ROOTS.has(sniff.root.toLowerCase())) ||
    sniff.doctype?.toLowerCase() === 'html'
  );
}

const LOGIN_HINTS = [
  /<input\b[^>]{0,500}\btype\s*=\s*["']?password\b/i,
  /<title\b[^>]{0,200}>[^<]{0,200}\b(?:log\s?in|sign\s?in|anmelden|connexion|iniciar sesi[oó]n)\b/i,
];

/** An HTML page asking for a password: the feed is behind a login wall or a paywall. */
export function looksLikeLoginPage(body: string): boolean {
  const head = body.slice(0, 65_536);
  return LOGIN_HINTS.some((hint) => hint.test(head));
}
