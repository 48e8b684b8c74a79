// The poll benchmark's feed set: distinct relevant stories plus a deliberate share of syndicated
// copies, so near-duplicate writes in the benchmark are what a realistic share costs.

import { describe, expect, it } from 'vitest';
import { createDuplicateFinder } from '#shared/alerts/near-duplicates.ts';
import type { Match } from '#shared/model.ts';
import { FeedSet, loadDevSet, type FeedItem } from '../../../bench/lib/feeds.ts';

const dev = loadDevSet();
const nowMs = Date.parse('2026-01-01T00:00:00Z');
const build = () => {
  const set = new FeedSet({ feeds: 200, itemsPerFeed: 50, hosts: 25, nowMs }, dev);
  // Two later cycles, as the poll scenario publishes them (10 items on every 10th feed).
  const seen: FeedItem[] = set.feeds.flat();
  for (const cycle of [1, 2]) {
    for (let f = 0; f < 200; f += 10) {
      set.publish(f, 10, nowMs + cycle * 900_000);
      seen.push(...set.feeds[f]!.slice(0, 10));
    }
  }
  return { set, items: seen };
};
const plain = (text: string) => text.replace(/<[^>]*>/g, ' ').replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)));
const story = (item: FeedItem) => `${item.title}\u0000${item.summary.replace(/ \(Desk \d+, report \d+\.\)$/, '')}`;

describe('bench feed set', () => {
  const { set, items } = build();
  const relevant = items.filter((i) => i.relevant);
  const copies = relevant.filter((i) => i.copyOf !== undefined);

  it('is deterministic', () => {
    expect(build().items.map((i) => [i.guid, i.title, i.summary])).toEqual(items.map((i) => [i.guid, i.title, i.summary]));
  });

  it('has about 15% relevant items, about 10% of them syndicated copies', () => {
    expect(relevant.length / items.length).toBeGreaterThan(0.13);
    expect(relevant.length / items.length).toBeLessThan(0.17);
    expect(copies.length / relevant.length).toBeGreaterThan(0.08);
    expect(copies.length / relevant.length).toBeLessThan(0.12);
    expect(set.syndicatedCount()).toBeGreaterThan(0);
  });

  it('never repeats a (title, summary) pair among the stories it makes', () => {
    const stories = relevant.filter((i) => i.copyOf === undefined).map(story);
    expect(new Set(stories).size).toBe(stories.length);
  });

  it('copies an earlier story from another feed, and the near-duplicate finder flags exactly the copies', () => {
    const byGuid = new Map(items.map((i) => [i.guid, i]));
    const finder = createDuplicateFinder([], { windowHours: 72 });
    const flagged: string[] = [];
    for (const item of relevant) {
      if (item.copyOf) {
        const original = byGuid.get(item.copyOf)!;
        expect(original.copyOf).toBeUndefined();
        expect(original.guid.split('/')[3]).not.toBe(item.guid.split('/')[3]);
        expect(item.title.startsWith(original.title)).toBe(true);
      }
      const match = { id: item.guid, title: item.title, summary: plain(item.summary), publishedAt: new Date(item.publishedMs).toISOString(), topics: [] } as unknown as Match;
      const first = finder.firstReportOf(match);
      if (first) flagged.push(item.guid);
      finder.add(first ? { ...match, duplicateOf: first } : match);
    }
    expect(flagged.sort()).toEqual(copies.map((c) => c.guid).sort());
  });
});
