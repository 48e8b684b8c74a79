import type { FeedState, Match } from '#shared/model.ts';

/** Which rows a listing reads: one topic's rows, or the index of all matches. */
export type Partition = { kind: 'topic'; topic: string } | { kind: 'all' };

/** A DynamoDB key as plain strings: where a page ended, and where the next one starts. */
export type RowKey = Record<string, string>;

export interface RangeQuery {
  partition: Partition;
  /** Canonical ISO, inclusive. */
  since?: string;
  /** Canonical ISO, inclusive. */
  until?: string;
  /** Newest first unless told otherwise. */
  oldestFirst?: boolean;
  startKey?: RowKey;
  pageSize: number;
}

export interface RangeRow {
  match: Match;
  key: RowKey;
  /**
   * How many near-duplicates of this match are stored: the counter the poll cycle adds to a
   * first report's match row and topic rows when it stores a duplicate. Absent means 0.
   */
  duplicateCount?: number;
}

export interface RangePage {
  rows: RangeRow[];
  /** Absent when the range is exhausted. */
  lastKey?: RowKey;
}

/** What the query service reads. Every method is an index Query or a key lookup, never a Scan. */
export interface QueryStore {
  queryRange(query: RangeQuery): Promise<RangePage>;
  /**
   * The near-duplicates of one first report published in the time range (for one update's
   * detail view only; listings take their counts from the rows they read).
   */
  duplicatesOf(firstId: string, since: string, until: string): Promise<Match[]>;
  /** How many first reports (not duplicates) a topic has in the time range. */
  countFirstReports(topic: string, since: string, until: string): Promise<number>;
  getMatch(id: string): Promise<Match | undefined>;
  listFeedStates(): Promise<FeedState[]>;
}
