import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isSameStory, shingles } from '#shared/alerts/near-duplicates.ts';
import { prng } from '#tests/support/prng.ts';

/**
 * Deterministic RSS 2.0 feeds built from the team's dev set (`../shared/eval/dev.jsonl`, beside
 * the repository). The feed and item numbers go into each item's GUID, link and summary so every
 * id is unique while the text stays real.
 *
 * The mix: a general news feed is mostly about other things, so an item is relevant with
 * probability `relevantShare` (15% by default) and otherwise takes the title and summary of an
 * unlabelled dev example. The unlabelled dev examples are hard negatives (NATO, Ukraine, funds
 * that are not the story), so they cost the classifier at least as much as ordinary news.
 *
 * Relevant items are **distinct stories**, not the 150 labelled examples over and over (which
 * made nearly every match a near-duplicate of another): a story takes the title of one labelled
 * example and, as its summary, the first half of another labelled example's summary and the
 * second half of a third's, both in the same language and sharing a label with the first (so it
 * still reads as, and classifies as, that topic, at about a dev example's length). No (b, c)
 * pair is used twice, and a story is only accepted when the pipeline's own near-duplicate test
 * (`isSameStory` on word 3-grams), with a 25% margin, says it is not the same story as any
 * earlier one.
 * Then, deliberately, a share of the relevant items (`syndicatedShare`, 10% by default) are
 * syndicated copies: an earlier story from another feed, same text, with a headline suffix
 * naming the desk that re-ran it (and that desk's own "(Desk f, report n.)" line), checked to be
 * the same story by the same test.
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
  /** True for a relevant story or a copy of one (ground truth for the mix). */
  relevant: boolean;
  /** For a syndicated copy: the GUID of the item it copies (ground truth for duplicates). */
  copyOf?: string;
  lang?: string;
}

export interface FeedSetOptions {
  feeds: number;
  itemsPerFeed: number;
  /** Feeds are spread over this many hosts (the pipeline limits concurrency per host). */
  hosts: number;
  relevantShare?: number;
  /** Share of relevant items that are syndicated copies of an earlier story on another feed. */
  syndicatedShare?: number;
  seed?: number;
  /** Newest publication time; items go back from here in steps of a few minutes. */
  nowMs: number;
}

/** A relevant story as first published, before a desk's "(Desk f, report n.)" line. */
interface Story {
  title: string;
  summary: string;
  lang?: string;
  feed: number;
  guid: string;
}

/** Words the near-duplicate test sees: tags dropped and character references decoded, as the parser does. */
function plain(text: string): string {
  return text
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&(amp|lt|gt|quot|apos|nbsp);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' })[e]!);
}

/**
 * The pipeline's rule (`isSameStory`) on two shingle sets, with a margin so that small
 * differences between this text and what the parser hands the pipeline cannot flip the answer:
 * `scale` 4/3 tests the similarities as if a third higher (new stories must stay 25% below each
 * threshold), 3/4 as if a quarter lower (copies must clear each threshold by a third).
 */
function sameStory(a: Set<string>, b: Set<string>, scale: number): boolean {
  let inter = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const s of small) if (large.has(s)) inter++;
  const union = a.size + b.size - inter;
  const jaccard = union === 0 ? 0 : inter / union;
  const containment = small.size === 0 ? 0 : inter / small.size;
  return isSameStory({ jaccard: jaccard * scale, containment: containment * scale, smaller: small.size });
}
const NEW_STORY_MARGIN = 4 / 3;
const COPY_MARGIN = 3 / 4;

