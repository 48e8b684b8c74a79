import { decodeEntities } from '#shared/text/html-text.ts';
import { stripUnsafeChars, truncate } from '#shared/feed/safe-text.ts';

/**
 * The feeds a web page announces in its head, the way browsers and readers find them:
 * `<link rel="alternate" type="application/rss+xml" href="..." title="...">` (and Atom, and
 * JSON Feed), hrefs resolved against `<base href>` or the page's own URL. A small tokeniser
 * rather than regexes over the page: attribute values may hold `>`, comments and scripts may
 * hold things that look like tags, and the page is untrusted, so every step is one forward
 * scan with indexOf (linear on any input).
 */

export type FeedFormat = 'rss' | 'atom' | 'json';

export interface FeedLink {
  url: string;
  format: FeedFormat;
  title?: string;
}

export interface PageHead {
  title?: string;
  links: FeedLink[];
}

const FEED_TYPES = new Map<string, FeedFormat>([
  ['application/rss+xml', 'rss'],
  ['application/atom+xml', 'atom'],
  ['application/feed+json', 'json'],
]);

// Elements whose content is raw text: a `<link` inside them is not a tag.
const RAW_TEXT = new Set(['script', 'style', 'title', 'textarea', 'template', 'noscript', 'xmp']);
const MAX_LINKS = 100;
const MAX_TITLE_LENGTH = 200;

export function feedLinksInHead(html: string, pageUrl: string): PageHead {
  const lower = html.toLowerCase();
  const head: PageHead = { links: [] };
  let base = pageUrl;
  let sawBase = false;
  let i = 0;
  while (i < html.length && head.links.length < MAX_LINKS) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    if (lower.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      if (end < 0) break;
      i = end + 3;
      continue;
    }
    if (lower.startsWith('<!', lt) || lower.startsWith('<?', lt)) {
      const end = html.indexOf('>', lt + 2);
      if (end < 0) break;
      i = end + 1;
      continue;
    }
    const closing = html[lt + 1] === '/';
    const nameStart = closing ? lt + 2 : lt + 1;
    let nameEnd = nameStart;
    while (nameEnd < html.length && /[a-z0-9-]/.test(lower[nameEnd]!)) nameEnd += 1;
    const name = lower.slice(nameStart, nameEnd);
    if (name === '' || !/[a-z]/.test(name[0]!)) {
      i = lt + 1;
      continue;
    }
    const tag = readAttributes(html, nameEnd);
    i = tag.end;
    if (closing) {
      if (name === 'head') break;
      continue;
    }
    // The head is over where the body starts, with or without a </head>.
    if (name === 'body') break;
    if (name === 'base' && !sawBase) {
      sawBase = true;
      const href = tag.attributes.get('href');
      const resolved = href === undefined ? undefined : httpUrl(href, pageUrl);
      if (resolved) base = resolved;
    } else if (name === 'link') {
      const link = feedLink(tag.attributes, base);
      if (link && !head.links.some((known) => known.url === link.url)) head.links.push(link);
    }
    if (RAW_TEXT.has(name)) {
      const close = lower.indexOf(`</${name}`, i);
      const content = html.slice(i, close < 0 ? html.length : close);
      if (name === 'title' && head.title === undefined) {
        const title = cleanText(content);
        if (title) head.title = title;
      }
      if (close < 0) break;
      i = close;
    }
  }
  return head;
}

function feedLink(attributes: ReadonlyMap<string, string>, base: string): FeedLink | undefined {
  const rel = (attributes.get('rel') ?? '').toLowerCase().split(/\s+/);
  if (!rel.includes('alternate')) return undefined;
  const type = (attributes.get('type') ?? '').split(';')[0]!.trim().toLowerCase();
  const format = FEED_TYPES.get(type);
  const href = attributes.get('href');
  if (!format || href === undefined) return undefined;
  const url = httpUrl(href, base);
  if (!url) return undefined;
  const title = cleanText(attributes.get('title') ?? '');
  return title ? { url, format, title } : { url, format };
}

function httpUrl(href: string, base: string): string | undefined {
  try {
    const url = new URL(href.trim(), base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    url.hash = '';
    return url.href;
  } catch {
    return undefined;
  }
}

function cleanText(text: string): string | undefined {
  const clean = truncate(stripUnsafeChars(decodeEntities(text)).replace(/\s+/g, ' ').trim(), MAX_TITLE_LENGTH);
  return clean === '' ? undefined : clean;
}

/**
 * The attributes of a start tag from just after its name, to the `>` that ends it (not one
 * inside a quoted value), as the HTML tokeniser reads them: names lower-cased, the first of a
 * repeated name wins, values quoted, unquoted or absent, entities decoded.
 */
function readAttributes(html: string, from: number): { attributes: Map<string, string>; end: number } {
  const attributes = new Map<string, string>();
  let i = from;
  const n = html.length;
  const isSpace = (c: string | undefined) => c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\f' || c === '/';
  for (;;) {
    while (i < n && isSpace(html[i])) i += 1;
    if (i >= n) return { attributes, end: n };
    if (html[i] === '>') return { attributes, end: i + 1 };
    const nameStart = i;
    while (i < n && !isSpace(html[i]) && html[i] !== '=' && html[i] !== '>') i += 1;
    const name = html.slice(nameStart, i).toLowerCase();
    while (i < n && isSpace(html[i]) && html[i] !== '/') i += 1;
    let value = '';
    if (html[i] === '=') {
      i += 1;
      while (i < n && isSpace(html[i]) && html[i] !== '/') i += 1;
      const quote = html[i];
      if (quote === '"' || quote === "'") {
        const close = html.indexOf(quote, i + 1);
        const stop = close < 0 ? n : close;
        value = html.slice(i + 1, stop);
        i = stop + 1;
      } else {
        const valueStart = i;
        while (i < n && !/[\s>]/.test(html[i]!)) i += 1;
        value = html.slice(valueStart, i);
      }
    }
    if (name !== '' && !attributes.has(name)) attributes.set(name, decodeEntities(value));
  }
}
