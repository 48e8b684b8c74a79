import { formatNumber, formatRatio, meets, ratio, type Comparison } from './stats.ts';

/** One line of the results table: a measurement, its baseline from the same run, and its target. */

export interface Target {
  /** `ratio`: fundwatch ÷ baseline is compared; `value`: fundwatch's own number is. */
  on: 'ratio' | 'value';
  comparison: Comparison;
  limit: number;
  text: string;
}

export interface Row {
  metric: string;
  unit: string;
  fundwatch: number;
  baseline: number;
  baselineName: string;
  ratio: number;
  target?: Target;
  pass?: boolean;
}

export function row(metric: string, unit: string, fundwatch: number, baseline: number, baselineName: string, target?: Target): Row {
  const r = ratio(fundwatch, baseline);
  const out: Row = { metric, unit, fundwatch, baseline, baselineName, ratio: r };
  if (target) {
    out.target = target;
    out.pass = meets(target.on === 'ratio' ? r : fundwatch, target.limit, target.comparison);
  }
  return out;
}

const cell = (value: number, unit: string) => (Number.isNaN(value) ? 'n/a' : `${formatNumber(value)}${unit ? ` ${unit}` : ''}`);

/** A Markdown table, readable in a terminal and pasteable into docs/benchmark.md. */
export function renderTable(rows: readonly Row[]): string {
  const header = ['metric', 'fundwatch', 'naive / baseline', 'ratio', 'target', 'pass'];
  const lines = rows.map((r) => [
    r.metric,
    cell(r.fundwatch, r.unit),
    `${cell(r.baseline, r.unit)}${r.baselineName ? ` (${r.baselineName})` : ''}`,
    formatRatio(r.ratio),
    r.target?.text ?? '–',
    r.pass === undefined ? '–' : r.pass ? 'yes' : '**no**',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}
