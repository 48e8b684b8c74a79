import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseConfig } from '#shared/config/load.ts';
import type { Config } from '#shared/config/schema.ts';
import { ensureTable } from '#shared/store/create-table.ts';
import { createDocumentClient } from '#shared/store/dynamo-client.ts';
import { DynamoStore } from '#shared/store/dynamo-store.ts';
import { dispatchFeeds } from '#shared/fanout/dispatch.ts';
import { pollFeedBatch } from '#shared/fanout/poll-batch.ts';
import { mergeBatchReports } from '#shared/fanout/merge-reports.ts';
import { LocalFeedBatchQueue } from '#cli/fanout/local-queue.ts';
import { LocalWorkerPool } from '#cli/fanout/worker-pool.ts';
import { CapacityMeter, type CapacityTotals } from '../lib/capacity.ts';
import { FeedSet } from '../lib/feeds.ts';
import { startFeedServer, type FeedServer } from '../lib/feed-server.ts';
import { benchPollDeps } from '../lib/fundwatch-poller.ts';
import { processCpuMs, totalCpuMs } from '../lib/process-cpu.ts';
import { median, percentile, sum } from '../lib/stats.ts';
import { RECENT_MATCHES_LIMIT } from '#shared/pipeline/poll-cycle.ts';
import { CLAIM_LOOKBACK_MS } from '#shared/pipeline/story-arbiter.ts';

/**
 * The fan-out at scale (issue 17): the dispatcher and N local worker processes (the same code
 * the SQS-driven Lambda workers run) on one DynamoDB Local table, over simulated feeds with web
 * latency on every response.
 *
 * Each size gets its own table and is primed by one full cycle; then every (feeds, workers)
 * cell runs one steady cycle in which `changedShare` of its feeds publish one new item and the
 * others answer 304. The pools are warm (their workers have polled before), as Lambda workers
 * are within a busy schedule, so a cell times the cycle, not N process start-ups.
 *
 * This machine has two cores for everything: DynamoDB Local's JVM, the feed servers and all
 * workers. Past a couple of workers the cycle is CPU-bound here, so each cell also reports
 * the CPU it took, split by process, and the Lambda projection uses what a worker costs per
 * batch when it has a core to itself (the 1-worker cells).
 */

export interface ScaleOptions {
  /** Feed counts, each primed once on a table of its own. */
  sizes: number[];
  /** Pool sizes run on every size. */
  workers: number[];
  /** Cells with feeds per worker held constant (the target); each runs on the smallest size that holds it. */
  constantPerWorker: { feeds: number; workers: number }[];
  itemsPerFeed: number;
  changedShare: number;
  latencyMs: number;
  feedsPerMessage: number;
  /** Feeds per simulated host (one loopback port each). */
  feedsPerHost: number;
}

export interface ScaleCell {
  feeds: number;
  workers: number;
  /** Primed table size this cell ran on. */
  onSize: number;
  wallMs: number;
  batches: number;
  /** A batch's time inside its worker, from its report. */
  batchMs: { p50: number; p90: number; max: number };
  cpuMs: { workers: number; dynamoDb: number; benchProcess: number; total: number };
  cpuMsPerFeed: number;
  /** CPU the cycle needed over the cores this machine has: the floor its wall time cannot beat. */
  cpuBoundWallMs: number;
  fetched: number;
  notModified: number;
  failed: number;
  stored: number;
  /** Batches of this cell that brought at least one match. */
  batchesWithMatches: { withMatches: number; of: number };
}

export interface ScaleResult {
  options: ScaleOptions;
  cores: number;
  primes: { feeds: number; workers: number; wallMs: number; stored: number; failed: number }[];
  cells: ScaleCell[];
  /** Metered in-process on the largest table: what one message costs in DynamoDB units. */
  batchUnits: BatchUnits;
}

export interface BatchUnits {
  feeds: number;
  /** A batch of unchanged feeds: their states read by key, nothing written. */
  unchanged: CapacityTotals;
  /** What a batch that brings a match reads on top: the recent matches and the story log. */
  storyContext: CapacityTotals;
  /** Share of the steady cells' batches that brought a match (and so read the story context). */
  batchesWithMatches: number;
}

