import type { FeedState, Match } from '#shared/model.ts';

/** What the poll cycle needs from storage. The DynamoDB store implements it. */
export interface MatchStore {
  /** Writes a match once; never overwrites. 'exists' when the id was already stored. */
  putMatch(match: Match): Promise<'created' | 'exists'>;
  getMatch(id: string): Promise<Match | undefined>;
  /** Matches published at or after `sinceIso`, newest first (for near-duplicate detection). */
  recentMatches(sinceIso: string, limit: number): Promise<Match[]>;
  getFeedStates(urls: string[]): Promise<Map<string, FeedState>>;
  saveFeedState(state: FeedState): Promise<void>;
}
