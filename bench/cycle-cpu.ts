/**
 * Where a first cycle's CPU goes:
 * `node bin/run-ts.mjs bench/cycle-cpu.ts [runs] [quick-start|peak] [--timeline]`
 * (the second argument picks DynamoDB Local's JIT mode; see shared/local/dynamodb-local.ts).
 *
 * Runs the benchmark's web-like first cycle (200 × 50 items, 150 ms per response) the way
 * `npm run bench` does — on a DynamoDB Local that has just taken the naive poller's cycle — and
 * reports, per run, the cycle's wall time, the CPU this Node process used and the CPU of every
 * DynamoDB Local thread (from /proc, Linux only), with the requests fundwatch sent. With
 * `--timeline` it also prints, every 200 ms, the CPU share of each process and how many feeds
 * have been fetched, stored and finished: it shows which of fetching and writing holds a cycle
 * up at each point. Not part of
 * `npm run bench`: it explains the full-cycle row of its table (docs/benchmark.md).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '#shared/store/create-table.ts';
import { createDocumentClient } from '#shared/store/dynamo-client.ts';
import { DynamoStore } from '#shared/store/dynamo-store.ts';
import { runPollCycle, type PollDeps } from '#shared/pipeline/poll-cycle.ts';
import type { Match } from '#shared/model.ts';
import { startDynamoDbLocal, type JitMode } from '#shared/local/dynamodb-local.ts';
import { FeedSet } from './lib/feeds.ts';
import { benchPollConfig, benchPollDeps } from './lib/fundwatch-poller.ts';
import { startFeedServer, WEB_LATENCY_MS } from './lib/feed-server.ts';
import { ensureNaiveTable, runNaiveCycle } from './naive-poller.ts';

const CLOCK_TICKS_PER_SECOND = 100;
const TIMELINE_STEP_MS = 200;

/** User plus system CPU milliseconds in a /proc `stat` line (of a process or of one thread). */
function cpuMsOfStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** CPU milliseconds a process has used so far (all its threads). */
function processCpu(pid: number | 'self'): number {
  return cpuMsOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** Samples both processes' CPU and the cycle's progress every TIMELINE_STEP_MS. */
function startTimeline(java: number, progress: () => string): () => string[] {
  const lines: string[] = [];
  const started = performance.now();
  let last = { at: started, node: processCpu('self'), java: processCpu(java) };
  const share = (ms: number, elapsed: number) => `${((ms / elapsed) * 100).toFixed(0).padStart(3)}%`;
  const timer = setInterval(() => {
    const now = { at: performance.now(), node: processCpu('self'), java: processCpu(java) };
    const elapsed = now.at - last.at;
    lines.push(`  ${(now.at - started).toFixed(0).padStart(5)} ms  fundwatch ${share(now.node - last.node, elapsed)}  DynamoDB Local ${share(now.java - last.java, elapsed)}  ${progress()}`);
    last = now;
  }, TIMELINE_STEP_MS);
  return () => {
    clearInterval(timer);
    return lines;
  };
}

/** CPU milliseconds of each thread of a process, by thread name (numbered pool threads summed). */
function threadCpu(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[-#]?\d+$/, '').replace(/^qtp\d+$/, 'HTTP (Jetty pool)');
    byName.set(name, (byName.get(name) ?? 0) + cpuMsOfStat(stat));
  }
  return byName;
}

async function oneRun(jit: JitMode, timeline: boolean): Promise<void> {
  const db = await startDynamoDbLocal({ jit });
  const raw = new DynamoDBClient({ endpoint: db.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const doc = createDocumentClient({ endpoint: db.endpoint });
  const set = new FeedSet({ feeds: 200, itemsPerFeed: 50, hosts: 25, nowMs: Date.now() });
  const naiveServer = await startFeedServer(set, { latencyMs: 0 });
  const server = await startFeedServer(set, { latencyMs: WEB_LATENCY_MS });
  try {
    await ensureTable(raw, 'bench-fundwatch');
    await ensureNaiveTable(raw, 'bench-naive');
    naiveServer.prerender();
    await runNaiveCycle(naiveServer.urls, doc, 'bench-naive');

    const requests = new Map<string, number>();
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        const command = (context as { commandName: string }).commandName;
        requests.set(command, (requests.get(command) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: 'countRequests' },
    );
    const config = benchPollConfig(server.urls);
    const store = new DynamoStore({ client: doc, tableName: 'bench-fundwatch', retentionDays: config.retention.matchDays });
    const counted = { fetched: 0, stored: 0, finished: 0 };
    const base = benchPollDeps(store);
    const deps: PollDeps = {
      ...base,
      store: Object.assign(Object.create(store) as DynamoStore, {
        putMatches: async (matches: Match[]) => {
          const written = await store.putMatches(matches);
          counted.stored++;
          return written;
        },
      }),
      fetchFeed: async (...args: Parameters<PollDeps['fetchFeed']>) => {
        const outcome = await base.fetchFeed(...args);
        counted.fetched++;
        return outcome;
      },
      onFeed: () => void counted.finished++,
    };
    server.prerender();
    // startDynamoDbLocal spawns java itself: its pid is the JVM's.
    const java = db.pid;
    const jvmBefore = threadCpu(java);
    const cpu = process.cpuUsage();
    const stopTimeline = timeline
      ? startTimeline(java, () => `feeds fetched ${counted.fetched}, with matches stored ${counted.stored}, finished ${counted.finished}`)
      : () => [];
    const started = performance.now();
    const report = await runPollCycle(config, deps);
    const wallMs = performance.now() - started;
    const lines = stopTimeline();
    const used = process.cpuUsage(cpu);
    const jvm = [...threadCpu(java)].map(([name, ms]) => [name, ms - (jvmBefore.get(name) ?? 0)] as const).filter(([, ms]) => ms > 0);
    const jvmTotal = jvm.reduce((sum, [, ms]) => sum + ms, 0);
    console.log(
      `cycle ${wallMs.toFixed(0)} ms (${report.stored.length} stored); CPU: fundwatch ${((used.user + used.system) / 1000).toFixed(0)} ms, ` +
        `DynamoDB Local ${jvmTotal.toFixed(0)} ms (${jvm.sort((a, b) => b[1] - a[1]).map(([name, ms]) => `${name} ${ms.toFixed(0)}`).join(', ')})`,
    );
    console.log(`  requests: ${[...requests].map(([command, n]) => `${command.replace(/Command$/, '')} ${n}`).join(', ')}`);
    for (const line of lines) console.log(line);
  } finally {
    await server.close();
    await naiveServer.close();
    doc.destroy();
    raw.destroy();
    await db.stop();
  }
}

const args = process.argv.slice(2);
const timeline = args.includes('--timeline');
const [runsArg, jitArg] = args.filter((arg) => arg !== '--timeline');
const runs = Number(runsArg ?? 3);
const jit = jitArg === 'peak' ? 'peak' : 'quick-start';
for (let i = 0; i < runs; i++) await oneRun(jit, timeline);
