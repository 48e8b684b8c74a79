import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '#shared/store/create-table.ts';
import { createDocumentClient } from '#shared/store/dynamo-client.ts';
import { DynamoStore } from '#shared/store/dynamo-store.ts';
import { runPollCycle, type CycleReport } from '#shared/pipeline/poll-cycle.ts';
import { CapacityMeter, type CapacityTotals } from '../lib/capacity.ts';
import { FeedSet } from '../lib/feeds.ts';
import { benchPollConfig, benchPollDeps } from '../lib/fundwatch-poller.ts';
import { diffCounters, startFeedServer, type ServerCounters } from '../lib/feed-server.ts';
import { steadyPerCycle, sum } from '../lib/stats.ts';
import { ensureNaiveTable, runNaiveCycle, type NaiveCycleReport } from '../naive-poller.ts';

/**
 * Full cycle and steady state, fundwatch and the naive poller side by side on the same feeds,
 * the same DynamoDB Local and the same meters (server-side bytes, ConsumedCapacity).
 *
 *   cycle 1 (t0)        every feed is new: 200 × 50 items fetched, parsed, classified, stored
 *   cycle 2 (t0+15 min) 2% new items, on every 10th feed; the other feeds answer 304
 *   cycle 3 (t0+361 min) another 2% new; fundwatch's 6-hour feed-state heartbeat falls due
 *
 * Steady state per 15-minute cycle is (23 × cycle 2 + 1 × cycle 3) / 24: six hours hold 24
 * cycles and one of them rewrites the feed states of the 304 feeds (`STATE_HEARTBEAT_MS` in
 * shared/pipeline/poll-cycle.ts, 6 h since commit 45bf958; it is not exported, so it is
 * repeated here as HEARTBEAT_MINUTES). The naive poller does the same work every cycle, so its
 * cycle 2 is its steady state.
 *
 * `latencyMs` delays every feed response on the server (bench/lib/feed-server.ts), the same for
 * both pollers; run.ts runs the scenario at 0 ms and at WEB_LATENCY_MS, each on a fresh
 * DynamoDB Local.
 */

export interface PollScenarioOptions {
  feeds: number;
  itemsPerFeed: number;
  hosts: number;
  newShare: number;
  /** Every n-th feed publishes the new items. */
  changedFeedEvery: number;
  /** Server-side wait before every response: 0 (loopback) or WEB_LATENCY_MS (web-like). */
  latencyMs: number;
}

export interface CycleMeasure {
  wallMs: number;
  cpuMs: number;
  /** Absent for the first cycle, which is timed unmetered (see CapacityMeter.pause). */
  capacity?: CapacityTotals;
  server: ServerCounters;
}

export interface FundwatchCycle extends CycleMeasure {
  reportBytes: number;
  feedsFetched: number;
  feedsNotModified: number;
  feedsFailed: number;
  entriesParsed: number;
  entriesClassified: number;
  matches: number;
  stored: number;
  duplicates: number;
  failures: { url: string; error?: string; message?: string }[];
}

export interface NaiveCycle extends CycleMeasure {
  report: NaiveCycleReport;
}

export interface PollScenarioResult {
  options: PollScenarioOptions;
  mix: { items: number; relevantItems: number; relevantShare: number; syndicatedCopies: number; syndicatedShareOfRelevant: number; newItemsPerCycle: number; changedFeeds: number; newItemsPerChangedFeed: number };
  fundwatch: { cycle1: FundwatchCycle; cycle2: FundwatchCycle; cycle3: FundwatchCycle };
  naive: { cycle1: NaiveCycle; cycle2: NaiveCycle };
  steady: {
    fundwatch: { wireBytes: number; bodyBytes: number; reportBytes: number; writeUnits: number; readUnits: number; parsed: number; classified: number; wallMs: number; cpuMs: number; stored: number; cyclesPerHeartbeat: number };
    naive: { wireBytes: number; bodyBytes: number; writeUnits: number; readUnits: number; parsed: number; classified: number; wallMs: number; cpuMs: number };
  };
}

