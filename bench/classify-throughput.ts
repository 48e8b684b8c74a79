/**
 * Items per second for the default classifier on one core, over the dev set (read from the
 * team handbook beside the repo) repeated until the run lasts a few seconds.
 * Run: node bin/run-ts.mjs bench/classify-throughput.ts [path/to/items.jsonl]
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createClassifier } from '#shared/classify/classifier.ts';
import { defaultTopicPack } from '#shared/classify/topic-pack.ts';

const file = process.argv[2] ?? resolve(import.meta.dirname, '../../shared/eval/dev.jsonl');
const items = readFileSync(file, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as { title: string; summary: string; lang?: string });

const started = performance.now();
const classifier = createClassifier(defaultTopicPack());
const compileMs = performance.now() - started;

const run = (rounds: number) => {
  let labels = 0;
  for (let r = 0; r < rounds; r++) for (const item of items) labels += classifier.classify(item).labels.length;
  return labels;
};
run(20); // warm-up so the JIT has compiled the hot path

const rounds = 400;
const t0 = performance.now();
run(rounds);
const seconds = (performance.now() - t0) / 1000;
const perSecond = Math.round((rounds * items.length) / seconds);
console.log(`pack compiled in ${compileMs.toFixed(1)} ms; ${rounds * items.length} items in ${seconds.toFixed(2)} s = ${perSecond} items/s`);
