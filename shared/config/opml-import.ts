import type { FeedCandidate, MergeLine } from './feed-list-merge.ts';
import type { OpmlEntry } from './opml-read.ts';

/**
 * Outline types that carry an `xmlUrl` or `url` but are no RSS or Atom feed: OPML's own
 * links and includes, and FreshRSS's scraped sources (whose `xmlUrl` is an HTML page) and
 * JSON Feeds, which the poller does not read.
 */
const NOT_FEED_TYPES: ReadonlyMap<string, string> = new Map([
  ['link', 'type="link": a link, not a feed'],
  ['include', 'type="include": a link to another outline, not a feed'],
  ['html+xpath', 'type="HTML+XPath": a web page scraped by FreshRSS, not a feed'],
  ['xml+xpath', 'type="XML+XPath": a document scraped by FreshRSS, not a feed'],
  ['json+dotnotation', 'type="JSON+DotNotation": JSON scraped by FreshRSS, not a feed'],
  ['html+xpath+json+dotnotation', 'type="HTML+XPath+JSON+DotNotation": scraped by FreshRSS, not a feed'],
  ['jsonfeed', 'type="JSONFeed": fundwatch polls RSS and Atom only'],
]);

/**
 * What an OPML outline means for the feed list: a feed to add (its `xmlUrl`, named by `title`
 * or `text`, folders flattened away), or a rejection saying why it is not one. `type` is not
 * required: many exports leave it out, and an `xmlUrl` is what makes a subscription.
 */
export function candidateOfOutline(entry: OpmlEntry): FeedCandidate | MergeLine {
  const source = `line ${entry.line}`;
  const named = entry.title ? { name: entry.title } : {};
  const notFeed = entry.type === undefined ? undefined : NOT_FEED_TYPES.get(entry.type);
  if (notFeed) return { outcome: 'rejected', ...named, ...(entry.xmlUrl ? { url: entry.xmlUrl } : {}), source, reason: notFeed };
  if (entry.xmlUrl === undefined) {
    const reason = entry.htmlUrl !== undefined
      ? `htmlUrl without xmlUrl: a web page, not a feed (${entry.htmlUrl})`
      : 'no xmlUrl: not a feed';
    return { outcome: 'rejected', ...named, source, reason };
  }
  return {
    url: entry.xmlUrl,
    ...named,
    ...(entry.language ? { language: entry.language } : {}),
    source,
  };
}
