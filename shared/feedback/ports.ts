import { NotFoundError } from '#shared/query/errors.ts';
import type { Feedback } from './feedback.ts';

/** A labelled match as the eval reads it: the label and the item text the pack classifies. */
export interface LabelledMatch {
  feedback: Feedback;
  title: string;
  summary: string;
  lang?: string;
  /** The topics the match was stored with, when the label was given. */
  storedTopics: string[];
}

/** No stored match has this id (never stored, or expired): a 404 in the API. */
export class NoSuchMatchError extends NotFoundError {
  constructor(readonly itemId: string) {
    super(`no stored match with id ${JSON.stringify(itemId.slice(0, 100))}`);
  }
}

export interface FeedbackStore {
  /** Records the label on the stored match (the last one wins); throws NoSuchMatchError. */
  recordFeedback(feedback: Feedback): Promise<void>;
  /** The label on one stored match, null when it has none; throws NoSuchMatchError. */
  feedbackOf(itemId: string): Promise<Feedback | null>;
  /** Every labelled match so far, by item id. */
  labelledMatches(): Promise<LabelledMatch[]>;
}
