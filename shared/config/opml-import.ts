import type { FeedCandidate, MergeLine } from './feed-list-merge.ts';
import type { OpmlEntry } from './opml-read.ts';

/**
 * What an OPML outline means for the feed list: a feed to add (its `xmlUrl`, named by `title`
 * or `text`, folders flattened away), or a rejection saying why it is not one. `type` is not
 * required: many exports leave it out, and an `xmlUrl` is what makes a subscription.
 */
export function candidateOfOutline(entry: OpmlEntry): FeedCandidate | MergeLine {
  const source = `line ${entry.line}`;
  const named = entry.title ? { name: entry.title } : {};
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
