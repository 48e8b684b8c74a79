import { createClassifier } from '#shared/classify/classifier.ts';
import { defaultTopicPack } from '#shared/classify/topic-pack.ts';
import type { DevExample } from '../lib/feeds.ts';
import { median } from '../lib/stats.ts';

/**
 * Classifier throughput on one core: the dev set repeated, after a warm-up, timed in several
 * rounds (median reported). The baseline is the naive poller's keyword regex over the same
 * title + summary strings: the lower bound of what "classifying" can cost.
 */

export interface ClassifierResult {
  devItems: number;
  itemsPerRound: number;
  rounds: number;
  itemsPerSecond: number;
  itemsPerSecondRounds: number[];
  regexItemsPerSecond: number;
  regexItemsPerSecondRounds: number[];
  labelled: number;
  regexMatched: number;
}

export function runClassifierScenario(dev: readonly DevExample[], options: { repeats: number; rounds: number }): ClassifierResult {
  const classifier = createClassifier(defaultTopicPack());
  const inputs = dev.map((d) => ({ title: d.title, summary: d.summary, ...(d.lang ? { lang: d.lang } : {}) }));
  const regex = /nato|ukraine|fund|aid/i;
  let sink = 0;
  let labelled = 0;
  let regexMatched = 0;

  const classifyRound = () => {
    const started = performance.now();
    for (let r = 0; r < options.repeats; r++) for (const input of inputs) sink += classifier.classify(input).labels.length;
    return (options.repeats * inputs.length) / ((performance.now() - started) / 1000);
  };
  const regexRound = () => {
    const started = performance.now();
    for (let r = 0; r < options.repeats; r++) for (const input of inputs) if (regex.test(input.title) || regex.test(input.summary)) sink++;
    return (options.repeats * inputs.length) / ((performance.now() - started) / 1000);
  };

  for (const input of inputs) {
    if (classifier.classify(input).labels.length > 0) labelled++;
    if (regex.test(input.title) || regex.test(input.summary)) regexMatched++;
  }
  // Warm-up: let V8 optimise both loops before any timing.
  classifyRound();
  regexRound();
  const classifyRates: number[] = [];
  const regexRates: number[] = [];
  for (let i = 0; i < options.rounds; i++) {
    classifyRates.push(classifyRound());
    regexRates.push(regexRound());
  }
  if (sink < 0) throw new Error('unreachable');
  return {
    devItems: inputs.length,
    itemsPerRound: options.repeats * inputs.length,
    rounds: options.rounds,
    itemsPerSecond: median(classifyRates),
    itemsPerSecondRounds: classifyRates,
    regexItemsPerSecond: median(regexRates),
    regexItemsPerSecondRounds: regexRates,
    labelled,
    regexMatched,
  };
}
