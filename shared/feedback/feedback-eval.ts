import { goldLabels } from './feedback.ts';
import type { LabelledMatch } from './ports.ts';

/**
 * The labelled matches as an eval data set: one JSON Lines item per label, in the format
 * `fundwatch eval --data` reads, so `eval --feedback` scores them with the same code and prints
 * them the same way. "Not relevant" is the empty label set.
 */
export function feedbackEvalLines(labelled: readonly LabelledMatch[]): string {
  return [...labelled]
    .sort((a, b) => a.feedback.itemId.localeCompare(b.feedback.itemId))
    .map((m) =>
      JSON.stringify({ id: m.feedback.itemId, title: m.title, summary: m.summary, ...(m.lang ? { lang: m.lang } : {}), labels: goldLabels(m.feedback) }),
    )
    .join('\n');
}

/** A label the analyst took away that the current pack gives again. */
export interface Regression {
  itemId: string;
  title: string;
  /** The labels the pack gives now that the analyst rejected. */
  labels: string[];
  verdict: LabelledMatch['feedback']['verdict'];
  at: string;
}

/**
 * What a pack change must not bring back: for "not relevant", any label at all; for corrected
 * topics, a topic the match was stored with and the analyst removed. A topic the pack now adds
 * that neither the match nor the analyst had is a plain misclassification, reported by the
 * metrics, not a regression: nobody rejected it.
 */
export function findRegressions(labelled: readonly LabelledMatch[], predicted: ReadonlyMap<string, readonly string[]>): Regression[] {
  const out: Regression[] = [];
  for (const m of labelled) {
    const labels = predicted.get(m.feedback.itemId) ?? [];
    const gold = new Set(goldLabels(m.feedback));
    const rejected =
      m.feedback.verdict === 'not-relevant' ? labels : labels.filter((l) => !gold.has(l) && m.storedTopics.includes(l));
    if (rejected.length > 0) out.push({ itemId: m.feedback.itemId, title: m.title, labels: [...rejected].sort(), verdict: m.feedback.verdict, at: m.feedback.at });
  }
  return out.sort((a, b) => a.itemId.localeCompare(b.itemId));
}
