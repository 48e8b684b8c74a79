import { BadRequestError } from '#shared/query/errors.ts';

/**
 * An analyst's label on one stored match: "not relevant", or "these are its topics". It is data
 * for the operator (`fundwatch eval --feedback` scores the topic pack against it); nothing ever
 * changes the pack because of it. The last label given wins.
 */

export type FeedbackVerdict = 'not-relevant' | 'topics';

export interface Feedback {
  itemId: string;
  verdict: FeedbackVerdict;
  /** Sorted, unique pack topic ids; present only for the verdict `topics`. */
  topics?: string[];
  /** ISO 8601, when the label was given. */
  at: string;
  /** Who gave it: the IAM caller behind the API, or the CLI's `--by`. */
  by?: string;
}

/** The labels the analyst says the item should carry: none for "not relevant". */
export const goldLabels = (feedback: Pick<Feedback, 'verdict' | 'topics'>): string[] =>
  feedback.verdict === 'topics' ? [...(feedback.topics ?? [])] : [];

const BY_MAX = 200;
const VERDICTS: readonly FeedbackVerdict[] = ['not-relevant', 'topics'];

/**
 * Builds a Feedback from what a client sent (`{"verdict": "not-relevant"}` or
 * `{"verdict": "topics", "topics": ["us-aid"]}`). Throws BadRequestError naming the field at
 * fault; topics must be ids of the current pack, so a typo cannot become a label nobody scores.
 */
export function parseFeedback(
  body: unknown,
  context: { itemId: string; topicIds: readonly string[]; at: string; by?: string | undefined },
): Feedback {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestError('body', 'expected a JSON object such as {"verdict": "not-relevant"} or {"verdict": "topics", "topics": ["us-aid"]}');
  }
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).find((name) => name !== 'verdict' && name !== 'topics');
  if (unknown !== undefined) throw new BadRequestError(unknown, 'unknown field; expected "verdict" and, for the verdict "topics", "topics"');
  const verdict = fields.verdict;
  if (typeof verdict !== 'string' || !VERDICTS.includes(verdict as FeedbackVerdict)) {
    throw new BadRequestError('verdict', 'expected "not-relevant" or "topics"');
  }
  const feedback: Feedback = { itemId: context.itemId, verdict: verdict as FeedbackVerdict, at: context.at };
  if (verdict === 'topics') feedback.topics = parseTopics(fields.topics, context.topicIds);
  else if (fields.topics !== undefined) throw new BadRequestError('topics', 'not allowed with the verdict "not-relevant" (it means no topic)');
  const by = context.by?.trim();
  if (by) feedback.by = by.slice(0, BY_MAX);
  return feedback;
}

function parseTopics(value: unknown, topicIds: readonly string[]): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.some((t) => typeof t !== 'string')) {
    throw new BadRequestError('topics', `expected a non-empty array of topic ids (one of: ${topicIds.join(', ')}); for none, use the verdict "not-relevant"`);
  }
  const unknownTopic = (value as string[]).find((t) => !topicIds.includes(t));
  if (unknownTopic !== undefined) {
    throw new BadRequestError('topics', `unknown topic ${JSON.stringify(unknownTopic.slice(0, 100))}; expected one of: ${topicIds.join(', ')}`);
  }
  return [...new Set(value as string[])].sort();
}
