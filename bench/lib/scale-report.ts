import { DEFAULT_FETCH_CONCURRENCY, SCALE_DEFAULTS } from '#shared/config/schema.ts';
import type { ScaleCell, ScaleResult } from '../scenarios/scale.ts';
import { ASSUMPTIONS, fanOutMonthlyCost, type FanOutCostBreakdown, type PerFeedCycle } from './cost.ts';
import { row, type Row } from './report.ts';
import { formatNumber, median } from './stats.ts';

const label = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));
const seconds = (ms: number) => `${formatNumber(ms / 1000)} s`;

/** Every cell of the scale scenario, one line each: where the wall time went on this machine. */
export function renderScaleTable(scale: ScaleResult): string {
  const header = ['feeds', 'workers', 'wall', 'CPU (workers / DynamoDB Local / bench)', 'CPU per feed', `CPU floor (÷ ${scale.cores} cores)`, 'batch p50 / p90', 'fetched / 304 / failed'];
  const lines = scale.cells.map((c) => [
    label(c.feeds),
    String(c.workers),
    seconds(c.wallMs),
    `${seconds(c.cpuMs.total)} (${seconds(c.cpuMs.workers)} / ${seconds(c.cpuMs.dynamoDb)} / ${seconds(c.cpuMs.benchProcess)})`,
    `${formatNumber(c.cpuMsPerFeed)} ms`,
    seconds(c.cpuBoundWallMs),
    `${seconds(c.batchMs.p50)} / ${seconds(c.batchMs.p90)}`,
    `${c.fetched} / ${c.notModified} / ${c.failed}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

/** A worker's time on one batch when it has a core to itself: the 1-worker cells' median batch. */
export function soloBatchMs(scale: ScaleResult): number {
  return median(scale.cells.filter((c) => c.workers === 1).map((c) => c.batchMs.p50));
}

export interface FanOutCostInputs {
  perFeed: PerFeedCycle;
  initMs: number;
  readUnitsPerApiRequest: number;
}

export function fanOutCost(scale: ScaleResult, inputs: FanOutCostInputs, feeds: number, maxWorkers: number = SCALE_DEFAULTS.maxWorkers): FanOutCostBreakdown {
  const units = scale.batchUnits;
  return fanOutMonthlyCost({
    feeds,
    pollEveryMinutes: 15,
    feedsPerMessage: scale.options.feedsPerMessage,
    maxWorkers,
    perFeed: inputs.perFeed,
    batchReadUnits: units.unchanged.readUnits,
    storyContextReadUnits: units.storyContext.readUnits,
    batchesWithMatches: units.batchesWithMatches,
    // Loopback plus the network wait cost.ts assumes per fetch, at the worker's fetch concurrency.
    batchMs: soloBatchMs(scale) + Math.ceil(scale.options.feedsPerMessage / DEFAULT_FETCH_CONCURRENCY) * Math.max(0, ASSUMPTIONS.networkMsPerFetch - scale.options.latencyMs),
    initMs: inputs.initMs,
    memoryGb: ASSUMPTIONS.pollMemoryGb,
    readUnitsPerApiRequest: inputs.readUnitsPerApiRequest,
  });
}

/**
 * The rows the issue judges: with feeds per worker held constant, the steady cycle's wall time
 * against the smallest cell's, measured here and projected for Lambda (whose workers do not
 * share two cores), and the CPU each feed costs.
 */
export function scaleRows(scale: ScaleResult, inputs: FanOutCostInputs): Row[] {
  const diagonal = scale.options.constantPerWorker
    .map((d) => scale.cells.find((c) => c.feeds === d.feeds && c.workers === d.workers))
    .filter((c): c is ScaleCell => c !== undefined);
  const base = diagonal[0];
  if (!base) return [];
  const name = (c: ScaleCell) => `${label(c.feeds)} feeds / ${c.workers} worker${c.workers === 1 ? '' : 's'}`;
  const baseName = name(base);
  const projected = (c: ScaleCell) => fanOutCost(scale, inputs, c.feeds, c.workers).cycleWallSeconds;
  return diagonal.slice(1).flatMap((c) => [
    row(`scale: steady cycle wall, ${name(c)} (this machine)`, 's', c.wallMs / 1000, base.wallMs / 1000, baseName, { on: 'ratio', comparison: 'max', limit: 1.5, text: `≤ 1.5× ${baseName}` }),
    row(`scale: CPU floor of that cycle on ${scale.cores} cores`, 's', c.cpuBoundWallMs / 1000, base.cpuBoundWallMs / 1000, baseName),
    row(`scale: CPU per feed, ${name(c)}`, 'ms', c.cpuMsPerFeed, base.cpuMsPerFeed, baseName),
    row(`scale: steady cycle wall, ${name(c)}, projected on Lambda`, 's', projected(c), projected(base), baseName, { on: 'ratio', comparison: 'max', limit: 1.5, text: `≤ 1.5× ${baseName}` }),
  ]);
}
