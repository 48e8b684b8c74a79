import { describe, expect, it } from 'vitest';
import { planFeedBatches } from '#shared/fanout/plan-batches.ts';
import { MAX_BATCH_MESSAGE_BYTES, batchMessageBytes } from '#shared/fanout/feed-batch.ts';
import { hostOf } from '#shared/fetch/host-of.ts';
import { prng } from '#tests/support/prng.ts';

/** A seeded feed list: hosts of very different sizes, in shuffled config order. */
function feedList(seed: number): string[] {
  const random = prng(seed);
  const urls: string[] = [];
  const hosts = 1 + Math.floor(random() * 60);
  for (let h = 0; h < hosts; h++) {
    // Most hosts carry a few feeds; some carry hundreds (a national broadcaster's section feeds).
    const size = random() < 0.1 ? 50 + Math.floor(random() * 300) : 1 + Math.floor(random() * 6);
    for (let f = 0; f < size; f++) urls.push(`https://news${h}.example:${8000 + (h % 3)}/feed/${f}.xml`);
  }
  for (let i = urls.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [urls[i], urls[j]] = [urls[j]!, urls[i]!];
  }
  return urls;
}

describe('planFeedBatches', () => {
  it('queues every feed exactly once and keeps each host in one batch, over 40 seeded feed lists', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const urls = feedList(seed);
      const perBatch = 1 + (seed % 7) * 15;
      const batches = planFeedBatches(urls, perBatch);
      expect(batches.flat().sort(), `seed ${seed}`).toEqual([...urls].sort());
      const batchOfHost = new Map<string, number>();
      batches.forEach((batch, b) => {
        for (const url of batch) {
          const host = hostOf(url);
          expect(batchOfHost.get(host) ?? b, `seed ${seed}: ${host} split over batches`).toBe(b);
          batchOfHost.set(host, b);
        }
        // Over the size only when the batch is one host's feeds alone.
        if (batch.length > perBatch) expect(new Set(batch.map(hostOf)).size, `seed ${seed}`).toBe(1);
        expect(batchMessageBytes(batch)).toBeLessThanOrEqual(MAX_BATCH_MESSAGE_BYTES);
      });
    }
  });

  it('packs small hosts together, in config order', () => {
    const urls = ['http://a.example/1', 'http://b.example/1', 'http://a.example/2', 'http://c.example/1', 'http://d.example/1'];
    expect(planFeedBatches(urls, 3)).toEqual([['http://a.example/1', 'http://a.example/2', 'http://b.example/1'], ['http://c.example/1', 'http://d.example/1']]);
  });

  it('splits a host only when its URLs alone outgrow one queue message', () => {
    const long = 'x'.repeat(1900);
    const urls = Array.from({ length: 300 }, (_, i) => `https://huge.example/${long}/${i}.xml`);
    const batches = planFeedBatches(urls, 500);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.flat()).toEqual(urls);
    for (const batch of batches) expect(batchMessageBytes(batch)).toBeLessThanOrEqual(MAX_BATCH_MESSAGE_BYTES);
  });

  it('plans nothing for no feeds', () => {
    expect(planFeedBatches([], 50)).toEqual([]);
  });
});
