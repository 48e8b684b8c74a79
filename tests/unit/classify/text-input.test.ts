import { describe, expect, it } from 'vitest';
import { tokenize } from '#shared/classify/tokenize.ts';
import { foldWord } from '#shared/classify/morphology.ts';
import { classifier, labelsOf } from './classify-helpers.ts';

describe('input text', () => {
  it('classifies empty and whitespace-only items as not relevant', () => {
    expect(classifier.classify({ title: '', summary: '' })).toEqual({ labels: [], scores: {}, evidence: {} });
    expect(labelsOf('   ', '\n\t')).toEqual([]);
  });

  it('reads through HTML tags, entities and double-escaped entities', () => {
    const summary =
      '<p>The <b>alliance&#8217;s</b> proposed fund&nbsp;for <a href="https://x.example/ukraine">Ukraine</a> would run for five&amp;nbsp;years.</p><script>NATO Innovation Fund</script>';
    expect(labelsOf('Allies split on money plan', summary)).toEqual(['ukraine-fund']);
  });

  it('quotes evidence as written, not as folded', () => {
    const { evidence } = classifier.classify({ title: 'Nato-Gipfel: Bündnis sagt Kiew 40 Milliarden Euro zu', summary: '' });
    expect(evidence['ukraine-fund']).toContain("concept:fund-amount ← '40 Milliarden'");
  });

  it('keeps acronyms apart from ordinary words: "US" is the United States, "us" is not', () => {
    expect(labelsOf('US sends more weapons to Ukraine', '')).toEqual(['us-aid']);
    expect(labelsOf('Ukraine tells us it needs more weapons sent', '')).toEqual([]);
  });

  it('splits hyphens and Latin apostrophes but keeps Ukrainian apostrophes inside words', () => {
    expect(tokenize("l'Otan's multi-year зобов'язання 2.5% €100bn").map((t) => t.word)).toEqual([
      'l', 'otan', 's', 'multi', 'year', 'зобовязання', '2.5', '%', '€', '100', 'bn',
    ]);
  });

  it('folds diacritics and Polish ł so writers who drop them still match', () => {
    expect(foldWord('Kijów')).toBe(foldWord('Kijow'));
    expect(foldWord('Złoty')).toBe('zloty');
    expect(foldWord('Bündnis')).toBe('bundnis');
  });
});
