/**
 * The domain model: plain data that every layer shares. No AWS types here.
 */

import type { AlertPayload } from '#shared/alerts/alert-payload.ts';

export type TopicId = string;

/** One entry exactly as a feed carried it, after parsing and before normalisation. */
export interface ParsedEntry {
  guid?: string;
  link?: string;
  title?: string;
  /** HTML or text, as the feed carried it. */
  summary?: string;
  /** Whatever date string the feed had; normalisation turns it into ISO or drops it. */
  published?: string;
  categories: string[];
  author?: string;
}

export interface ParsedFeed {
  title?: string;
  link?: string;
  language?: string;
  entries: ParsedEntry[];
}

/** A feed entry made comparable: plain text, canonical link, stable id. */
export interface NewsItem {
  /** Stable across re-polls and headline edits: from the GUID, else the canonical link, else title and summary. */
  id: string;
  title: string;
  /** Plain text, entities decoded, whitespace collapsed. */
  summary: string;
  link?: string;
  /** The feed's display name. */
  source: string;
  feedUrl: string;
  /** ISO 8601; the fetch time when the feed gave no usable date. */
  publishedAt: string;
  fetchedAt: string;
  lang?: string;
  categories: string[];
}

export interface ClassifierInput {
  title: string;
  summary: string;
  lang?: string;
  categories?: string[];
}

export interface Classification {
  /** Sorted topic ids. Empty means not relevant. */
  labels: TopicId[];
  /** A score in [0, 1] for every topic that fired at all (labels and near misses). */
  scores: Record<TopicId, number>;
  /** For each topic: the phrases, concepts and rules that decided. */
  evidence: Record<TopicId, string[]>;
}

export interface Classifier {
  readonly topics: readonly TopicId[];
  /** The languages the pack has terms in (two-letter codes, sorted; "any" left out). */
  readonly languages: readonly string[];
  classify(input: ClassifierInput): Classification;
}

/** Why a stored match raises no alert. */
export type AlertSuppression = 'stale' | 'duplicate';

export interface Match extends NewsItem {
  topics: TopicId[];
  /** The best topic score. */
  score: number;
  scores: Record<TopicId, number>;
  evidence: Record<TopicId, string[]>;
  /** Id of the first report of the same story, when this is a near-duplicate. */
  duplicateOf?: string;
  alertSuppressed?: AlertSuppression;
  storedAt: string;
}

export type AlertMode = 'instant' | 'daily';

/** One email as SNS would send it. */
export interface AlertEmail {
  topic: TopicId;
  mode: AlertMode;
  subject: string;
  body: string;
  /** The matches it lists, for idempotency. */
  itemIds: string[];
  /** The same alert as data, for webhooks, Slack, SQS and Lambda subscribers (`renderAlert`). */
  payload?: AlertPayload;
}

export type FetchOutcomeKind = 'fetched' | 'not-modified' | 'failed';

export interface FeedState {
  url: string;
  name: string;
  etag?: string;
  lastModified?: string;
  lastOutcome?: FetchOutcomeKind;
  lastStatus?: number;
  lastError?: string;
  lastAttemptAt?: string;
  lastSuccessAt?: string;
  consecutiveFailures: number;
  /** ISO time before which the feed is not polled again (backoff, Retry-After, gone feeds). */
  nextPollAt?: string;
  /** Set after a 301/308: the URL the publisher moved the feed to. */
  movedTo?: string;
  /** Set after 404/410: polled rarely from then on. */
  gone?: boolean;
  itemCount?: number;
  /**
   * Short fingerprints of the entries seen in the last successful fetch, so a changed feed only
   * classifies and writes what is new in it.
   */
  seen?: string[];
  /** When this state was last written; a 304 with nothing else changed only refreshes it hourly. */
  writtenAt?: string;
  /**
   * New entries in languages the topic pack has no terms for, by language: those of the last
   * fetch that returned the feed, and the running total since the feed was first polled.
   * Absent while there has never been one.
   */
  languageNotCovered?: { lastFetch: Record<string, number>; total: Record<string, number> };
}
