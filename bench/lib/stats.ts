/**
 * Pure helpers for the benchmark: percentiles, ratios, formatting. No timing in here, so the
 * unit tests can check them exactly.
 */

/** The p-th percentile (0–100) by the nearest-rank method: a value that was actually observed. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  if (p < 0 || p > 100 || Number.isNaN(p)) throw new RangeError(`percentile ${p} is outside 0..100`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

/** fundwatch ÷ baseline; NaN when the baseline is zero or missing (never Infinity in the JSON). */
export function ratio(value: number, baseline: number): number {
  if (!Number.isFinite(value) || !Number.isFinite(baseline) || baseline === 0) return Number.NaN;
  return value / baseline;
}

export type Comparison = 'max' | 'min';

/**
 * Whether `value` meets a target: `max` means at most `limit`, `min` at least `limit`.
 * A NaN measurement never passes.
 */
export function meets(value: number, limit: number, comparison: Comparison): boolean {
  if (!Number.isFinite(value)) return false;
  return comparison === 'max' ? value <= limit : value >= limit;
}

/** Rounds to `digits` significant digits, for the JSON (raw numbers stay exact elsewhere). */
export function significant(value: number, digits = 4): number {
  if (!Number.isFinite(value) || value === 0) return value;
  return Number(value.toPrecision(digits));
}

/** 12345.6 → "12,346"; 0.01234 → "0.0123"; small numbers keep three significant digits. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'n/a';
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  if (abs >= 10) return value.toFixed(1);
  if (abs === 0) return '0';
  return Number(value.toPrecision(3)).toString();
}

/** A ratio as a percentage when below 1, as a multiple when above ("3.2%", "12×"). */
export function formatRatio(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (value < 1) return `${formatNumber(value * 100)}%`;
  return `${formatNumber(value)}×`;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'n/a';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  if (bytes < 1024 * 1024) return `${formatNumber(bytes / 1024)} KiB`;
  return `${formatNumber(bytes / 1024 / 1024)} MiB`;
}


/**
 * Steady state per cycle when every `cyclesPerHeartbeat`-th cycle is a heartbeat cycle (the
 * others cost `ordinary`): ((n − 1) × ordinary + heartbeat) / n.
 */
export function steadyPerCycle(ordinary: number, heartbeat: number, cyclesPerHeartbeat: number): number {
  if (!(cyclesPerHeartbeat >= 1)) throw new RangeError(`cyclesPerHeartbeat ${cyclesPerHeartbeat} is below 1`);
  return ((cyclesPerHeartbeat - 1) * ordinary + heartbeat) / cyclesPerHeartbeat;
}