/** fundwatch rewrites an unchanged feed's state this often (poll-cycle.ts STATE_HEARTBEAT_MS). */
export const HEARTBEAT_MINUTES = 360;
export const CYCLE_MINUTES = 15;
export const CYCLES_PER_HEARTBEAT = HEARTBEAT_MINUTES / CYCLE_MINUTES;

const FUNDWATCH_TABLE = 'bench-fundwatch';
const NAIVE_TABLE = 'bench-naive';

async function measure<T>(
  meter: CapacityMeter,
  metered: boolean,
  server: { counters(): ServerCounters; prerender(): void },
  run: () => Promise<T>,
): Promise<{ result: T } & CycleMeasure> {
  server.prerender();
  meter.reset();
  if (metered) meter.resume();
  else meter.pause();
  const before = server.counters();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await run();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  // Sockets close a moment after the last response; let their byte counts land.
  await new Promise((r) => setTimeout(r, 50));
  const measured = { result, wallMs, cpuMs: (used.user + used.system) / 1000, server: diffCounters(server.counters(), before) };
  return metered ? { ...measured, capacity: meter.snapshot() } : measured;
}

function summarise(report: CycleReport): Omit<FundwatchCycle, keyof CycleMeasure> {
  const feeds = report.feeds;
  return {
    reportBytes: sum(feeds.map((f) => f.bytes)),
    feedsFetched: feeds.filter((f) => f.outcome === 'fetched').length,
    feedsNotModified: feeds.filter((f) => f.outcome === 'not-modified').length,
    feedsFailed: feeds.filter((f) => f.outcome === 'failed').length,
    entriesParsed: sum(feeds.map((f) => f.entries)),
    entriesClassified: sum(feeds.map((f) => f.newEntries)),
    matches: sum(feeds.map((f) => f.matches)),
    stored: sum(feeds.map((f) => f.stored)),
    duplicates: sum(feeds.map((f) => f.duplicates)),
    failures: feeds.filter((f) => f.outcome === 'failed').slice(0, 5).map((f) => ({ url: f.url, error: f.error, message: f.message })),
  };
}

