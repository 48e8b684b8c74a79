// Seed data for the query benchmark: the rows must look like the ones the poll cycle writes.

import { describe, expect, it } from 'vitest';
import { duplicateCounts, makeMatches, rowsOf } from '../../../bench/lib/seed-matches.ts';
import { steadyPerCycle } from '../../../bench/lib/stats.ts';
import type { DevExample } from '../../../bench/lib/feeds.ts';

const dev = [
  { title: 'Allies pledge more to the Ukraine fund', summary: '<p>Ministers agreed</p>', labels: ['ukraine-fund'] },
  { title: 'NATO ministers meet in Brussels', summary: 'Talks', labels: ['nato-meetings', 'ukraine-fund'] },
  { title: 'Weather', summary: 'Rain', labels: [] },
] as unknown as DevExample[];
const options = { newestMs: Date.parse('2025-06-30T12:00:00Z'), perDay: 274, seed: 100 };

describe('bench seed matches', () => {
  it('is deterministic and newest first, with only labelled examples', () => {
    const a = makeMatches(dev, 500, options);
    expect(makeMatches(dev, 500, options)).toEqual(a);
    for (let i = 1; i < a.length; i++) expect(a[i]!.publishedAt < a[i - 1]!.publishedAt).toBe(true);
    expect(a.every((m) => m.topics.length > 0)).toBe(true);
    expect(new Set(a.map((m) => m.id)).size).toBe(500);
  });

  it('points each duplicate at an older first report within 72 hours, never at a duplicate or across a boundary', () => {
    const matches = makeMatches(dev, 2000, { ...options, boundaries: [1000] });
    const index = new Map(matches.map((m, i) => [m.id, i]));
    const dups = matches.filter((m) => m.duplicateOf);
    expect(dups.length / matches.length).toBeGreaterThan(0.15);
    expect(dups.length / matches.length).toBeLessThan(0.3);
    for (const [i, m] of matches.entries()) {
      if (!m.duplicateOf) continue;
      const j = index.get(m.duplicateOf)!;
      const first = matches[j]!;
      expect(j).toBeGreaterThan(i);
      expect(first.duplicateOf).toBeUndefined();
      expect(Date.parse(m.publishedAt) - Date.parse(first.publishedAt)).toBeLessThanOrEqual(72 * 3_600_000);
      expect(i < 1000).toBe(j < 1000);
    }
  });

  it('counts duplicates per first report and puts duplicateCount on its match and topic rows only', () => {
    const matches = makeMatches(dev, 1000, options);
    const counts = duplicateCounts(matches);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(matches.filter((m) => m.duplicateOf).length);
    const [firstId, count] = [...counts.entries()][0]!;
    const first = matches.find((m) => m.id === firstId)!;
    const rows = rowsOf(first, count);
    expect(rows).toHaveLength(1 + first.topics.length);
    for (const row of rows) expect(row.duplicateCount).toBe(count);
    expect(rows[0]).toMatchObject({ pk: `ITEM#${first.id}`, sk: 'ITEM', gsi1pk: 'MATCHES' });
    expect(rows.slice(1).map((r) => r.pk)).toEqual(first.topics.map((t) => `TOPIC#${t}`));
    const plain = matches.find((m) => !m.duplicateOf && !counts.has(m.id))!;
    for (const row of rowsOf(plain)) expect(row).not.toHaveProperty('duplicateCount');
    for (const row of rows) for (const value of Object.values(row)) expect(value).not.toBeUndefined();
  });
});

describe('bench steady state', () => {
  it('weights one heartbeat cycle among n', () => {
    expect(steadyPerCycle(10, 34, 24)).toBe(11);
    expect(steadyPerCycle(10, 10, 24)).toBe(10);
    expect(steadyPerCycle(4, 8, 1)).toBe(8);
    expect(() => steadyPerCycle(1, 1, 0)).toThrow(RangeError);
  });
});
