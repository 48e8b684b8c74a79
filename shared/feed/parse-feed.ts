/**
 * RSS 2.0, RSS 1.0 (RDF) and Atom 1.0 into `ParsedFeed`, through rss-parser's `parseString`.
 *
 * The body is hostile input. Before parsing we refuse what is not a feed (empty, HTML, login
 * walls, JSON, entity declarations) with a message a person can act on. During parsing, xml2js
 * processors cap every text value and rename the elements on which rss-parser 3.13 does work we
 * cannot afford or survive: `new Date(x).toISOString()` on Atom dates throws for one bad date and
 * loses the whole feed, `getLink` throws on a `<link>` without attributes, and the snippet
 * regexes on description/content are quadratic on crafted markup. We read those elements, Atom
 * `<category term>` (which rss-parser drops) and `dc:subject` ourselves through `customFields`.
 * After parsing, only known fields are copied, type-checked, into fresh objects.
 */
import Parser from 'rss-parser';
import type { ParsedEntry, ParsedFeed } from '#shared/model.ts';
import { htmlToText } from '#shared/text/html-text.ts';
import { declaresEntities, looksLikeHtml, looksLikeLoginPage, sniffDocument } from '#shared/feed/document-sniff.ts';
import { repairEntities } from '#shared/feed/entity-repair.ts';
import { parseFeedDate } from '#shared/feed/feed-date.ts';
import { stripUnsafeChars, truncate } from '#shared/feed/safe-text.ts';
import { attr, deepText, list, own, ownText } from '#shared/feed/xml-node.ts';

export class FeedParseError extends Error {
  override readonly name = 'FeedParseError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface ParseFeedOptions {
  /** Entries kept, in document order (default 500). */
  maxEntries?: number;
}

export const DEFAULT_MAX_ENTRIES = 500;
export const MAX_TITLE_LENGTH = 1_000;
export const MAX_SUMMARY_LENGTH = 20_000;
const MAX_ATTRIBUTE_LENGTH = 4_096;
const MAX_URL_LENGTH = 4_096;
const MAX_SHORT_FIELD = 200;
const MAX_DATE_LENGTH = 100;
const MAX_CATEGORIES = 50;
const MAX_MESSAGE_LENGTH = 300;

const FEED_ROOTS = new Set(['rss', 'feed', 'rdf:RDF']);

// A Map, not an object literal: tag names come from the feed and `__proto__` must not resolve.
const RENAMED_ELEMENTS = new Map([
  ['link', 'fw:link'],
  ['published', 'fw:published'],
  ['updated', 'fw:updated'],
  ['description', 'fw:description'],
  ['summary', 'fw:summary'],
  ['content', 'fw:content'],
  ['content:encoded', 'fw:encoded'],
]);

const keep = { keepArray: true };
const ITEM_FIELDS = [
  ['fw:link', 'fwLinks', keep],
  ['title', 'fwTitles', keep],
  ['dc:title', 'fwDcTitles', keep],
  ['guid', 'fwGuids', keep],
  ['id', 'fwIds', keep],
  ['pubDate', 'fwPubDates', keep],
  ['dc:date', 'fwDcDates', keep],
  ['fw:published', 'fwPublished', keep],
  ['fw:updated', 'fwUpdated', keep],
  ['fw:description', 'fwDescriptions', keep],
  ['fw:summary', 'fwSummaries', keep],
  ['fw:encoded', 'fwEncoded', keep],
  ['fw:content', 'fwContents', keep],
  ['category', 'fwCategories', keep],
  ['dc:subject', 'fwSubjects', keep],
  ['author', 'fwAuthors', keep],
  ['dc:creator', 'fwCreators', keep],
  ['$', 'fwAttrs', keep],
];
const FEED_FIELDS = [
  ['fw:link', 'fwLinks', keep],
  ['title', 'fwTitles', keep],
  ['language', 'fwLanguages', keep],
  ['dc:language', 'fwDcLanguages', keep],
  ['$', 'fwAttrs', keep],
];

function createParser(): Parser {
  return new Parser({
    // `<rss>` without a version attribute is common enough to accept as RSS 2.0.
    defaultRSS: 2,
    xml2js: {
      tagNameProcessors: [(name: string) => RENAMED_ELEMENTS.get(name) ?? name],
      valueProcessors: [(value: string) => truncate(value, MAX_SUMMARY_LENGTH)],
      attrValueProcessors: [(value: string) => truncate(value, MAX_ATTRIBUTE_LENGTH)],
    },
    customFields: {
      item: ITEM_FIELDS,
      // rss-parser's types allow only plain names for feed fields; at run time it accepts the
      // same [from, to, { keepArray }] form as for items, which we need for links and attributes.
      feed: FEED_FIELDS as unknown as string[],
    },
  });
}

