import type { FeedState, Match } from '#shared/model.ts';

/** What a story claim records of a first report: enough to compare copies with it and to count on its rows. */
export interface StoryClaim {
  id: string;
  title: string;
  summary: string;
  publishedAt: string;
  topics: string[];
}

/** One slot of the story log: the first reports one writer claimed together. */
export interface StoryLogSlot {
  seq: number;
  claimedAt: string;
  claims: StoryClaim[];
}

/**
 * The log of first reports, which lets the database decide between two copies of one story that
 * two feeds (or two pollers) bring at once: each slot is written once, conditionally.
 */
export interface StoryLog {
  /** Slots claimed at or after `claimedSince`, or every slot after `afterSeq`; oldest first, strongly consistent. */
  readStoryClaims(options: { claimedSince: string } | { afterSeq: number }): Promise<StoryLogSlot[]>;
  /** Writes slot `seq`; false when another writer took it first. */
  appendStoryClaims(slot: StoryLogSlot): Promise<boolean>;
}

/** The keys of a first report's rows: its id, topics and (stored) publication time. */
export type FirstReportRef = Pick<Match, 'id' | 'topics' | 'publishedAt'>;

/** What the poll cycle needs from storage. The DynamoDB store implements it. */
export interface MatchStore extends StoryLog {
  /** The match as the store will keep it (its text may be clipped to the store's row budget). */
  storedForm(match: Match): Match;
  /** Writes each match once; never overwrites. Per id: 'exists' when it was already stored. */
  putMatches(matches: Match[]): Promise<Map<string, 'created' | 'exists'>>;
  /**
   * Counts `by` more stored near-duplicates on the first report's rows (`known`: its keys, saving a
   * read). Rows that another writer has not stored yet are waited for, a few seconds at most.
   */
  countDuplicate(firstReportId: string, by?: number, known?: FirstReportRef): Promise<void>;
  getMatch(id: string): Promise<Match | undefined>;
  /** Matches published at or after `sinceIso`, newest first (for near-duplicate detection). */
  recentMatches(sinceIso: string, limit: number): Promise<Match[]>;
  getFeedStates(urls: string[]): Promise<Map<string, FeedState>>;
  saveFeedState(state: FeedState): Promise<void>;
  /** Adds feeds to the list that feed listings read; adding a listed feed again changes nothing. */
  registerFeeds(urls: string[]): Promise<void>;
}
