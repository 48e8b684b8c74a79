import { feedUrlKey } from '#shared/config/feed-list-merge.ts';
import { looksLikeHtml, sniffDocument } from '#shared/feed/document-sniff.ts';
import type { FetchOutcome } from '#shared/fetch/fetch-feed.ts';
import { identifyFeed } from './feed-document.ts';
import { feedLinksInHead, type FeedFormat, type PageHead } from './html-feed-links.ts';

/**
 * Feed discovery for `fundwatch feeds add URL`: the URL is a feed, or a page that announces
 * its feeds with `<link rel="alternate">`, or, when it announces none, a site that serves one
 * at a common path. Every request goes through the caller's fetch (the hardened fetcher with
 * the config's limits and private-address rules).
 */

export type Fetch = (url: string) => Promise<FetchOutcome>;

export interface FoundFeed {
  url: string;
  format: FeedFormat;
  title?: string;
  language?: string;
  /** Whether the poller reads this format; JSON Feed is found but not polled yet. */
  polled: boolean;
}

export interface Discovery {
  /** The page's URL after redirects. */
  page: string;
  pageTitle?: string;
  how: 'is-a-feed' | 'page-links' | 'common-paths' | 'nothing';
  found: FoundFeed[];
}

export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
}

/** Where sites most often serve their feed (WordPress, Ghost, Hugo, Jekyll, static generators). */
export const COMMON_FEED_PATHS = ['/feed', '/rss', '/rss.xml', '/atom.xml', '/feed.xml', '/index.xml'] as const;

const POLLED_FORMATS: ReadonlySet<FeedFormat> = new Set(['rss', 'atom']);

/** A bare host ("example.org/news") is taken as https. */
export function discoveryUrl(input: string): string {
  const trimmed = input.trim();
  return /^[a-z][a-z0-9+.-]*:/i.test(trimmed) ? trimmed : `https://${trimmed}`;
}

export async function findFeeds(input: string, fetch: Fetch): Promise<Discovery> {
  const url = discoveryUrl(input);
  const outcome = await fetch(url);
  if (outcome.kind !== 'fetched') {
    throw new DiscoveryError(`could not fetch ${url}: ${outcome.kind === 'failed' ? outcome.message : 'no content'}`);
  }
  const page = outcome.url;
  const itself = await identifyFeed(outcome.body);
  if (itself) {
    // The address the user gave stays unless the server says the feed moved for good.
    return { page, how: 'is-a-feed', found: [found(outcome.movedTo ?? url, itself.format, itself.title, itself.language)] };
  }

  const isHtml = looksLikeHtml(sniffDocument(outcome.body)) || /^\s*text\/html\b/i.test(outcome.contentType ?? '');
  const head: PageHead = isHtml ? feedLinksInHead(outcome.body, page) : { links: [] };
  const pageTitle = head.title;
  const titled = pageTitle ? { pageTitle } : {};
  if (head.links.length > 0) {
    return { page, ...titled, how: 'page-links', found: unique(head.links.map((l) => found(l.url, l.format, l.title ?? pageTitle))) };
  }

  const probes = await Promise.all(
    COMMON_FEED_PATHS.map(async (path) => {
      const probeUrl = new URL(path, page).href;
      const probe = await fetch(probeUrl);
      if (probe.kind !== 'fetched') return undefined;
      const feed = await identifyFeed(probe.body);
      return feed ? { key: probe.url, feed: found(probe.movedTo ?? probeUrl, feed.format, feed.title ?? pageTitle, feed.language) } : undefined;
    }),
  );
  // Two paths that redirect to one feed are one feed.
  const byTarget = new Map<string, FoundFeed>();
  for (const probe of probes) {
    const key = probe && feedUrlKey(probe.key);
    if (probe && key !== undefined && !byTarget.has(key)) byTarget.set(key, probe.feed);
  }
  const feeds = [...byTarget.values()];
  return { page, ...titled, how: feeds.length > 0 ? 'common-paths' : 'nothing', found: feeds };
}

function found(url: string, format: FeedFormat, title: string | undefined, language?: string): FoundFeed {
  return { url, format, ...(title ? { title } : {}), ...(language ? { language } : {}), polled: POLLED_FORMATS.has(format) };
}

function unique(feeds: FoundFeed[]): FoundFeed[] {
  const seen = new Set<string>();
  return feeds.filter((feed) => {
    const key = feedUrlKey(feed.url) ?? feed.url;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
