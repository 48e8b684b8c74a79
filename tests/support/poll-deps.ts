import { createClassifier } from '#shared/classify/classifier.ts';
import { defaultTopicPack } from '#shared/classify/topic-pack.ts';
import { createPollDeps } from '#shared/pipeline/poll-deps.ts';
import type { MatchStore } from '#shared/store/ports.ts';
import type { PollDeps } from '#shared/pipeline/poll-cycle.ts';

/** The real adapters of a poll cycle around a given store, with the default pack. */
export function realPollDeps(store: MatchStore, overrides: Partial<PollDeps> = {}): PollDeps {
  return { ...createPollDeps(store, createClassifier(defaultTopicPack())), ...overrides };
}
