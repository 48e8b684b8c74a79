import { describe, expect, it } from 'vitest';
import { loadTopicPack } from '#shared/classify/topic-pack.ts';
import { feedbackEvalLines, findRegressions } from '#shared/feedback/feedback-eval.ts';
import type { LabelledMatch } from '#shared/feedback/ports.ts';
import { evaluateFeedback, formatRegressions } from '#cli/eval-feedback.ts';

const FUND_TEXT = { title: 'NATO allies weigh a 100-billion-euro five-year fund for Ukraine', summary: 'The Secretary General proposes the fund to make military aid to Kyiv predictable.' };

function labelled(itemId: string, verdict: 'not-relevant' | 'topics', topics: string[] | undefined, storedTopics: string[], text = FUND_TEXT): LabelledMatch {
  return { feedback: { itemId, verdict, ...(topics ? { topics } : {}), at: '2024-05-01T10:00:00.000Z' }, ...text, lang: 'en', storedTopics };
}

describe('regressions: rejected labels the pack gives again', () => {
  it('for "not relevant", any label; for corrected topics, only a stored topic the analyst removed', () => {
    const items = [
      labelled('a-rejected', 'not-relevant', undefined, ['ukraine-fund']),
      labelled('b-removed', 'topics', ['us-aid'], ['ukraine-fund', 'us-aid']),
      // The pack adds nato-mission, which nobody rejected: a misclassification, not a regression.
      labelled('c-added', 'topics', ['ukraine-fund'], ['ukraine-fund']),
      labelled('d-agreed', 'topics', ['ukraine-fund'], ['ukraine-fund']),
    ];
    const predicted = new Map([
      ['a-rejected', ['ukraine-fund']],
      ['b-removed', ['ukraine-fund', 'us-aid']],
      ['c-added', ['nato-mission', 'ukraine-fund']],
      ['d-agreed', ['ukraine-fund']],
    ]);
    expect(findRegressions(items, predicted).map((r) => [r.itemId, r.labels])).toEqual([
      ['a-rejected', ['ukraine-fund']],
      ['b-removed', ['ukraine-fund']],
    ]);
    expect(findRegressions(items, new Map())).toEqual([]);
  });

  it('turns labels into eval items: "not relevant" is the empty label set, in id order', () => {
    const lines = feedbackEvalLines([labelled('z', 'topics', ['us-aid'], []), labelled('a', 'not-relevant', undefined, [])]).split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.id, l.labels, l.lang])).toEqual([['a', [], 'en'], ['z', ['us-aid'], 'en']]);
  });

  it('scores the default pack with the eval metrics and finds the regression', async () => {
    const pack = await loadTopicPack('default');
    const result = evaluateFeedback(pack, [
      labelled('rejected', 'not-relevant', undefined, ['ukraine-fund']),
      labelled('fine', 'not-relevant', undefined, ['us-aid'], { title: 'Parliament debates fishing quotas', summary: 'Nothing on defence.' }),
    ]);
    expect(result.items).toBe(2);
    expect(result.relevance).toMatchObject({ tp: 0, fp: 1, fn: 0 });
    expect(result.misclassified.map((m) => m.id)).toEqual(['rejected']);
    expect(result.regressions).toMatchObject([{ itemId: 'rejected', labels: ['ukraine-fund'], verdict: 'not-relevant' }]);
    expect(formatRegressions(result.regressions)).toContain('regressions: 1');
    expect(formatRegressions([])).toBe('regressions: 0 (no rejected label comes back)\n');
  });
});
