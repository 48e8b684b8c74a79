import { parseUpdateId } from '#shared/query/params.ts';
import { parseFeedback, type Feedback } from './feedback.ts';
import type { FeedbackStore, LabelledMatch } from './ports.ts';

/**
 * Recording and reading analysts' labels: pure domain over the `FeedbackStore` port, shared by
 * the API route, `fundwatch feedback` and `fundwatch eval --feedback`.
 */
export interface FeedbackService {
  /** Validates (BadRequestError naming the field) and records; NoSuchMatchError for an unknown id. */
  record(itemId: string | undefined, body: unknown, by?: string): Promise<Feedback>;
  /** The label on one stored match, null when it has none; NoSuchMatchError for an unknown id. */
  labelOf(itemId: string | undefined): Promise<Feedback | null>;
  labelled(): Promise<LabelledMatch[]>;
}

export function createFeedbackService(deps: { store: FeedbackStore; topicIds: readonly string[]; now?: () => Date }): FeedbackService {
  const now = deps.now ?? (() => new Date());
  return {
    async record(rawId, body, by) {
      const itemId = parseUpdateId(rawId);
      const feedback = parseFeedback(body, { itemId, topicIds: deps.topicIds, at: now().toISOString(), by });
      await deps.store.recordFeedback(feedback);
      return feedback;
    },
    labelOf: async (rawId) => deps.store.feedbackOf(parseUpdateId(rawId)),
    labelled: () => deps.store.labelledMatches(),
  };
}
