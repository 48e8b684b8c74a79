import type { AlertMode } from '#shared/model.ts';
import { cleanLine, cutText } from './text.ts';

/**
 * SNS rejects a Subject of 100 characters or more, or one with line breaks or control
 * characters, and fails the whole Publish. Counting UTF-16 code units keeps us under the limit
 * whether SNS counts code points or units.
 */
export const MAX_SUBJECT_LENGTH = 99;
const MAX_TOPIC_NAME_LENGTH = 40;
/** Below this a headline fragment says nothing, so the subject ends after the count. */
const MIN_TITLE_LENGTH = 12;

export interface SubjectInput {
  topicName: string;
  mode: AlertMode;
  /** How many matches the email lists in total (including those behind "and N more"). */
  count: number;
  /** The headline that leads the email. */
  leadTitle: string;
}

/** `[fundwatch] Ukraine fund: 3 new — NATO allies back €100bn plan` (daily: `… daily: 3 new — …`). */
export function renderSubject(input: SubjectInput): string {
  // Slicing first keeps a megabyte headline from costing anything; only 99 units survive anyway.
  const topic = cutText(cleanLine(input.topicName.slice(0, 400)) || 'Topic', MAX_TOPIC_NAME_LENGTH);
  const head = `[fundwatch] ${topic}${input.mode === 'daily' ? ' daily' : ''}: ${input.count} new`;
  const title = cleanLine(input.leadTitle.slice(0, 400));
  const separator = ' — ';
  const room = MAX_SUBJECT_LENGTH - head.length - separator.length;
  const subject = title && room >= MIN_TITLE_LENGTH ? `${head}${separator}${cutText(title, room)}` : head;
  // Only reachable with an absurd topic name and count; never hand SNS an invalid subject.
  return cutText(subject, MAX_SUBJECT_LENGTH);
}
