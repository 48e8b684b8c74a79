/**
 * `npm run bench` (issue 8): fundwatch side by side with a naive poller, in one run, on this
 * machine. Writes bench/results.json (full run) or bench/out/results-quick.json (`-- --quick`)
 * and prints the table. See docs/benchmark.md for what each number means.
 */
import { cpus, loadavg, totalmem, release } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal, type DynamoDbLocal } from '#shared/local/dynamodb-local.ts';
import { PROJECT_ROOT } from '#infra/constructs/fundwatch-function.ts';
import { loadDevSet } from './lib/feeds.ts';
import { row, renderTable, type Row } from './lib/report.ts';
import { ASSUMPTIONS, monthlyCost, type CostBreakdown, type PerFeedCycle } from './lib/cost.ts';
import { PRICES } from './prices.ts';
import { runPollScenario, type PollScenarioResult } from './scenarios/poll.ts';
import { WEB_LATENCY_MS } from './lib/feed-server.ts';
import { runClassifierScenario } from './scenarios/classifier.ts';
import { runColdStartScenario } from './scenarios/cold-start.ts';
import { runQueryScenario } from './scenarios/query.ts';
import { runScaleScenario, type ScaleOptions, type ScaleResult } from './scenarios/scale.ts';
import type { FanOutCostBreakdown } from './lib/cost.ts';
import { fanOutCost, renderScaleTable, scaleRows } from './lib/scale-report.ts';
import { SCALE_DEFAULTS } from '#shared/config/schema.ts';

const quick = process.argv.includes('--quick');
/** `--only scale`: the scale scenario alone, with the last full run's per-feed units for its costs. */
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
if (only !== undefined && only !== 'scale') {
  console.error(`--only takes "scale" (the one scenario that runs alone), not "${only}"`);
  process.exit(2);
}
/** The simulated web of the scale scenario, the same in both modes: only the sizes shrink. */
const SCALE_FEEDS = { itemsPerFeed: 1, changedShare: 0.02, latencyMs: WEB_LATENCY_MS, feedsPerMessage: 50, feedsPerHost: 10 };

const MODES = {
  full: {
    poll: { feeds: 200, itemsPerFeed: 50, hosts: 25, newShare: 0.02, changedFeedEvery: 10 },
    classifier: { repeats: 200, rounds: 7 },
    coldStart: { runs: 9 },
    // 1,000 requests per series: with 200 a p99 is the second-slowest request, so one pause of
    // this shared 2-core machine (a GC, a neighbour) decides it.
    query: { sizes: [10_000, 100_000], perDay: 274, apiRuns: 1_000, scanRuns: 2, scanSegments: 8, seedParallel: 16 },
    scale: {
      sizes: [1_000, 5_000, 20_000],
      workers: [1, 4, 16],
      constantPerWorker: [
        { feeds: 1_000, workers: 1 },
        { feeds: 4_000, workers: 4 },
        { feeds: 16_000, workers: 16 },
      ],
      ...SCALE_FEEDS,
    } satisfies ScaleOptions,
  },
  quick: {
    // 40 feeds: the naive poller's web-like cycles (40 × 150 ms each) keep --quick under a minute.
    poll: { feeds: 40, itemsPerFeed: 50, hosts: 10, newShare: 0.02, changedFeedEvery: 10 },
    classifier: { repeats: 40, rounds: 3 },
    coldStart: { runs: 3 },
    query: { sizes: [5_000], perDay: 274, apiRuns: 40, scanRuns: 2, scanSegments: 8, seedParallel: 16 },
    scale: {
      sizes: [100, 400],
      workers: [1, 4],
      constantPerWorker: [
        { feeds: 100, workers: 1 },
        { feeds: 400, workers: 4 },
      ],
      ...SCALE_FEEDS,
    } satisfies ScaleOptions,
  },
} as const;
const mode = quick ? MODES.quick : MODES.full;
const COST_FEEDS = [50, 500, 5_000, 20_000, 50_000];
const DEFAULT_FAN_OUT_ABOVE = SCALE_DEFAULTS.fanOutAboveFeeds;

const started = Date.now();
const log = (line: string) => console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);

let db: DynamoDbLocal | undefined;
const stopDb = async () => {
  const running = db;
  db = undefined;
  await running?.stop();
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping DynamoDB Local`);
    void stopDb().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

function machine() {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${process.platform} ${release()}`,
    loadAverage: loadavg().map((n) => Math.round(n * 100) / 100),
  };
}

