import { parseConfig } from '#shared/config/load.ts';
import type { Config } from '#shared/config/schema.ts';
import { createClassifier } from '#shared/classify/classifier.ts';
import { defaultTopicPack } from '#shared/classify/topic-pack.ts';
import { createPollDeps } from '#shared/pipeline/poll-deps.ts';
import type { PollDeps } from '#shared/pipeline/poll-cycle.ts';
import type { MatchStore } from '#shared/store/ports.ts';

/** fundwatch as the benchmark runs it: the bench's feeds on loopback, every other setting at its default. */
export function benchPollConfig(urls: readonly string[]): Config {
  return parseConfig({ feeds: urls.map((url, i) => ({ url, name: `Bench Desk ${i}` })), fetch: { allowPrivateHosts: ['127.0.0.1'] } });
}

/** The real pipeline ports around `store`; the classifier is built here, once, outside any timed cycle. */
export function benchPollDeps(store: MatchStore): PollDeps {
  return createPollDeps(store, createClassifier(defaultTopicPack()));
}