const CYCLE_MS = 15 * 60_000;

interface Size {
  feeds: number;
  set: FeedSet;
  server: FeedServer;
  config: Config;
  tableName: string;
  cycles: number;
}

function summarise(report: ReturnType<typeof mergeBatchReports>) {
  const count = (outcome: string) => report.feeds.filter((f) => f.outcome === outcome).length;
  return { fetched: count('fetched'), notModified: count('not-modified'), failed: count('failed'), stored: report.stored.length };
}

export async function runScaleScenario(
  db: { endpoint: string; pid: number },
  raw: DynamoDBClient,
  options: ScaleOptions,
  cores: number,
  log: (line: string) => void,
): Promise<ScaleResult> {
  const nowMs = Date.now();
  const primes: ScaleResult['primes'] = [];
  const cells: ScaleCell[] = [];
  const sizes = [...options.sizes].sort((a, b) => a - b);
  const sizeFor = (feeds: number) => sizes.find((s) => s >= feeds) ?? sizes[sizes.length - 1]!;
  let batchUnits: ScaleResult['batchUnits'] | undefined;

  for (const feeds of sizes) {
    const set = new FeedSet({ feeds, itemsPerFeed: options.itemsPerFeed, hosts: Math.max(1, Math.ceil(feeds / options.feedsPerHost)), nowMs, seed: feeds, relevantShare: 0.15 });
    const server = await startFeedServer(set, { latencyMs: options.latencyMs });
    server.prerender();
    const tableName = `scale-${feeds}`;
    await ensureTable(raw, tableName);
    const config = parseConfig({
      feeds: server.urls.map((url, i) => ({ url, name: `Scale Desk ${i}` })),
      fetch: { allowPrivateHosts: ['127.0.0.1'] },
      scale: { feedsPerMessage: options.feedsPerMessage },
    });
    const size: Size = { feeds, set, server, config, tableName, cycles: 0 };
    const wanted = [
      ...options.workers.map((workers) => ({ feeds, workers })),
      ...options.constantPerWorker.filter((c) => sizeFor(c.feeds) === feeds && c.feeds !== feeds),
    ];
    const poolSizes = [...new Set(wanted.map((c) => c.workers))].sort((a, b) => b - a);
    for (const workers of poolSizes) {
      log(`  ${feeds} feeds: starting ${workers} worker(s)`);
      const pool = await LocalWorkerPool.start({ workers, config, endpoint: db.endpoint, tableName });
      try {
        if (size.cycles === 0) {
          const started = Date.now();
          const report = await cycleOn(size, feeds, pool);
          const { stored, failed } = summarise(report);
          primes.push({ feeds, workers, wallMs: Date.now() - started, stored, failed });
          log(`  ${feeds} feeds: primed in ${((Date.now() - started) / 1000).toFixed(1)} s with ${workers} worker(s), ${report.stored.length} stored`);
        } else {
          // One unchanged batch first: every worker's first batch pays module and JIT warm-up.
          await cycleOn(size, Math.min(feeds, options.feedsPerMessage * workers), pool, false);
        }
        for (const cell of wanted.filter((c) => c.workers === workers)) {
          const measured = await measureCell(size, cell.feeds, pool, db.pid, options, cores);
          cells.push(measured);
          log(`  ${cell.feeds} feeds / ${workers} worker(s): ${(measured.wallMs / 1000).toFixed(1)} s wall, ${(measured.cpuMs.total / 1000).toFixed(1)} s CPU (${measured.cpuMsPerFeed.toFixed(2)} ms/feed), ${measured.fetched} fetched, ${measured.notModified} not modified, ${measured.failed} failed`);
        }
      } finally {
        await pool.close();
      }
    }
    if (feeds === sizes[sizes.length - 1]) {
      const doc = createDocumentClient({ endpoint: db.endpoint });
      batchUnits = await meterBatch(size, options, doc, cells);
      doc.destroy();
    }
    await server.close();
  }
  return { options, cores, primes, cells, batchUnits: batchUnits! };
}

