import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { prng } from './stats.ts';

/**
 * Deterministic RSS 2.0 feeds built from the team's dev set (`../shared/eval/dev.jsonl`, beside
 * the repository). Each item takes the title and summary of one dev example; the feed and item
 * numbers go into its GUID, link and summary so every id is unique while the text stays real.
 *
 * The mix: a general news feed is mostly about other things, so each item is drawn from the
 * labelled (relevant) dev examples with probability `relevantShare` (15% by default) and from
 * the unlabelled ones otherwise. The unlabelled dev examples are hard negatives (NATO, Ukraine,
 * funds that are not the story), so they cost the classifier at least as much as ordinary news.
 */

export interface DevExample {
  id: string;
  title: string;
  summary: string;
  lang?: string;
  labels: string[];
}

export const DEV_SET_PATH = fileURLToPath(new URL('../../../shared/eval/dev.jsonl', import.meta.url));

export function loadDevSet(path = DEV_SET_PATH): DevExample[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const row = JSON.parse(line) as Partial<DevExample>;
      return { id: String(row.id), title: String(row.title ?? ''), summary: String(row.summary ?? ''), lang: row.lang, labels: row.labels ?? [] };
    });
}

export interface FeedItem {
  guid: string;
  link: string;
  title: string;
  summary: string;
  publishedMs: number;
  category: string;
  /** True when drawn from a labelled dev example (ground truth for the mix). */
  relevant: boolean;
  lang?: string;
}

export interface FeedSetOptions {
  feeds: number;
  itemsPerFeed: number;
  /** Feeds are spread over this many hosts (the pipeline limits concurrency per host). */
  hosts: number;
  relevantShare?: number;
  seed?: number;
  /** Newest publication time; items go back from here in steps of a few minutes. */
  nowMs: number;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const xml = (text: string) => text.replace(/[&<>"]/g, (c) => ESCAPES[c]!);

/** The items of every feed, newest first, and a generator for the items a feed publishes later. */
export class FeedSet {
  readonly feeds: FeedItem[][] = [];
  readonly versions: number[] = [];
  private readonly relevant: DevExample[];
  private readonly irrelevant: DevExample[];
  private readonly rand: () => number;
  private readonly relevantShare: number;
  private readonly nextItem: number[] = [];

  constructor(
    readonly options: FeedSetOptions,
    dev: readonly DevExample[] = loadDevSet(),
  ) {
    this.relevant = dev.filter((d) => d.labels.length > 0);
    this.irrelevant = dev.filter((d) => d.labels.length === 0);
    if (this.relevant.length === 0 || this.irrelevant.length === 0) throw new Error('the dev set needs both relevant and irrelevant examples');
    this.rand = prng(options.seed ?? 8);
    this.relevantShare = options.relevantShare ?? 0.15;
    for (let f = 0; f < options.feeds; f++) {
      const items: FeedItem[] = [];
      for (let i = 0; i < options.itemsPerFeed; i++) {
        // Oldest first into the list's end: item 0 is the newest.
        items.push(this.makeItem(f, options.itemsPerFeed - 1 - i, options.nowMs - (i * 17 + (f % 13)) * 60_000));
      }
      this.feeds.push(items);
      this.versions.push(1);
      this.nextItem.push(options.itemsPerFeed);
    }
  }

  hostOf(feed: number): number {
    return feed % this.options.hosts;
  }

  private makeItem(feed: number, n: number, publishedMs: number): FeedItem {
    const relevant = this.rand() < this.relevantShare;
    const pool = relevant ? this.relevant : this.irrelevant;
    const dev = pool[Math.floor(this.rand() * pool.length)]!;
    const slug = dev.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 60).replace(/^-|-$/g, '');
    const host = `news${String(this.hostOf(feed)).padStart(3, '0')}.example.com`;
    return {
      guid: `https://${host}/f${feed}/i${n}`,
      link: `https://${host}/${feed}/${n}/${slug}`,
      title: dev.title,
      summary: `${dev.summary} (Desk ${feed}, report ${n}.)`,
      publishedMs,
      category: relevant ? 'World' : ['World', 'Politics', 'Europe', 'Business'][n % 4]!,
      relevant,
      ...(dev.lang ? { lang: dev.lang } : {}),
    };
  }

  /** `count` new items at the top of a feed, the oldest ones dropped (the feed keeps its length). */
  publish(feed: number, count: number, atMs: number): void {
    const items = this.feeds[feed]!;
    for (let k = 0; k < count; k++) {
      items.unshift(this.makeItem(feed, this.nextItem[feed]!++, atMs + k * 1000));
      items.pop();
    }
    this.versions[feed]!++;
  }

  itemCount(): number {
    return this.feeds.reduce((n, items) => n + items.length, 0);
  }

  relevantCount(): number {
    return this.feeds.reduce((n, items) => n + items.filter((i) => i.relevant).length, 0);
  }

  /** The feed as an RSS 2.0 document, the way a typical CMS writes one. */
  render(feed: number): string {
    const items = this.feeds[feed]!;
    const lang = items[0]?.lang ?? 'en';
    const parts = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">',
      '<channel>',
      `<title>Bench Desk ${feed}</title>`,
      `<link>https://news${String(this.hostOf(feed)).padStart(3, '0')}.example.com/${feed}/</link>`,
      `<description>World news from desk ${feed}</description>`,
      `<language>${lang}</language>`,
      `<lastBuildDate>${new Date(items[0]?.publishedMs ?? 0).toUTCString()}</lastBuildDate>`,
    ];
    for (const item of items) {
      parts.push(
        '<item>',
        `<title>${xml(item.title)}</title>`,
        `<link>${xml(item.link)}</link>`,
        `<guid isPermaLink="false">${xml(item.guid)}</guid>`,
        `<pubDate>${new Date(item.publishedMs).toUTCString()}</pubDate>`,
        `<dc:creator>Desk ${feed}</dc:creator>`,
        `<category>${item.category}</category>`,
        `<description>${xml(item.summary)}</description>`,
        '</item>',
      );
    }
    parts.push('</channel>', '</rss>', '');
    return parts.join('\n');
  }
}
