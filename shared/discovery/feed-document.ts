import { parseFeed } from '#shared/feed/parse-feed.ts';
import { sniffDocument } from '#shared/feed/document-sniff.ts';
import { stripUnsafeChars, truncate } from '#shared/feed/safe-text.ts';
import type { FeedFormat } from './html-feed-links.ts';

/**
 * Whether a fetched body is itself a feed, and which kind: RSS (2.0 or 1.0) and Atom when the
 * poller's own parser reads it, JSON Feed when it is JSON with a jsonfeed.org `version`.
 */

export interface FeedDocument {
  format: FeedFormat;
  title?: string;
  /** As the feed declares it ("en-us"); the config keeps the primary subtag. */
  language?: string;
}

const XML_FORMATS = new Map<string, FeedFormat>([
  ['rss', 'rss'],
  ['rdf:RDF', 'rss'],
  ['feed', 'atom'],
]);

export async function identifyFeed(body: string): Promise<FeedDocument | undefined> {
  const sniff = sniffDocument(body);
  const xmlFormat = sniff.root === undefined ? undefined : XML_FORMATS.get(sniff.root);
  if (xmlFormat) {
    try {
      // Only what the poller can parse counts as a feed.
      const feed = await parseFeed(body, { maxEntries: 0 });
      return {
        format: xmlFormat,
        ...(feed.title ? { title: feed.title } : {}),
        ...(feed.language ? { language: feed.language } : {}),
      };
    } catch {
      return undefined;
    }
  }
  if (sniff.firstChar === '{') return jsonFeed(body);
  return undefined;
}

function jsonFeed(body: string): FeedDocument | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { version, title } = value as { version?: unknown; title?: unknown };
  if (typeof version !== 'string' || !version.startsWith('https://jsonfeed.org/version/')) return undefined;
  const clean = typeof title === 'string' ? truncate(stripUnsafeChars(title).replace(/\s+/g, ' ').trim(), 200) : '';
  return clean ? { format: 'json', title: clean } : { format: 'json' };
}