export async function runPollScenario(
  endpoint: string,
  raw: DynamoDBClient,
  options: PollScenarioOptions,
  log: (line: string) => void,
): Promise<PollScenarioResult> {
  const t0 = Date.now();
  const set = new FeedSet({ feeds: options.feeds, itemsPerFeed: options.itemsPerFeed, hosts: options.hosts, nowMs: t0 });
  // Two servers over the same FeedSet, so each poller's bytes are counted on its own meter.
  const fwServer = await startFeedServer(set, { latencyMs: options.latencyMs });
  const naiveServer = await startFeedServer(set, { latencyMs: options.latencyMs });
  try {
    await ensureTable(raw, FUNDWATCH_TABLE);
    await ensureNaiveTable(raw, NAIVE_TABLE);
    const fwDoc = createDocumentClient({ endpoint });
    const naiveDoc = createDocumentClient({ endpoint });
    const fwMeter = new CapacityMeter().attach(fwDoc);
    const naiveMeter = new CapacityMeter().attach(naiveDoc);

    const config = benchPollConfig(fwServer.urls);
    const deps = benchPollDeps(new DynamoStore({ client: fwDoc, tableName: FUNDWATCH_TABLE, retentionDays: config.retention.matchDays }));
    // The first cycle is timed for speed, unmetered; the steady cycles are metered for their units.
    const fundwatchCycle = async (offsetMinutes: number, metered = true): Promise<FundwatchCycle> => {
      const now = () => new Date(Date.now() + offsetMinutes * 60_000);
      const m = await measure(fwMeter, metered, fwServer, () =>
        runPollCycle(config, { ...deps, now }),
      );
      return { wallMs: m.wallMs, cpuMs: m.cpuMs, capacity: m.capacity, server: m.server, ...summarise(m.result) };
    };
    const naiveCycle = async (metered = true): Promise<NaiveCycle> => {
      const m = await measure(naiveMeter, metered, naiveServer, () => runNaiveCycle(naiveServer.urls, naiveDoc, NAIVE_TABLE));
      return { wallMs: m.wallMs, cpuMs: m.cpuMs, capacity: m.capacity, server: m.server, report: m.result };
    };

    const items = set.itemCount();
    const newItemsPerCycle = Math.round(items * options.newShare);
    const changed = set.feeds.map((_, f) => f).filter((f) => f % options.changedFeedEvery === 0);
    const perFeed = Math.max(1, Math.round(newItemsPerCycle / changed.length));
    const publish = (offsetMinutes: number) => {
      for (const f of changed) set.publish(f, perFeed, t0 + offsetMinutes * 60_000);
    };

    const relevantItems = set.relevantCount();
    const syndicatedCopies = set.syndicatedCount();
    log(`  cycle 1: naive poller, ${options.feeds} feeds × ${options.itemsPerFeed} items (${relevantItems} relevant, ${syndicatedCopies} of them syndicated copies), ${options.latencyMs} ms per response`);
    const naive1 = await naiveCycle(false);
    log(`  cycle 1: fundwatch`);
    const fw1 = await fundwatchCycle(0, false);
    log(`  cycle 1: fundwatch ${fw1.wallMs.toFixed(0)} ms, naive ${naive1.wallMs.toFixed(0)} ms; ${fw1.matches} matches, ${fw1.duplicates} near-duplicates`);
    publish(CYCLE_MINUTES);
    log(`  cycle 2 (+${CYCLE_MINUTES} min, ${changed.length * perFeed} new items on ${changed.length} feeds): naive, fundwatch`);
    const naive2 = await naiveCycle();
    const fw2 = await fundwatchCycle(CYCLE_MINUTES);
    const heartbeatAt = HEARTBEAT_MINUTES + 1;
    publish(heartbeatAt);
    log(`  cycle 3 (+${heartbeatAt} min, feed-state heartbeat due): fundwatch`);
    const fw3 = await fundwatchCycle(heartbeatAt);

    fwDoc.destroy();
    naiveDoc.destroy();

    const amortised = (pick: (c: FundwatchCycle) => number) => steadyPerCycle(pick(fw2), pick(fw3), CYCLES_PER_HEARTBEAT);
    const units = (c: CycleMeasure) => {
      if (!c.capacity) throw new Error('a steady cycle ran unmetered');
      return c.capacity;
    };
    return {
      options,
      mix: {
        items,
        relevantItems,
        relevantShare: relevantItems / items,
        syndicatedCopies,
        syndicatedShareOfRelevant: syndicatedCopies / relevantItems,
        newItemsPerCycle: changed.length * perFeed,
        changedFeeds: changed.length,
        newItemsPerChangedFeed: perFeed,
      },
      fundwatch: { cycle1: fw1, cycle2: fw2, cycle3: fw3 },
      naive: { cycle1: naive1, cycle2: naive2 },
      steady: {
        fundwatch: {
          wireBytes: amortised((c) => c.server.wireBytes),
          bodyBytes: amortised((c) => c.server.bodyBytes),
          reportBytes: amortised((c) => c.reportBytes),
          writeUnits: amortised((c) => units(c).writeUnits),
          readUnits: amortised((c) => units(c).readUnits),
          parsed: amortised((c) => c.entriesParsed),
          classified: amortised((c) => c.entriesClassified),
          wallMs: amortised((c) => c.wallMs),
          cpuMs: amortised((c) => c.cpuMs),
          stored: amortised((c) => c.stored),
          cyclesPerHeartbeat: CYCLES_PER_HEARTBEAT,
        },
        naive: {
          wireBytes: naive2.server.wireBytes,
          bodyBytes: naive2.server.bodyBytes,
          writeUnits: units(naive2).writeUnits,
          readUnits: units(naive2).readUnits,
          parsed: naive2.report.items,
          classified: naive2.report.items,
          wallMs: naive2.wallMs,
          cpuMs: naive2.cpuMs,
        },
      },
    };
  } finally {
    await fwServer.close();
    await naiveServer.close();
  }
}
