import type { FeedState, Match } from '#shared/model.ts';

/** What the poll cycle needs from storage. The DynamoDB store implements it. */
export interface MatchStore {
  /** Writes each match once; never overwrites. Per id: 'exists' when it was already stored. */
  putMatches(matches: Match[]): Promise<Map<string, 'created' | 'exists'>>;
  /** Counts `by` more stored near-duplicates on the first report's rows (`known`: its stored copy, saving a read). */
  countDuplicate(firstReportId: string, by?: number, known?: Match): Promise<void>;
  getMatch(id: string): Promise<Match | undefined>;
  /** Matches published at or after `sinceIso`, newest first (for near-duplicate detection). */
  recentMatches(sinceIso: string, limit: number): Promise<Match[]>;
  getFeedStates(urls: string[]): Promise<Map<string, FeedState>>;
  /** `register` on a feed's first save, so feed listings find it. */
  saveFeedState(state: FeedState, options?: { register?: boolean }): Promise<void>;
}