/** One cycle over the size's first `feeds` feeds: dispatch, drain through the pool, merged report. */
async function cycleOn(size: Size, feeds: number, pool: LocalWorkerPool, counts = true) {
  const config = { ...size.config, feeds: size.config.feeds.slice(0, feeds) };
  const queue = new LocalFeedBatchQueue();
  const dispatch = await dispatchFeeds(config, { queue });
  const result = await pool.drainQueue(queue);
  if (result.failures.length > 0) throw new Error(`scale cycle: ${result.failures.length} batch failures, first: ${result.failures[0]}`);
  if (counts) size.cycles++;
  return Object.assign(mergeBatchReports(config, dispatch.dispatchedAt, result.reports), { batchReports: result.reports });
}

/** `changedShare` of the cell's feeds publish one item; the cycle is timed and its CPU read per process. */
async function measureCell(size: Size, feeds: number, pool: LocalWorkerPool, dbPid: number, options: ScaleOptions, cores: number): Promise<ScaleCell> {
  const every = Math.max(1, Math.round(1 / options.changedShare));
  for (let f = 0; f < feeds; f += every) size.set.publish(f, 1, Date.now() + size.cycles * CYCLE_MS);
  size.server.prerender();
  const pids = pool.pids;
  const before = { workers: totalCpuMs(pids), dynamoDb: processCpuMs(dbPid), bench: process.cpuUsage() };
  const started = Date.now();
  const report = await cycleOn(size, feeds, pool);
  const wallMs = Date.now() - started;
  const benchUsage = process.cpuUsage(before.bench);
  const cpu = {
    workers: totalCpuMs(pids) - before.workers,
    dynamoDb: processCpuMs(dbPid) - before.dynamoDb,
    benchProcess: (benchUsage.user + benchUsage.system) / 1000,
    total: 0,
  };
  cpu.total = cpu.workers + cpu.dynamoDb + cpu.benchProcess;
  const batchMs = report.batchReports.map((r) => Date.parse(r.finishedAt) - Date.parse(r.startedAt));
  return {
    feeds,
    workers: pids.length,
    onSize: size.feeds,
    wallMs,
    batches: report.batchReports.length,
    batchMs: { p50: median(batchMs), p90: percentile(batchMs, 90), max: Math.max(...batchMs) },
    cpuMs: cpu,
    cpuMsPerFeed: cpu.total / feeds,
    cpuBoundWallMs: cpu.total / cores,
    ...summarise(report),
    batchesWithMatches: { withMatches: report.batchReports.filter((r) => r.feeds.some((f) => f.matches > 0)).length, of: report.batchReports.length },
  };
}

/**
 * A steady batch as one Lambda worker polls it, in-process with a metered client: the feed
 * states of an unchanged batch, and the two reads a batch adds when it brings a match (the
 * cycle reads them only then).
 */
async function meterBatch(size: Size, options: ScaleOptions, doc: ReturnType<typeof createDocumentClient>, cells: readonly ScaleCell[]): Promise<BatchUnits> {
  const meter = new CapacityMeter().attach(doc);
  const store = new DynamoStore({ client: doc, tableName: size.tableName, retentionDays: size.config.retention.matchDays });
  const feeds = size.config.feeds.slice(-options.feedsPerMessage).map((f) => f.url);
  await pollFeedBatch(size.config, { feeds, dispatchedAt: new Date().toISOString() }, benchPollDeps(store));
  const unchanged = meter.snapshot();
  meter.reset();
  const since = new Date(Date.now() - size.config.alerts.duplicateWindowHours * 3_600_000).toISOString();
  await store.recentMatches(since, RECENT_MATCHES_LIMIT);
  await store.readStoryClaims({ claimedSince: new Date(Date.now() - CLAIM_LOOKBACK_MS).toISOString() });
  const storyContext = meter.snapshot();
  const batches = cells.map((c) => c.batchesWithMatches);
  return { feeds: feeds.length, unchanged, storyContext, batchesWithMatches: sum(batches.map((b) => b.withMatches)) / sum(batches.map((b) => b.of)) };
}
