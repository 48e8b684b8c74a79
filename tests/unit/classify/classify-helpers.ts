import { resolve } from 'node:path';
import { createClassifier } from '#shared/classify/classifier.ts';
import { defaultTopicPack } from '#shared/classify/topic-pack.ts';

export const repoRoot = resolve(import.meta.dirname, '../../..');
export const devSetPath = resolve(repoRoot, '../shared/eval/dev.jsonl');

export const classifier = createClassifier(defaultTopicPack());

export function labelsOf(title: string, summary = '', lang?: string): string[] {
  return classifier.classify({ title, summary, lang }).labels;
}

/** One example sentence pair with the labels the labeling guide gives it. */
export interface Example {
  title: string;
  summary?: string;
  lang?: string;
  labels: string[];
}
