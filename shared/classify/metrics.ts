/**
 * Precision, recall and F1 for multi-label classification, per label and averaged, plus
 * "relevance" (any label versus none: would the item have raised an alert?). Pure functions.
 * A ratio with nothing to count (no predictions, no gold items) is 1 when there was nothing to
 * get wrong and 0 otherwise, so an unused label neither helps nor hurts a macro average unfairly.
 */

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

export interface Scores extends Counts {
  precision: number;
  recall: number;
  f1: number;
  /** Gold items carrying the label. */
  support: number;
}

export interface LabeledPrediction {
  id: string;
  gold: readonly string[];
  predicted: readonly string[];
  lang?: string | undefined;
}

/** One language's share of an evaluation: how many items, and the averages that fit a small sample. */
export interface LanguageScores {
  items: number;
  micro: Scores;
  relevance: Scores;
}

/** Key for items that carry no language (BCP 47 "undetermined"). */
export const UNDETERMINED_LANGUAGE = 'und';

export interface EvaluationReport {
  items: number;
  perLabel: Record<string, Scores>;
  micro: Scores;
  macro: { precision: number; recall: number; f1: number };
  relevance: Scores;
  /** Items whose predicted label set differs from the gold set. */
  misclassified: { id: string; missing: string[]; extra: string[] }[];
}

function ratio(part: number, whole: number, otherErrors: number): number {
  if (whole === 0) return otherErrors === 0 ? 1 : 0;
  return part / whole;
}

export function scoresFrom(counts: Counts): Scores {
  const precision = ratio(counts.tp, counts.tp + counts.fp, counts.fn);
  const recall = ratio(counts.tp, counts.tp + counts.fn, counts.fp);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { ...counts, precision, recall, f1, support: counts.tp + counts.fn };
}

/** `labels` fixes the order and includes labels nobody predicted; labels found only in the data are added. */
export function evaluate(predictions: readonly LabeledPrediction[], labels: readonly string[]): EvaluationReport {
  const all = [...labels];
  for (const p of predictions) for (const l of [...p.gold, ...p.predicted]) if (!all.includes(l)) all.push(l);
  const counts = new Map(all.map((l) => [l, { tp: 0, fp: 0, fn: 0 }]));
  const relevance = { tp: 0, fp: 0, fn: 0 };
  const misclassified: EvaluationReport['misclassified'] = [];
  for (const p of predictions) {
    const gold = new Set(p.gold);
    const predicted = new Set(p.predicted);
    for (const l of all) {
      const c = counts.get(l)!;
      if (gold.has(l) && predicted.has(l)) c.tp++;
      else if (predicted.has(l)) c.fp++;
      else if (gold.has(l)) c.fn++;
    }
    if (gold.size > 0 && predicted.size > 0) relevance.tp++;
    else if (predicted.size > 0) relevance.fp++;
    else if (gold.size > 0) relevance.fn++;
    const missing = [...gold].filter((l) => !predicted.has(l)).sort();
    const extra = [...predicted].filter((l) => !gold.has(l)).sort();
    if (missing.length > 0 || extra.length > 0) misclassified.push({ id: p.id, missing, extra });
  }
  const perLabel: Record<string, Scores> = {};
  const total = { tp: 0, fp: 0, fn: 0 };
  for (const l of all) {
    const c = counts.get(l)!;
    perLabel[l] = scoresFrom(c);
    total.tp += c.tp;
    total.fp += c.fp;
    total.fn += c.fn;
  }
  const perLabelScores = Object.values(perLabel);
  const mean = (pick: (s: Scores) => number) =>
    perLabelScores.length === 0 ? 0 : perLabelScores.reduce((sum, s) => sum + pick(s), 0) / perLabelScores.length;
  return {
    items: predictions.length,
    perLabel,
    micro: scoresFrom(total),
    macro: { precision: mean((s) => s.precision), recall: mean((s) => s.recall), f1: mean((s) => s.f1) },
    relevance: scoresFrom(relevance),
    misclassified,
  };
}

/**
 * `evaluate` run on each language's items separately, largest language first (ties by code), so
 * a classifier that is good on English but blind in Hungarian cannot hide behind the overall mean.
 */
export function evaluateByLanguage(predictions: readonly LabeledPrediction[], labels: readonly string[]): Record<string, LanguageScores> {
  const groups = new Map<string, LabeledPrediction[]>();
  for (const p of predictions) {
    const lang = p.lang?.trim() ? p.lang.trim() : UNDETERMINED_LANGUAGE;
    let group = groups.get(lang);
    if (!group) groups.set(lang, (group = []));
    group.push(p);
  }
  const ordered = [...groups.entries()].sort(([a, pa], [b, pb]) => pb.length - pa.length || a.localeCompare(b));
  const byLanguage: Record<string, LanguageScores> = {};
  for (const [lang, group] of ordered) {
    const { items, micro, relevance } = evaluate(group, labels);
    byLanguage[lang] = { items, micro, relevance };
  }
  return byLanguage;
}
