import { describe, expect, it } from 'vitest';
import { storedEvidence } from '#shared/pipeline/stored-evidence.ts';

describe('the evidence a stored match keeps', () => {
  const evidence = {
    'ukraine-fund': [
      'rule:alliance-fund-for-ukraine',
      'rule:signature-sum',
      "concept:fund-word ← 'fund'",
      "concept:nato ← 'Stoltenberg' (via nato-chief)",
      "concept:nato-chief ← 'Stoltenberg'",
      "concept:ukraine ← 'Kyiv'",
      "concept:fund-amount ← '€100bn'",
      "concept:multi-year ← 'five-year'",
    ],
    'nato-meetings': ['rule:alliance-ministers', "concept:ministers ← 'ministers'"],
    'defense-industry': ['veto:innovation-fund ← \'Innovation Fund\''],
  };

  it('keeps, per labelled topic, the deciding rule and the first four distinct phrases', () => {
    expect(storedEvidence(evidence, ['ukraine-fund'])).toEqual({
      'ukraine-fund': [
        'rule:alliance-fund-for-ukraine',
        "concept:fund-word ← 'fund'",
        "concept:nato ← 'Stoltenberg'",
        "concept:ukraine ← 'Kyiv'",
        "concept:fund-amount ← '€100bn'",
      ],
    });
  });

  it('drops the evidence of topics the match is not labelled with', () => {
    expect(Object.keys(storedEvidence(evidence, ['nato-meetings', 'ukraine-fund'])).sort()).toEqual(['nato-meetings', 'ukraine-fund']);
  });

  it('keeps the deciding sentence by name only, after the rule (the summary is stored anyway)', () => {
    const withSentence = {
      'nato-meetings': [
        'rule:alliance-ministers',
        'rule:leaders-decide',
        "sentence:2 ← 'NATO defence ministers met in Brussels'",
        "sentence:3 ← 'Leaders will decide in July'",
        "concept:ministers ← 'ministers'",
      ],
    };
    expect(storedEvidence(withSentence, ['nato-meetings'])).toEqual({
      'nato-meetings': ['rule:alliance-ministers', 'sentence:2', "concept:ministers ← 'ministers'"],
    });
  });

  it('keeps a topic with no evidence as an empty list', () => {
    expect(storedEvidence({}, ['us-aid'])).toEqual({ 'us-aid': [] });
  });
});