const deskLine = (feed: number, n: number) => `(Desk ${feed}, report ${n}.)`;

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
  private readonly syndicatedShare: number;
  private readonly nextItem: number[] = [];
  /** Every distinct relevant story so far, with its shingles (rendered with its desk line). */
  private readonly stories: Story[] = [];
  private readonly storyShingles: Set<string>[] = [];
  private readonly shingleIndex = new Map<string, number[]>();
  private readonly usedSummaryPairs = new Set<string>();

  constructor(
    readonly options: FeedSetOptions,
    dev: readonly DevExample[] = loadDevSet(),
  ) {
    this.relevant = dev.filter((d) => d.labels.length > 0);
    this.irrelevant = dev.filter((d) => d.labels.length === 0);
    if (this.relevant.length === 0 || this.irrelevant.length === 0) throw new Error('the dev set needs both relevant and irrelevant examples');
    this.rand = prng(options.seed ?? 8);
    this.relevantShare = options.relevantShare ?? 0.15;
    this.syndicatedShare = options.syndicatedShare ?? 0.1;
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
    const host = `news${String(this.hostOf(feed)).padStart(3, '0')}.example.com`;
    const guid = `https://${host}/f${feed}/i${n}`;
    const relevant = this.rand() < this.relevantShare;
    let text: { title: string; summary: string; lang?: string };
    let copyOf: string | undefined;
    if (!relevant) {
      const dev = this.irrelevant[Math.floor(this.rand() * this.irrelevant.length)]!;
      text = { title: dev.title, summary: dev.summary, ...(dev.lang ? { lang: dev.lang } : {}) };
    } else {
      const original = this.rand() < this.syndicatedShare ? this.pickOriginal(feed, n) : undefined;
      if (original) {
        copyOf = original.guid;
        text = { title: `${original.title} | Desk ${feed}`, summary: original.summary, ...(original.lang ? { lang: original.lang } : {}) };
      } else {
        text = this.newStory(feed, n, guid);
      }
    }
    const slug = text.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 60).replace(/^-|-$/g, '');
    return {
      guid,
      link: `https://${host}/${feed}/${n}/${slug}`,
      title: text.title,
      summary: `${text.summary} ${deskLine(feed, n)}`,
      publishedMs,
      category: relevant ? 'World' : ['World', 'Politics', 'Europe', 'Business'][n % 4]!,
      relevant,
      ...(copyOf ? { copyOf } : {}),
      ...(text.lang ? { lang: text.lang } : {}),
    };
  }

  /** An earlier story from another feed whose copy here the near-duplicate test links to it. */
  private pickOriginal(feed: number, n: number): Story | undefined {
    for (let attempt = 0; attempt < 20 && this.stories.length > 0; attempt++) {
      const k = Math.floor(this.rand() * this.stories.length);
      const story = this.stories[k]!;
      if (story.feed === feed) continue;
      const copy = shingles(`${story.title} | Desk ${feed}`, plain(`${story.summary} ${deskLine(feed, n)}`));
      if (sameStory(copy, this.storyShingles[k]!, COPY_MARGIN)) return story;
    }
    return undefined;
  }

  /**
   * A new relevant story: the title of labelled example a, the first half of labelled example
   * b's summary and the second half of c's (same language, sharing a label with a, the pair
   * (b, c) never used before), accepted
   * only if it is clearly (NEW_STORY_MARGIN) not the same story as any earlier one.
   */
  private newStory(feed: number, n: number, guid: string): Story {
    for (let attempt = 0; attempt < 500; attempt++) {
      const a = this.relevant[Math.floor(this.rand() * this.relevant.length)]!;
      const label = a.labels[Math.floor(this.rand() * a.labels.length)]!;
      const group = this.relevant.filter((d) => d !== a && d.lang === a.lang && d.labels.includes(label));
      if (group.length < 2) continue;
      const i = Math.floor(this.rand() * group.length);
      let j = Math.floor(this.rand() * (group.length - 1));
      if (j >= i) j++;
      const [b, c] = [group[i]!, group[j]!];
      const pairKey = `${b.id}>${c.id}`;
      if (this.usedSummaryPairs.has(pairKey)) continue;
      // The first half of b's summary and the second half of c's, so a story is as long as a
      // dev example (and carries about as many topics), not two examples' worth of text.
      const bWords = b.summary.replace(/<[^>]*>/g, ' ').split(/\s+/).filter(Boolean);
      const cWords = c.summary.replace(/<[^>]*>/g, ' ').split(/\s+/).filter(Boolean);
      if (bWords.length < 6 || cWords.length < 6) continue;
      const summary = [...bWords.slice(0, Math.ceil(bWords.length / 2)), ...cWords.slice(Math.ceil(cWords.length / 2))].join(' ');
      const set = shingles(a.title, plain(`${summary} ${deskLine(feed, n)}`));
      if (this.clashes(set)) continue;
      this.usedSummaryPairs.add(pairKey);
      const story: Story = { title: a.title, summary, feed, guid, ...(a.lang ? { lang: a.lang } : {}) };
      const position = this.stories.length;
      this.stories.push(story);
      this.storyShingles.push(set);
      for (const s of set) {
        const postings = this.shingleIndex.get(s);
        if (postings) postings.push(position);
        else this.shingleIndex.set(s, [position]);
      }
      return story;
    }
    throw new Error(`no distinct relevant story left after ${this.stories.length} (the dev set is too small for this many feeds)`);
  }

  private clashes(set: Set<string>): boolean {
    const seen = new Set<number>();
    for (const s of set) for (const p of this.shingleIndex.get(s) ?? []) seen.add(p);
    for (const p of seen) if (sameStory(set, this.storyShingles[p]!, NEW_STORY_MARGIN)) return true;
    return false;
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

  /** Relevant items on the feeds now that are syndicated copies of another item. */
  syndicatedCount(): number {
    return this.feeds.reduce((n, items) => n + items.filter((i) => i.copyOf !== undefined).length, 0);
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
