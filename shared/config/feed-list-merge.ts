import { canonicalLink } from '#shared/feed/canonical-link.ts';
import { parseFeedUrl } from '#shared/fetch/redirect-policy.ts';
import { describeIssue } from './json-document.ts';
import { feedSchema } from './schema.ts';

/**
 * Adding feeds from elsewhere (an OPML file, discovery) to the config's feed list: each one is
 * added, already there, or rejected with the reason, and the same feed is never listed twice.
 * Pure; the caller reads and writes the file.
 */

export interface FeedEntry {
  url: string;
  name: string;
  language?: string;
}

export interface FeedCandidate {
  url: string;
  name?: string;
  language?: string;
  /** Where it came from, for the report ("line 12"). */
  source?: string;
}

export type MergeLine =
  | { outcome: 'added'; feed: FeedEntry; source?: string; notes: string[] }
  | {
      outcome: 'already-there';
      url: string;
      name?: string;
      source?: string;
      sameAs: FeedEntry;
      /** Set when the feed it repeats was added by this same merge: where that one came from. */
      addedFrom?: string;
    }
  | { outcome: 'rejected'; url?: string; name?: string; source?: string; reason: string };

export interface MergeResult {
  /** In candidate order; append them to the existing list. */
  added: FeedEntry[];
  /** One per candidate (and per rejection passed in), in order. */
  lines: MergeLine[];
}

const LANGUAGE_TAG = /^([a-z]{2})(?:[-_][a-z0-9]{1,8})*$/i;

/**
 * The identity of a feed URL: the canonical link (tracking parameters, fragment, default port
 * and case differences gone), without the scheme, because the http and https addresses of a
 * feed are the same subscription and readers export whichever the user first typed.
 */
export function feedUrlKey(url: string): string | undefined {
  return canonicalLink(url)?.replace(/^https?:/, '');
}

export function mergeFeeds(existing: readonly FeedEntry[], candidates: readonly (FeedCandidate | MergeLine)[]): MergeResult {
  const known = new Map<string, Known>();
  for (const feed of existing) {
    const key = feedUrlKey(feed.url);
    if (key !== undefined && !known.has(key)) known.set(key, { feed });
  }
  const added: FeedEntry[] = [];
  const lines: MergeLine[] = [];
  for (const candidate of candidates) {
    if ('outcome' in candidate) {
      lines.push(candidate);
      continue;
    }
    const line = judge(candidate, known);
    if (line.outcome === 'added') {
      added.push(line.feed);
      known.set(feedUrlKey(line.feed.url)!, { feed: line.feed, addedFrom: line.source ?? 'this run' });
    }
    lines.push(line);
  }
  return { added, lines };
}

interface Known {
  feed: FeedEntry;
  addedFrom?: string;
}

function judge(candidate: FeedCandidate, known: ReadonlyMap<string, Known>): MergeLine {
  const where = {
    ...(candidate.name ? { name: candidate.name } : {}),
    ...(candidate.source ? { source: candidate.source } : {}),
  };
  const parsed = parseFeedUrl(candidate.url);
  if (!parsed.ok) return { outcome: 'rejected', url: candidate.url, ...where, reason: parsed.reason };
  const url = parsed.url.href;
  const key = feedUrlKey(url);
  if (key === undefined) return { outcome: 'rejected', url: candidate.url, ...where, reason: 'not a usable http(s) URL' };
  const seen = known.get(key);
  if (seen) {
    return { outcome: 'already-there', url, ...where, sameAs: seen.feed, ...(seen.addedFrom ? { addedFrom: seen.addedFrom } : {}) };
  }

  const notes: string[] = [];
  const feed: FeedEntry = { url, name: candidate.name ?? parsed.url.hostname };
  if (!candidate.name) notes.push('no title: named after its host');
  if (candidate.language !== undefined) {
    const primary = LANGUAGE_TAG.exec(candidate.language)?.[1]?.toLowerCase();
    if (primary) feed.language = primary;
    else notes.push(`language ${JSON.stringify(candidate.language)} dropped: the config takes two-letter codes`);
  }
  const checked = feedSchema.safeParse(feed);
  if (!checked.success) {
    const reason = checked.error.issues.map((issue) => describeIssue(issue).replace(/^\$\.?/, '')).join('; ');
    return { outcome: 'rejected', url, ...where, reason };
  }
  return { outcome: 'added', feed, ...(candidate.source ? { source: candidate.source } : {}), notes };
}
