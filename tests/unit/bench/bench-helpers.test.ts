// No #bench/* alias exists in package.json (not ours to edit), hence the relative paths.

import { describe, expect, it } from 'vitest';
import { formatRatio, meets, median, percentile, ratio } from '../../../bench/lib/stats.ts';
import { prng } from '#tests/support/prng.ts';
import { row } from '../../../bench/lib/report.ts';
import { monthlyCost, HOURS_PER_MONTH } from '../../../bench/lib/cost.ts';
import { bytesBySource, decodeVlq, packageOf } from '../../../bench/lib/sourcemap-sizes.ts';
import { PRICES } from '../../../bench/prices.ts';

describe('bench percentiles', () => {
  it('uses the nearest rank, so every percentile is an observed value', () => {
    const values = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
    expect(median(values)).toBe(5);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 90)).toBe(9);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([42], 99)).toBe(42);
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile(values, 101)).toThrow(RangeError);
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('bench ratios and targets', () => {
  it('divides by the baseline and gives NaN, not Infinity, for a zero baseline', () => {
    expect(ratio(5, 200)).toBe(0.025);
    expect(ratio(5, 0)).toBeNaN();
    expect(formatRatio(0.025)).toBe('2.5%');
    expect(formatRatio(3)).toBe('3×');
    expect(formatRatio(Number.NaN)).toBe('n/a');
  });

  it('checks a ratio target or a value target, and never passes a NaN', () => {
    expect(meets(0.02, 0.02, 'max')).toBe(true);
    expect(meets(0.021, 0.02, 'max')).toBe(false);
    expect(meets(25_000, 20_000, 'min')).toBe(true);
    expect(meets(Number.NaN, 1, 'max')).toBe(false);
    const bytes = row('bytes', 'B', 40, 1000, 'naive', { on: 'ratio', comparison: 'max', limit: 0.05, text: '≤ 5%' });
    expect(bytes.ratio).toBe(0.04);
    expect(bytes.pass).toBe(true);
    const init = row('init', 'ms', 160, 400, 'whole SDK', { on: 'value', comparison: 'max', limit: 150, text: '< 150 ms' });
    expect(init.pass).toBe(false);
    expect(row('info', '', 1, 2, 'x').pass).toBeUndefined();
  });

  it('the PRNG is deterministic per seed', () => {
    const a = prng(8);
    const b = prng(8);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });
});

describe('bench cost model', () => {
  it('prices one cycle per 15 minutes from per-feed units', () => {
    const cost = monthlyCost({
      feeds: 100,
      pollEveryMinutes: 15,
      perFeed: { writeUnits: 2, readUnits: 1, wallMs: 0, matches: 0, bytes: 1000 },
      initMs: 0,
      memoryGb: 0.5,
      fetching: 'sequential',
      readUnitsPerApiRequest: 0,
    });
    const cycles = (HOURS_PER_MONTH * 60) / 15;
    expect(cost.cyclesPerMonth).toBe(cycles);
    expect(cost.dynamoWrites).toBeCloseTo(cycles * 100 * 2 * PRICES.dynamoWriteRequestUnit, 10);
    expect(cost.dynamoReads).toBeCloseTo(cycles * 100 * PRICES.dynamoReadRequestUnit, 10);
    expect(cost.sns).toBe(0);
    expect(cost.gbDownloadedPerMonth).toBeCloseTo((cycles * 100 * 1000) / 1e9, 10);
    expect(cost.total).toBeCloseTo(cost.dynamoWrites + cost.dynamoReads + cost.lambda + cost.sns + cost.httpApi + cost.logs, 10);
  });
});

describe('bench source-map breakdown', () => {
  it('decodes base64 VLQ', () => {
    expect(decodeVlq('AAAA')).toEqual([0, 0, 0, 0]);
    expect(decodeVlq('CAAC')).toEqual([1, 0, 0, 1]);
    expect(decodeVlq('D')).toEqual([-1]);
    expect(decodeVlq('gB')).toEqual([16]);
  });

  it('charges each generated span to its source package', () => {
    expect(packageOf('../node_modules/@smithy/core/dist/index.js')).toBe('@smithy/core');
    expect(packageOf('../../node_modules/undici/lib/a.js')).toBe('undici');
    expect(packageOf('../../shared/classify/classifier.ts')).toBe('fundwatch shared/classify');
    // "aaaa" from source 0 (columns 0-3), "bbbb" from source 1 (columns 4-7).
    const sizes = bytesBySource('aaaabbbb', { sources: ['node_modules/a/x.js', 'node_modules/b/y.js'], mappings: 'AAAA,ICAA' });
    expect(sizes).toEqual(expect.arrayContaining([{ package: 'a', bytes: 4 }, { package: 'b', bytes: 4 }]));
  });
});
