import type { UpdateView } from './views.ts';

/**
 * The stored updates as feeds a reader can subscribe to: RSS 2.0 and JSON Feed 1.1, built from
 * the same page of the listing. Text from feeds is untrusted: it is XML-escaped, and characters
 * XML 1.0 forbids are dropped, so a hostile headline cannot break or inject into the document.
 */

export interface FeedContext {
  title: string;
  description: string;
  /** This feed's own URL (RSS `atom:link rel="self"`, JSON Feed `feed_url`). */
  selfUrl: string;
  /** The human-facing page (RSS channel `link`, JSON Feed `home_page_url`). */
  homeUrl: string;
  /** The next page of this feed, when there is one (JSON Feed `next_url`). */
  nextUrl?: string;
}

// XML 1.0 Char production, minus the C1 controls and non-characters readers choke on.
const NOT_XML_CHAR = /[^\u0009\u000a\u000d\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

export function xmlEscape(text: string): string {
  return text
    .replace(NOT_XML_CHAR, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** RFC 822 dates as RSS 2.0 requires; `toUTCString()` gives exactly that form with "GMT". */
function rfc822(iso: string): string | undefined {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : new Date(ms).toUTCString();
}

/** Only http(s) links go into feeds: a stored `javascript:` link must not become clickable. */
function safeUrl(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

export function renderRss(items: readonly UpdateView[], ctx: FeedContext): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">',
    '<channel>',
    `<title>${xmlEscape(ctx.title)}</title>`,
    `<link>${xmlEscape(ctx.homeUrl)}</link>`,
    `<description>${xmlEscape(ctx.description)}</description>`,
    `<atom:link href="${xmlEscape(ctx.selfUrl)}" rel="self" type="application/rss+xml"/>`,
    '<generator>fundwatch</generator>',
    '<docs>https://www.rssboard.org/rss-specification</docs>',
  ];
  const newest = items[0] ? rfc822(items[0].publishedAt) : undefined;
  if (newest) lines.push(`<lastBuildDate>${newest}</lastBuildDate>`);
  if (ctx.nextUrl) lines.push(`<atom:link href="${xmlEscape(ctx.nextUrl)}" rel="next" type="application/rss+xml"/>`);
  for (const item of items) {
    lines.push('<item>');
    lines.push(`<title>${xmlEscape(item.title || '(untitled)')}</title>`);
    const link = safeUrl(item.link);
    if (link) lines.push(`<link>${xmlEscape(link)}</link>`);
    lines.push(`<description>${xmlEscape(item.summary)}</description>`);
    lines.push(`<guid isPermaLink="false">${xmlEscape(item.id)}</guid>`);
    const date = rfc822(item.publishedAt);
    if (date) lines.push(`<pubDate>${date}</pubDate>`);
    for (const topic of item.topics) lines.push(`<category>${xmlEscape(topic)}</category>`);
    const feedUrl = safeUrl(item.feedUrl);
    if (feedUrl && item.source) lines.push(`<source url="${xmlEscape(feedUrl)}">${xmlEscape(item.source)}</source>`);
    lines.push('</item>');
  }
  lines.push('</channel>', '</rss>', '');
  return lines.join('\n');
}

export interface JsonFeed {
  version: 'https://jsonfeed.org/version/1.1';
  title: string;
  description: string;
  home_page_url: string;
  feed_url: string;
  next_url?: string;
  items: JsonFeedItem[];
}

export interface JsonFeedItem {
  id: string;
  url?: string;
  title: string;
  content_text: string;
  date_published: string;
  tags: string[];
  language?: string;
  authors?: { name: string; url?: string }[];
  /** JSON Feed's extension convention: keys starting with an underscore. */
  _fundwatch: { score: number; duplicateOf: string | null; duplicateCount?: number };
}

export function renderJsonFeed(items: readonly UpdateView[], ctx: FeedContext): JsonFeed {
  const feed: JsonFeed = {
    version: 'https://jsonfeed.org/version/1.1',
    title: ctx.title,
    description: ctx.description,
    home_page_url: ctx.homeUrl,
    feed_url: ctx.selfUrl,
    items: items.map((item) => {
      const out: JsonFeedItem = {
        id: item.id,
        title: item.title,
        content_text: item.summary,
        date_published: item.publishedAt,
        tags: item.topics,
        _fundwatch: { score: item.score, duplicateOf: item.duplicateOf },
      };
      if (item.duplicateCount !== undefined) out._fundwatch.duplicateCount = item.duplicateCount;
      const url = safeUrl(item.link);
      if (url) out.url = url;
      if (item.lang) out.language = item.lang;
      if (item.source) {
        const author: { name: string; url?: string } = { name: item.source };
        const feedUrl = safeUrl(item.feedUrl);
        if (feedUrl) author.url = feedUrl;
        out.authors = [author];
      }
      return out;
    }),
  };
  if (ctx.nextUrl) feed.next_url = ctx.nextUrl;
  return feed;
}
