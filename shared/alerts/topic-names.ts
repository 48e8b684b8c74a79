import type { TopicId } from '#shared/model.ts';
import type { TopicTitle } from './render-email.ts';
import { humaniseTopic } from './text.ts';

/** Display names from a topic pack (structurally, so this needs nothing from the classifier). */
export function topicTitlesFrom(pack: { topics: readonly { id: string; title: string }[] }): TopicTitle {
  const titles = new Map(pack.topics.map((t) => [t.id, t.title]));
  return (topic: TopicId) => titles.get(topic) ?? humaniseTopic(topic);
}

/**
 * Both names a rendered email uses: the pack's title for the body, its short title (else the
 * title) for the subject, which has under 100 characters to share with the lead headline.
 */
export function topicNamesFrom(pack: {
  topics: readonly { id: string; title: string; shortTitle?: string | undefined }[];
}): { topicTitle: TopicTitle; topicShortTitle: TopicTitle } {
  const short = new Map(pack.topics.map((t) => [t.id, t.shortTitle ?? t.title]));
  return { topicTitle: topicTitlesFrom(pack), topicShortTitle: (topic: TopicId) => short.get(topic) ?? humaniseTopic(topic) };
}

export const topicIdsOf = (pack: { topics: readonly { id: string }[] }): TopicId[] => pack.topics.map((t) => t.id);
