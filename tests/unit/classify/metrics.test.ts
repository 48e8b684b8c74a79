import { describe, expect, it } from 'vitest';
import { evaluate, evaluateByLanguage, scoresFrom, UNDETERMINED_LANGUAGE } from '#shared/classify/metrics.ts';

describe('metrics', () => {
  it('computes precision, recall and F1 from counts', () => {
    const s = scoresFrom({ tp: 3, fp: 1, fn: 2 });
    expect(s.precision).toBeCloseTo(0.75);
    expect(s.recall).toBeCloseTo(0.6);
    expect(s.f1).toBeCloseTo((2 * 0.75 * 0.6) / 1.35);
    expect(s.support).toBe(5);
  });

  it('scores an empty ratio as 1 only when nothing was wrong', () => {
    expect(scoresFrom({ tp: 0, fp: 0, fn: 0 }).f1).toBe(1);
    expect(scoresFrom({ tp: 0, fp: 0, fn: 2 }).precision).toBe(0);
  });

  it('evaluates per label, micro, macro, relevance and lists misclassified items', () => {
    const report = evaluate(
      [
        { id: 'a', gold: ['x'], predicted: ['x'] },
        { id: 'b', gold: ['x', 'y'], predicted: ['x'] },
        { id: 'c', gold: [], predicted: ['y'] },
        { id: 'd', gold: ['y'], predicted: [] },
        { id: 'e', gold: [], predicted: [] },
      ],
      ['x', 'y'],
    );
    expect(report.items).toBe(5);
    expect(report.perLabel.x).toMatchObject({ tp: 2, fp: 0, fn: 0, f1: 1 });
    expect(report.perLabel.y).toMatchObject({ tp: 0, fp: 1, fn: 2, f1: 0 });
    expect(report.micro).toMatchObject({ tp: 2, fp: 1, fn: 2 });
    expect(report.micro.f1).toBeCloseTo(4 / 7);
    expect(report.macro.f1).toBeCloseTo(0.5);
    expect(report.relevance).toMatchObject({ tp: 2, fp: 1, fn: 1 });
    expect(report.misclassified).toEqual([
      { id: 'b', missing: ['y'], extra: [] },
      { id: 'c', missing: [], extra: ['y'] },
      { id: 'd', missing: ['y'], extra: [] },
    ]);
  });

  it('adds labels that appear only in the data', () => {
    const report = evaluate([{ id: 'a', gold: ['z'], predicted: [] }], ['x']);
    expect(Object.keys(report.perLabel)).toEqual(['x', 'z']);
    expect(report.perLabel.z!.recall).toBe(0);
  });

  it('scores each language on its own items, largest language first, ties by code', () => {
    const byLanguage = evaluateByLanguage(
      [
        { id: 'h1', lang: 'hu', gold: ['x'], predicted: [] },
        { id: 'e1', lang: 'en', gold: ['x'], predicted: ['x'] },
        { id: 'e2', lang: 'en', gold: [], predicted: ['y'] },
        { id: 'e3', lang: 'en', gold: [], predicted: [] },
        { id: 'c1', lang: 'cs', gold: ['y'], predicted: ['y'] },
      ],
      ['x', 'y'],
    );
    expect(Object.keys(byLanguage)).toEqual(['en', 'cs', 'hu']);
    expect(byLanguage.en).toMatchObject({ items: 3, micro: { tp: 1, fp: 1, fn: 0 }, relevance: { tp: 1, fp: 1, fn: 0 } });
    expect(byLanguage.en!.micro.precision).toBeCloseTo(0.5);
    expect(byLanguage.hu).toMatchObject({ items: 1, micro: { tp: 0, fp: 0, fn: 1, recall: 0 }, relevance: { recall: 0 } });
    expect(byLanguage.cs!.micro.f1).toBe(1);
  });

  it('groups items without a language under "und"', () => {
    const byLanguage = evaluateByLanguage(
      [
        { id: 'a', gold: ['x'], predicted: ['x'] },
        { id: 'b', lang: '  ', gold: [], predicted: ['x'] },
        { id: 'c', lang: 'de', gold: [], predicted: [] },
      ],
      ['x'],
    );
    expect(Object.keys(byLanguage)).toEqual([UNDETERMINED_LANGUAGE, 'de']);
    expect(byLanguage[UNDETERMINED_LANGUAGE]).toMatchObject({ items: 2, micro: { tp: 1, fp: 1, fn: 0 } });
  });
});
