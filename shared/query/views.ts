import type { FeedState, Match } from '#shared/model.ts';

/**
 * What the query API shows of stored data: chosen fields only, so an attribute added to the
 * rows later is not published by accident, and `null` rather than absent for optional fields,
 * so clients see one shape.
 */

export interface UpdateView {
  id: string;
  title: string;
  summary: string;
  link: string | null;
  source: string;
  feedUrl: string;
  publishedAt: string;
  fetchedAt: string;
  lang: string | null;
  topics: string[];
  score: number;
  scores: Record<string, number>;
  /** Per topic, the phrases, concepts and rules that decided: why this is a match. */
  evidence: Record<string, string[]>;
  /** The first report of the same story; null for a first report. */
  duplicateOf: string | null;
  /** Only when duplicates are collapsed: how many near-duplicates this first report has. */
  duplicateCount?: number;
}

export interface UpdateDetail extends UpdateView {
  categories: string[];
  storedAt: string;
  /** Near-duplicates of this update, oldest first. */
  duplicates: UpdateView[];
}

export interface TopicSummary {
  id: string;
  title: string;
  /** First reports (duplicates not counted) published in the last 24 hours, 7 days, 30 days. */
  counts: { last24h: number; last7d: number; last30d: number };
}

export type FeedHealthStatus = 'ok' | 'failing' | 'moved' | 'gone' | 'never-polled';

export interface FeedHealth {
  url: string;
  name: string;
  status: FeedHealthStatus;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastOutcome: string | null;
  lastStatus: number | null;
  lastError: string | null;
  consecutiveFailures: number;
  nextPollAt: string | null;
  movedTo: string | null;
  gone: boolean;
  itemCount: number | null;
  /**
   * New entries in languages the topic pack does not cover, by language: in the last fetch that
   * returned the feed, and in total since it was first polled (empty objects when none).
   */
  languageNotCovered: { lastFetch: Record<string, number>; total: Record<string, number> };
}

export function toUpdateView(match: Match): UpdateView {
  return {
    id: match.id,
    title: match.title,
    summary: match.summary,
    link: match.link ?? null,
    source: match.source,
    feedUrl: match.feedUrl,
    publishedAt: match.publishedAt,
    fetchedAt: match.fetchedAt,
    lang: match.lang ?? null,
    topics: match.topics,
    score: match.score,
    scores: match.scores,
    evidence: match.evidence,
    duplicateOf: match.duplicateOf ?? null,
  };
}

export function toUpdateDetail(match: Match, duplicates: Match[]): UpdateDetail {
  return {
    ...toUpdateView(match),
    categories: match.categories,
    storedAt: match.storedAt,
    duplicates: duplicates.map(toUpdateView),
  };
}

export function toFeedHealth(state: FeedState): FeedHealth {
  // A moved feed whose new address fails is failing: that is what an operator must see.
  const status: FeedHealthStatus = state.gone
    ? 'gone'
    : state.consecutiveFailures > 0
      ? 'failing'
      : state.movedTo
        ? 'moved'
        : state.lastAttemptAt || state.lastSuccessAt
          ? 'ok'
          : 'never-polled';
  return {
    url: state.url,
    name: state.name,
    status,
    lastAttemptAt: state.lastAttemptAt ?? null,
    lastSuccessAt: state.lastSuccessAt ?? null,
    lastOutcome: state.lastOutcome ?? null,
    lastStatus: state.lastStatus ?? null,
    lastError: state.lastError ?? null,
    consecutiveFailures: state.consecutiveFailures ?? 0,
    nextPollAt: state.nextPollAt ?? null,
    movedTo: state.movedTo ?? null,
    gone: state.gone === true,
    itemCount: state.itemCount ?? null,
    languageNotCovered: {
      lastFetch: { ...state.languageNotCovered?.lastFetch },
      total: { ...state.languageNotCovered?.total },
    },
  };
}