export async function parseFeed(xml: string, options: ParseFeedOptions = {}): Promise<ParsedFeed> {
  const maxEntries = entryLimit(options.maxEntries);
  const body = refuseNonFeed(xml);
  let output: Record<string, unknown>;
  try {
    output = (await settledNow(createParser().parseString(repairEntities(body)))) as Record<string, unknown>;
  } catch (error) {
    throw describeParserFailure(error, body);
  }
  const items = own(output, 'items');
  const rawEntries = Array.isArray(items) ? items.slice(0, maxEntries) : [];
  const feed: ParsedFeed = { entries: rawEntries.map(toParsedEntry) };
  const title = clean(firstText(list(output, 'fwTitles')), MAX_TITLE_LENGTH);
  const link = clean(pickLink(list(output, 'fwLinks')), MAX_URL_LENGTH);
  const language = clean(
    firstText(list(output, 'fwLanguages')) ?? firstText(list(output, 'fwDcLanguages')) ?? attr({ $: own(output, 'fwAttrs') }, 'xml:lang'),
    MAX_SHORT_FIELD,
  );
  if (title) feed.title = title;
  if (link) feed.link = link;
  if (language) feed.language = language;
  return feed;
}

function entryLimit(requested: number | undefined): number {
  if (requested === undefined || !Number.isFinite(requested)) return DEFAULT_MAX_ENTRIES;
  return Math.max(0, Math.floor(requested));
}

/** Returns the body to parse, or throws when it is plainly not a feed. */
function refuseNonFeed(xml: string): string {
  if (typeof xml !== 'string') throw new FeedParseError('feed body is not text');
  if (xml.trim() === '') throw new FeedParseError('empty body: no feed to parse');
  if (declaresEntities(xml)) throw new FeedParseError('DOCTYPE with entity declarations refused');
  const sniff = sniffDocument(xml);
  if (looksLikeHtml(sniff)) {
    if (looksLikeLoginPage(xml)) {
      throw new FeedParseError('looks like a login page (HTML with a sign-in form), not RSS or Atom: the feed may need authentication');
    }
    throw new FeedParseError('looks like an HTML page, not RSS or Atom');
  }
  if (!sniff.startsWithTag) {
    const what = sniff.firstChar === '{' || sniff.firstChar === '[' ? 'looks like JSON' : 'not XML: the body does not start with a tag';
    throw new FeedParseError(`${what}, not RSS or Atom`);
  }
  if (sniff.root !== undefined && !FEED_ROOTS.has(sniff.root)) {
    throw new FeedParseError(`not RSS or Atom: the root element is <${sniff.root}>`);
  }
  return xml;
}

/**
 * rss-parser over xml2js (async: false) settles before `parseString` returns. Should a future
 * version leave the promise pending, the poll cycle must fail this feed, not hang on it.
 */
function settledNow<T>(pending: Promise<T>): Promise<T> {
  return Promise.race([
    pending,
    new Promise<never>((_, reject) => {
      setImmediate(() => reject(new FeedParseError('the XML parser did not finish')));
    }),
  ]);
}

function describeParserFailure(error: unknown, body: string): FeedParseError {
  if (error instanceof FeedParseError) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const [firstLine = ''] = raw.split('\n');
  const position = /\nLine: (\d+)\nColumn: (\d+)/.exec(raw);
  let message: string;
  if (position) {
    // sax counts lines from 0 and columns from 1.
    message = `malformed XML at line ${Number(position[1]) + 1}, column ${position[2]}: ${firstLine}`;
  } else if (raw === 'Unable to parse XML.') {
    message = 'malformed XML: no root element';
  } else if (raw.startsWith('Feed not recognized')) {
    message = 'not RSS or Atom: unknown root element';
  } else if (/^<rss\b/m.test(body.slice(0, 4096)) && !/<channel[\s>]/.test(body)) {
    message = 'RSS document without a <channel>';
  } else {
    message = `RSS or Atom structure not understood: ${firstLine}`;
  }
  return new FeedParseError(truncate(stripUnsafeChars(message).replace(/\s+/g, ' '), MAX_MESSAGE_LENGTH), { cause: error });
}

