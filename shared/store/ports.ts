import type { FeedState, Match } from '#shared/model.ts';

/** What the poll cycle needs from storage. The DynamoDB store implements it. */
export interface MatchStore {
  /** The match as the store will keep it (its text may be clipped to the store's row budget). */
  storedForm(match: Match): Match;
  /** Writes each match once; never overwrites. Per id: 'exists' when it was already stored. */
  putMatches(matches: Match[]): Promise<Map<string, 'created' | 'exists'>>;
  /** Counts `by` more stored near-duplicates on the first report's rows (`known`: its stored copy, saving a read). */
  countDuplicate(firstReportId: string, by?: number, known?: Match): Promise<void>;
  /**
   * Sets the count on the rows of a first report that this process stored in the running cycle
   * (`first` is the match it stored): nothing else writes those rows, so they can be written
   * again whole, with the count, instead of updated one by one.
   */
  setDuplicateCount(first: Match, total: number): Promise<void>;
  getMatch(id: string): Promise<Match | undefined>;
  /** Matches published at or after `sinceIso`, newest first (for near-duplicate detection). */
  recentMatches(sinceIso: string, limit: number): Promise<Match[]>;
  getFeedStates(urls: string[]): Promise<Map<string, FeedState>>;
  saveFeedState(state: FeedState): Promise<void>;
  /** Adds feeds to the list that feed listings read; adding a listed feed again changes nothing. */
  registerFeeds(urls: string[]): Promise<void>;
}
