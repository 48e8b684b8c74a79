/**
 * A parsed entry made comparable: plain-text title and summary, canonical link, stable id,
 * ISO date, short language code, plain-text categories. Every field is built fresh from the
 * entry's known fields, never copied wholesale.
 */
import type { NewsItem, ParsedEntry } from '#shared/model.ts';
import { htmlToText } from '#shared/text/html-text.ts';
import { canonicalLink } from '#shared/feed/canonical-link.ts';
import { publishedAtOf } from '#shared/feed/feed-date.ts';
import { itemId } from '#shared/feed/item-identity.ts';
import { cutAtWord, stripUnsafeChars, truncate } from '#shared/feed/safe-text.ts';

export interface FeedContext {
  url: string;
  name: string;
  /** From the feed config, else the feed's own language element. */
  language?: string;
}

export const MAX_TITLE_CHARS = 300;
export const MAX_SUMMARY_CHARS = 1_000;
const MAX_CATEGORY_CHARS = 100;
const MAX_CATEGORIES = 20;
// Bounds the HTML handed to htmlToText: enough markup for MAX_SUMMARY_CHARS of text.
const MAX_HTML_INPUT = 20_000;
const MAX_TITLE_HTML_INPUT = 1_000;

export function normaliseEntry(entry: ParsedEntry, feed: FeedContext, fetchedAt: string): NewsItem | undefined {
  const summaryText = plainText(entry.summary, MAX_HTML_INPUT);
  const titleText = plainText(entry.title, MAX_TITLE_HTML_INPUT);
  if (titleText === '' && summaryText === '') return undefined;
  // Title-less entries (microblogs, some podcasts) get the start of their summary as a headline.
  const title = cutAtWord(titleText !== '' ? titleText : summaryText, MAX_TITLE_CHARS);
  const summary = cutAtWord(summaryText, MAX_SUMMARY_CHARS);
  // Atom's xml:base is not honoured: relative links are resolved against the feed URL.
  const link = canonicalLink(entry.link, feed.url);
  const item: NewsItem = {
    id: itemId({ guid: entry.guid, link, title: titleText, summary: summaryText, feedUrl: feed.url }),
    title,
    summary,
    source: oneLine(feed.name),
    feedUrl: feed.url,
    publishedAt: publishedAtOf(entry.published, fetchedAt),
    fetchedAt,
    categories: categoriesOf(entry.categories),
  };
  if (link !== undefined) item.link = link;
  const lang = languageCode(feed.language);
  if (lang !== undefined) item.lang = lang;
  return item;
}

function plainText(html: string | undefined, maxInput: number): string {
  if (typeof html !== 'string') return '';
  return oneLine(htmlToText(truncate(html, maxInput)));
}

/** Removes what htmlToText leaves on purpose (bidi marks, lone surrogates) and line breaks. */
function oneLine(text: string): string {
  return stripUnsafeChars(String(text)).replace(/\s+/g, ' ').trim();
}

/** "en-GB", "EN_us", "de" → two lower-case letters; anything else is no language at all. */
export function languageCode(language: string | undefined): string | undefined {
  if (typeof language !== 'string') return undefined;
  const match = /^\s*([a-zA-Z]{2})(?:[-_\s]|$)/.exec(language);
  return match ? match[1]!.toLowerCase() : undefined;
}

function categoriesOf(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  const seen = new Set<string>();
  const categories: string[] = [];
  for (const value of raw) {
    if (typeof value !== 'string') continue;
    const text = cutAtWord(plainText(value, MAX_CATEGORY_CHARS * 4), MAX_CATEGORY_CHARS);
    const key = text.toLowerCase();
    if (text === '' || seen.has(key)) continue;
    seen.add(key);
    categories.push(text);
    if (categories.length >= MAX_CATEGORIES) break;
  }
  return categories;
}
