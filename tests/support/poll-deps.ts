import { createClassifier } from '#shared/classify/classifier.ts';
import { defaultTopicPack } from '#shared/classify/topic-pack.ts';
import { fetchFeed } from '#shared/fetch/fetch-feed.ts';
import { parseFeed } from '#shared/feed/parse-feed.ts';
import { createDuplicateFinder } from '#shared/alerts/near-duplicates.ts';
import type { MatchStore } from '#shared/store/ports.ts';
import type { PollDeps } from '#shared/pipeline/poll-cycle.ts';

/** The real adapters of a poll cycle around a given store. */
export function realPollDeps(store: MatchStore, overrides: Partial<PollDeps> = {}): PollDeps {
  return {
    store,
    fetchFeed,
    parseFeed,
    classifier: createClassifier(defaultTopicPack()),
    duplicateFinder: createDuplicateFinder,
    ...overrides,
  };
}
