import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateText } from '#cli/commands/eval.ts';
import { classifier, devSetPath } from './classify-helpers.ts';

// Quality floor on the labelled dev set (see docs/classifier.md for how it was built without
// memorising these items, and for the held-out slice).
describe('dev set quality', () => {
  const result = evaluateText(classifier, readFileSync(devSetPath, 'utf8'));

  it('reads every dev item', () => {
    expect(result.skipped).toEqual([]);
    expect(result.items).toBe(260);
  });

  it('keeps micro-F1 at or above 0.93', () => {
    expect(result.micro.f1).toBeGreaterThanOrEqual(0.93);
  });

  it('keeps relevance precision at or above 0.97 and recall at or above 0.93', () => {
    expect(result.relevance.precision).toBeGreaterThanOrEqual(0.97);
    expect(result.relevance.recall).toBeGreaterThanOrEqual(0.93);
  });

  it.each(classifier.topics)('keeps F1 of %s at or above 0.88', (label) => {
    expect(result.perLabel[label]!.f1).toBeGreaterThanOrEqual(0.88);
  });
});
