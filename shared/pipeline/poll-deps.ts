import type { Classifier } from '#shared/model.ts';
import type { MatchStore } from '#shared/store/ports.ts';
import { fetchFeed } from '#shared/fetch/fetch-feed.ts';
import { parseFeed } from '#shared/feed/parse-feed.ts';
import { createDuplicateFinder } from '#shared/alerts/near-duplicates.ts';
import type { PollDeps } from './poll-cycle.ts';

/** The production adapters of a poll cycle around a store and a classifier: one wiring for every runner. */
export function createPollDeps(store: MatchStore, classifier: Classifier): PollDeps {
  return { store, fetchFeed, parseFeed, classifier, duplicateFinder: createDuplicateFinder };
}
