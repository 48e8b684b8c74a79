// No #bench/* alias exists in package.json, hence the relative paths.

import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ASSUMPTIONS, fanOutMonthlyCost, HOURS_PER_MONTH, type FanOutCostInput } from '../../../bench/lib/cost.ts';
import { processCpuMs } from '../../../bench/lib/process-cpu.ts';
import { PRICES } from '../../../bench/prices.ts';

const input: FanOutCostInput = {
  feeds: 50_000,
  pollEveryMinutes: 15,
  feedsPerMessage: 50,
  maxWorkers: 10,
  perFeed: { writeUnits: 0.1, matches: 0.01, bytes: 500 },
  batchReadUnits: 25,
  storyContextReadUnits: 400,
  batchesWithMatches: 0.25,
  batchMs: 800,
  initMs: 350,
  memoryGb: 0.5,
  readUnitsPerApiRequest: 7.5,
};

describe('the fan-out cost model', () => {
  it('spreads a cycle over feeds / feedsPerMessage batches and maxWorkers workers', () => {
    const cost = fanOutMonthlyCost(input);
    expect(cost.batchesPerCycle).toBe(1_000);
    // 100 batches a worker, one after another, after one cold start, plus the dispatcher.
    expect(cost.cycleWallSeconds).toBeCloseTo(100 * 0.8 + 0.35 + ASSUMPTIONS.dispatcherMs / 1000, 6);
    expect(cost.lambdaSecondsPerCycle).toBeCloseTo(1_000 * 0.8 + 10 * 0.35 + ASSUMPTIONS.dispatcherMs / 1000, 6);
  });

  it('reads the story context only for the share of batches that bring a match', () => {
    const cycles = (HOURS_PER_MONTH * 60) / 15;
    const reads = fanOutMonthlyCost(input).dynamoReads;
    const expected = (cycles * 1_000 * (25 + 0.25 * 400) + 10_000 * 7.5) * PRICES.dynamoReadRequestUnit;
    expect(reads).toBeCloseTo(expected, 9);
    expect(fanOutMonthlyCost({ ...input, batchesWithMatches: 1 }).dynamoReads).toBeGreaterThan(reads * 3);
  });

  it('counts SQS requests per batch (send in tens, receive, delete) and the idle long polls', () => {
    const cycles = (HOURS_PER_MONTH * 60) / 15;
    const expected = (cycles * (100 + 2 * 1_000) + HOURS_PER_MONTH * 60 * ASSUMPTIONS.idleReceivesPerMinute) * PRICES.sqsRequest;
    expect(fanOutMonthlyCost(input).sqs).toBeCloseTo(expected, 9);
  });

  it('grows with feeds, and fewer workers than batches never lowers the wall time', () => {
    const small = fanOutMonthlyCost({ ...input, feeds: 5_000 });
    const large = fanOutMonthlyCost(input);
    expect(large.total).toBeGreaterThan(small.total * 5);
    expect(fanOutMonthlyCost({ ...input, maxWorkers: 100 }).cycleWallSeconds).toBeLessThan(large.cycleWallSeconds);
    expect(fanOutMonthlyCost({ ...input, feeds: 100, maxWorkers: 100 }).lambdaSecondsPerCycle).toBeCloseTo(2 * 0.8 + 2 * 0.35 + ASSUMPTIONS.dispatcherMs / 1000, 6);
  });
});

describe('the benchmark CPU meter', () => {
  it('reads a child process CPU time from /proc, and NaN once it has ended', async () => {
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 300; while (Date.now() < end); setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      let used = 0;
      for (let i = 0; i < 200 && used < 100; i++) {
        used = processCpuMs(child.pid!);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(used).toBeGreaterThanOrEqual(100);
    } finally {
      child.kill();
    }
    await new Promise((resolve) => child.once('exit', resolve));
    expect(processCpuMs(2 ** 22 + 7)).toBeNaN();
  });
});
