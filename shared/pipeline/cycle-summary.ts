import type { CycleReport, FeedReportOutcome } from './poll-cycle.ts';
import { addTallies, tallyTotal, type LanguageTally } from './language-tally.ts';

/** A cycle's figures for logs and metrics: the single poller's and every fan-out worker's alike. */
export interface CycleSummary {
  feeds: number;
  fetched: number;
  notModified: number;
  failed: number;
  deferred: number;
  notDue: number;
  failing: number;
  stored: number;
  bytes: number;
  /** New entries in languages the pack does not cover, all feeds together. */
  languageNotCovered: number;
  languagesNotCovered: LanguageTally;
}

export function summariseCycle(report: CycleReport): CycleSummary {
  const count = (outcome: FeedReportOutcome) => report.feeds.filter((f) => f.outcome === outcome).length;
  const languages = report.feeds.reduce<LanguageTally>((sum, f) => addTallies(sum, f.languageNotCovered), {});
  return {
    feeds: report.feeds.length,
    fetched: count('fetched'),
    notModified: count('not-modified'),
    failed: count('failed'),
    deferred: count('deferred'),
    notDue: count('not-due'),
    failing: report.failingFeeds,
    stored: report.stored.length,
    bytes: report.feeds.reduce((sum, f) => sum + f.bytes, 0),
    languageNotCovered: tallyTotal(languages),
    languagesNotCovered: languages,
  };
}