function toParsedEntry(item: unknown): ParsedEntry {
  const guidNode = list(item, 'fwGuids')[0];
  const guid =
    clean(ownText(guidNode), MAX_URL_LENGTH) ??
    clean(firstText(list(item, 'fwIds')), MAX_URL_LENGTH) ??
    clean(attr({ $: own(item, 'fwAttrs') }, 'rdf:about'), MAX_URL_LENGTH);
  let link = clean(pickLink(list(item, 'fwLinks')), MAX_URL_LENGTH);
  // An RSS guid is a permalink unless it says otherwise; some feeds carry no <link> at all.
  if (!link && guid && guidNode !== undefined && attr(guidNode, 'isPermaLink') !== 'false' && /^https?:\/\//i.test(guid)) {
    link = guid;
  }
  const entry: ParsedEntry = { categories: categoriesOf(item) };
  const title = clean(firstDeepText(list(item, 'fwTitles'), MAX_TITLE_LENGTH) ?? firstDeepText(list(item, 'fwDcTitles'), MAX_TITLE_LENGTH), MAX_TITLE_LENGTH);
  const summary = clean(summaryOf(item), MAX_SUMMARY_LENGTH);
  const published = dateOf(item);
  const author = clean(authorOf(item), MAX_SHORT_FIELD);
  if (guid) entry.guid = guid;
  if (link) entry.link = link;
  if (title) entry.title = title;
  if (summary) entry.summary = summary;
  if (published) entry.published = published;
  if (author) entry.author = author;
  return entry;
}

/** Atom `rel="alternate"` (or no rel) by href first; else RSS's text link. */
function pickLink(links: unknown[]): string | undefined {
  let textLink: string | undefined;
  for (const link of links) {
    const href = attr(link, 'href');
    if (href !== undefined) {
      const rel = attr(link, 'rel') ?? 'alternate';
      if (rel === 'alternate' && href.trim() !== '') return href;
    } else if (textLink === undefined) {
      const text = ownText(link);
      if (text !== undefined && text.trim() !== '') textLink = text;
    }
  }
  return textLink;
}

/** The teaser fields first; full content only when the teaser has no visible text (an image, "…"). */
function summaryOf(item: unknown): string | undefined {
  const candidates = ['fwDescriptions', 'fwSummaries', 'fwEncoded', 'fwContents'];
  let fallback: string | undefined;
  for (const key of candidates) {
    const text = firstDeepText(list(item, key), MAX_SUMMARY_LENGTH);
    if (text === undefined || text.trim() === '') continue;
    if (htmlToText(truncate(text, 2_000)).replace(/[…\s.]/g, '') !== '') return text;
    fallback ??= text;
  }
  return fallback;
}

const DATE_FIELDS = ['fwPubDates', 'fwDcDates', 'fwPublished', 'fwUpdated'];

/** The first date that parses (Atom's `updated` rescues a garbled `published`), else the first given. */
function dateOf(item: unknown): string | undefined {
  let first: string | undefined;
  for (const key of DATE_FIELDS) {
    const text = clean(firstText(list(item, key)), MAX_DATE_LENGTH);
    if (text === undefined) continue;
    if (parseFeedDate(text) !== undefined) return text;
    first ??= text;
  }
  return first;
}

function categoriesOf(item: unknown): string[] {
  const categories: string[] = [];
  const nodes = [...list(item, 'fwCategories'), ...list(item, 'fwSubjects')].slice(0, MAX_CATEGORIES * 2);
  for (const node of nodes) {
    // Atom carries the category in `term` (the label is optional); RSS and dc:subject in the text.
    const value = clean(attr(node, 'term') ?? attr(node, 'label') ?? ownText(node), MAX_SHORT_FIELD);
    if (value) categories.push(value);
    if (categories.length >= MAX_CATEGORIES) break;
  }
  return categories;
}

function authorOf(item: unknown): string | undefined {
  const author = list(item, 'fwAuthors')[0];
  const atomName = firstText(list(author, 'name'));
  return atomName ?? ownText(author) ?? firstText(list(item, 'fwCreators'));
}

function firstText(nodes: unknown[]): string | undefined {
  for (const node of nodes) {
    const text = ownText(node);
    if (text !== undefined && text.trim() !== '') return text;
  }
  return undefined;
}

function firstDeepText(nodes: unknown[], maxLength: number): string | undefined {
  for (const node of nodes) {
    const text = deepText(node, maxLength);
    if (text.trim() !== '') return text;
  }
  return undefined;
}

function clean(value: string | undefined, maxLength: number): string | undefined {
  if (value === undefined) return undefined;
  const text = stripUnsafeChars(truncate(value, maxLength)).trim();
  return text === '' ? undefined : text;
}