async function main() {
  const loadBefore = loadavg();
  const dev = loadDevSet();
  log(`mode: ${quick ? 'quick' : 'full'}; load average ${loadBefore.map((n) => n.toFixed(2)).join(' ')}`);

  log('classifier throughput');
  const classifier = runClassifierScenario(dev, mode.classifier);

  log('cold start');
  const coldStart = await runColdStartScenario(mode.coldStart, log);

  // The poll scenario twice, each on a fresh DynamoDB Local: on bare loopback (0 ms) and with
  // WEB_LATENCY_MS of simulated web latency per feed response. Targets are judged on the web-like
  // run (it is what the poll Lambda faces); the loopback run shows the floor DynamoDB Local's row
  // throughput sets when the network costs nothing.
  const pollRuns: Record<'loopback' | 'web', PollScenarioResult> = {} as Record<'loopback' | 'web', PollScenarioResult>;
  for (const [name, latencyMs] of [['loopback', 0], ['web', WEB_LATENCY_MS]] as const) {
    log(`poll cycles, ${name} (${latencyMs} ms per response): starting DynamoDB Local (in memory, random port)`);
    db = await startDynamoDbLocal();
    const raw = new DynamoDBClient({ endpoint: db.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    pollRuns[name] = await runPollScenario(db.endpoint, raw, { ...mode.poll, latencyMs }, log);
    raw.destroy();
    await stopDb();
  }
  const poll = pollRuns.web;
  const loop = pollRuns.loopback;

  // A fresh DynamoDB Local for the query table alone: writes into one table while another
  // holds tens of thousands of rows ran ~20× slower (see scenarios/query.ts).
  log('query latency: starting a fresh DynamoDB Local');
  // It takes ~250,000 writes and thousands of queries: the JVM's full compiler pays back here.
  db = await startDynamoDbLocal({ jit: 'peak' });
  const queryRaw = new DynamoDBClient({ endpoint: db.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const query = await runQueryScenario(db.endpoint, queryRaw, dev, mode.query, log);
  queryRaw.destroy();
  await stopDb();
  const scale = await scaleRun();
  const loadAfter = loadavg();

  // Cost per month, from the steady state per feed: units and bytes from the web-like run, wall
  // time from the loopback run, because cost.ts adds its own network wait per fetch
  // (ASSUMPTIONS.networkMsPerFetch) and would count the simulated latency twice.
  const feeds = mode.poll.feeds;
  const fw = poll.steady.fundwatch;
  const nv = poll.steady.naive;
  const fwPerFeed: PerFeedCycle = {
    writeUnits: fw.writeUnits / feeds,
    readUnits: fw.readUnits / feeds,
    wallMs: loop.steady.fundwatch.wallMs / feeds,
    matches: fw.stored / feeds,
    bytes: fw.wireBytes / feeds,
  };
  const naivePerFeed: PerFeedCycle = { writeUnits: nv.writeUnits / feeds, readUnits: 0, wallMs: loop.steady.naive.wallMs / feeds, matches: fwPerFeed.matches, bytes: nv.wireBytes / feeds };
  const largest = query.sizes[query.sizes.length - 1]!;
  const smallest = query.sizes[0]!;
  const singlePollerCost = (n: number) => monthlyCost({ feeds: n, pollEveryMinutes: 15, perFeed: fwPerFeed, initMs: coldStart.poll.initMs, memoryGb: ASSUMPTIONS.pollMemoryGb, fetching: 'concurrent', readUnitsPerApiRequest: largest.api.readUnitsPerRequest });
  const fanOutInputs = { perFeed: fwPerFeed, initMs: coldStart.poll.initMs, readUnitsPerApiRequest: largest.api.readUnitsPerRequest };
  // As the stack deploys them: one poller up to scale.fanOutAboveFeeds (1,000), the fan-out above.
  const cost: { feeds: number; fundwatch: CostBreakdown | FanOutCostBreakdown; naive: CostBreakdown }[] = COST_FEEDS.map((n) => ({
    feeds: n,
    fundwatch: n > DEFAULT_FAN_OUT_ABOVE ? fanOutCost(scale, fanOutInputs, n) : singlePollerCost(n),
    naive: monthlyCost({ feeds: n, pollEveryMinutes: 15, perFeed: naivePerFeed, initMs: coldStart.tutorialWholeSdk.initMs, memoryGb: ASSUMPTIONS.naiveMemoryGb, fetching: 'sequential', readUnitsPerApiRequest: largest.scan.readUnitsPerRequest }),
  }));

  // Bytes if a different share of feeds had news in a cycle, from this run's measured answers.
  const c2 = poll.fundwatch.cycle2.server;
  const bytesPerChangedFeed = c2.ok > 0 ? c2.okWireBytes / c2.ok : Number.NaN;
  const bytesPerNotModifiedFeed = c2.notModified > 0 ? c2.notModifiedWireBytes / c2.notModified : Number.NaN;
  const naiveBytesPerFeed = nv.wireBytes / feeds;
  const sensitivity = [0.05, 0.1, 0.25, 0.5, 1].map((share) => {
    const bytes = share * bytesPerChangedFeed + (1 - share) * bytesPerNotModifiedFeed;
    return { changedFeedShare: share, fundwatchBytesPerFeed: bytes, ratioToNaive: bytes / naiveBytesPerFeed };
  });

  const pct = (limit: number) => ({ on: 'ratio' as const, comparison: 'max' as const, limit, text: `≤ ${limit * 100}% of naive` });
  const label = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));
  const rows: Row[] = [
    row(`full cycle (${feeds}×${mode.poll.itemsPerFeed}), loopback (0 ms): wall time`, 's', loop.fundwatch.cycle1.wallMs / 1000, loop.naive.cycle1.wallMs / 1000, 'naive'),
    row('full cycle, loopback (0 ms): items per second', 'items/s', loop.mix.items / (loop.fundwatch.cycle1.wallMs / 1000), loop.mix.items / (loop.naive.cycle1.wallMs / 1000), 'naive'),
    row(`full cycle (${feeds}×${mode.poll.itemsPerFeed}), web-like (${WEB_LATENCY_MS} ms per response): wall time`, 's', poll.fundwatch.cycle1.wallMs / 1000, poll.naive.cycle1.wallMs / 1000, 'naive'),
    row(`full cycle, web-like (${WEB_LATENCY_MS} ms): items per second`, 'items/s', poll.mix.items / (poll.fundwatch.cycle1.wallMs / 1000), poll.mix.items / (poll.naive.cycle1.wallMs / 1000), 'naive', {
      on: 'ratio',
      comparison: 'min',
      limit: 10,
      text: '≥ 10× naive',
    }),
    row('steady cycle: bytes downloaded (server count)', 'B', fw.wireBytes, nv.wireBytes, 'naive', pct(0.05)),
    row('steady cycle: DynamoDB write units', 'WRU', fw.writeUnits, nv.writeUnits, 'naive', pct(0.02)),
    row('steady cycle: DynamoDB read units', 'RRU', fw.readUnits, nv.readUnits, 'naive'),
    row('steady cycle: items parsed', 'items', fw.parsed, nv.parsed, 'naive'),
    row('steady cycle: items classified', 'items', fw.classified, nv.classified, 'naive'),
    row('steady cycle, loopback (0 ms): wall time', 's', loop.steady.fundwatch.wallMs / 1000, loop.steady.naive.wallMs / 1000, 'naive'),
    row(`steady cycle, web-like (${WEB_LATENCY_MS} ms): wall time`, 's', fw.wallMs / 1000, nv.wallMs / 1000, 'naive'),
    row('classifier throughput, one core', 'items/s', classifier.itemsPerSecond, classifier.regexItemsPerSecond, 'keyword regex', {
      on: 'value',
      comparison: 'min',
      limit: 20_000,
      text: '≥ 20,000 items/s',
    }),
    row('poll bundle size (as deployed)', 'KiB', coldStart.poll.bytes / 1024, coldStart.pollWholeSdk.bytes / 1024, 'poll + whole SDK', {
      on: 'value',
      comparison: 'max',
      limit: 500 * 1000 / 1024,
      text: '< 500 KB',
    }),
    row('poll init, spawn → handler exported (median)', 'ms', coldStart.poll.initMs, coldStart.pollWholeSdk.initMs, 'poll + whole SDK', {
      on: 'value',
      comparison: 'max',
      limit: 150,
      text: '< 150 ms',
    }),
    ...query.sizes.flatMap((s) => [
      row(`query p50, ${label(s.matches)} matches`, 'ms', s.api.p50, s.scan.p50, 'Scan + filter'),
      row(`query p99, ${label(s.matches)} matches`, 'ms', s.api.p99, s.scan.p99, 'Scan + filter', { on: 'value', comparison: 'max', limit: 20, text: '< 20 ms' }),
      row(`query p99 duplicates=include, ${label(s.matches)}`, 'ms', s.apiNoCollapse.p99, s.scan.p99, 'Scan + filter'),
    ]),
    ...scaleRows(scale, fanOutInputs),
    ...cost.map((c) => row(`cost per month, ${label(c.feeds)} feeds / 15 min${c.feeds > DEFAULT_FAN_OUT_ABOVE ? ' (fan-out)' : ''}`, '$', c.fundwatch.total, c.naive.total, 'naive')),
  ];

  const results = {
    benchmark: 'fundwatch npm run bench (issue 8)',
    date: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    durationSeconds: Math.round((Date.now() - started) / 1000),
    machine: { ...machine(), loadAverageBefore: loadBefore.map((n) => Math.round(n * 100) / 100), loadAverageAfter: loadAfter.map((n) => Math.round(n * 100) / 100) },
    settings: mode,
    table: rows,
    // Targets are judged on poll.web; poll.loopback is the same scenario with no latency.
    poll: { judgedOn: 'web' as const, webLatencyMs: WEB_LATENCY_MS, loopback: loop, web: poll },
    bytesSensitivity: { bytesPerChangedFeed, bytesPerNotModifiedFeed, naiveBytesPerFeed, byChangedFeedShare: sensitivity },
    classifier,
    coldStart,
    query,
    scale,
    cost: { prices: PRICES, assumptions: ASSUMPTIONS, perFeed: { fundwatch: fwPerFeed, naive: naivePerFeed }, byFeeds: cost },
    queryFlatness: { p99Small: smallest.api.p99, p99Large: largest.api.p99, matchesSmall: smallest.matches, matchesLarge: largest.matches },
  };
  const file = quick ? join(PROJECT_ROOT, 'bench', 'out', 'results-quick.json') : join(PROJECT_ROOT, 'bench', 'results.json');
  mkdirSync(join(PROJECT_ROOT, 'bench', 'out'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, (_, v) => (typeof v === 'function' ? undefined : v), 2)}\n`);

  const m = results.machine;
  console.log(`\nfundwatch benchmark, ${results.mode} run, ${results.date}`);
  console.log(`${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB, Node ${m.node}, ${m.os}; load average before ${m.loadAverageBefore.join(' ')}, after ${m.loadAverageAfter.join(' ')}\n`);
  console.log(renderTable(rows));
  console.log(`\nscale scenario, every cell:\n${renderScaleTable(scale)}`);
  console.log(`\nwrote ${file} (${results.durationSeconds} s)`);
}

/** The fan-out at scale on a DynamoDB Local of its own (it takes its whole heap and both cores). */
async function scaleRun(): Promise<ScaleResult> {
  log('scale: dispatcher and local workers, starting DynamoDB Local');
  db = await startDynamoDbLocal({ jit: quick ? 'quick-start' : 'peak' });
  const raw = new DynamoDBClient({ endpoint: db.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    return await runScaleScenario(db, raw, mode.scale, cpus().length, log);
  } finally {
    raw.destroy();
    await stopDb();
  }
}

/** `--only scale`: the per-feed units, cold start and query units come from the last full run. */
async function mainScaleOnly() {
  const previousFile = join(PROJECT_ROOT, 'bench', 'results.json');
  if (!existsSync(previousFile)) throw new Error(`--only scale takes its per-feed units from ${previousFile}: run the full benchmark once first`);
  const previous = JSON.parse(readFileSync(previousFile, 'utf8')) as {
    date: string;
    cost: { perFeed: { fundwatch: PerFeedCycle } };
    coldStart: { poll: { initMs: number } };
    query: { sizes: { api: { readUnitsPerRequest: number } }[] };
  };
  const inputs = { perFeed: previous.cost.perFeed.fundwatch, initMs: previous.coldStart.poll.initMs, readUnitsPerApiRequest: previous.query.sizes.at(-1)!.api.readUnitsPerRequest };
  const loadBefore = loadavg();
  log(`mode: ${quick ? 'quick' : 'full'}, scale scenario only; per-feed units from the full run of ${previous.date}`);
  const scale = await scaleRun();
  const costs = COST_FEEDS.filter((n) => n > DEFAULT_FAN_OUT_ABOVE).map((n) => ({ feeds: n, fundwatch: fanOutCost(scale, inputs, n) }));
  const rows = [...scaleRows(scale, inputs), ...costs.map((c) => row(`cost per month, ${c.feeds / 1000}k feeds / 15 min (fan-out)`, '$', c.fundwatch.total, Number.NaN, ''))];
  const results = {
    benchmark: 'fundwatch npm run bench -- --only scale (issue 17)',
    date: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    durationSeconds: Math.round((Date.now() - started) / 1000),
    machine: { ...machine(), loadAverageBefore: loadBefore.map((n) => Math.round(n * 100) / 100) },
    unitsFrom: { file: 'bench/results.json', date: previous.date, ...inputs },
    table: rows,
    scale,
    cost: { prices: PRICES, assumptions: ASSUMPTIONS, byFeeds: costs },
  };
  const file = join(PROJECT_ROOT, 'bench', 'out', quick ? 'results-scale-quick.json' : 'results-scale.json');
  mkdirSync(join(PROJECT_ROOT, 'bench', 'out'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nfundwatch benchmark, scale scenario, ${results.mode} run, ${results.date}\n`);
  console.log(renderTable(rows));
  console.log(`\n${renderScaleTable(scale)}`);
  console.log(`\nwrote ${file} (${results.durationSeconds} s)`);
}

try {
  await (only === 'scale' ? mainScaleOnly() : main());
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await stopDb();
}
