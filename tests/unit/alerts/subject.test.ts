import { describe, expect, it } from 'vitest';
import { MAX_SUBJECT_LENGTH, renderSubject } from '#shared/alerts/subject.ts';
import { cutText, cutToBytes } from '#shared/alerts/text.ts';

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function assertValidSubject(subject: string) {
  expect(subject.length).toBeLessThan(100);
  expect(subject).not.toMatch(CONTROL);
  expect(subject).not.toMatch(BIDI);
  expect(subject).not.toMatch(LONE_SURROGATE);
  // Round-trips through UTF-8 unchanged: nothing SNS would reject as invalid.
  expect(Buffer.from(subject, 'utf8').toString('utf8')).toBe(subject);
}

const subject = (leadTitle: string, extra: Partial<Parameters<typeof renderSubject>[0]> = {}) =>
  renderSubject({ topicName: 'Ukraine fund', mode: 'instant', count: 3, leadTitle, ...extra });

describe('alert subject', () => {
  it('names the topic, the count and the lead headline', () => {
    expect(subject('NATO allies back €100bn plan')).toBe('[fundwatch] Ukraine fund: 3 new — NATO allies back €100bn plan');
    expect(subject('NATO allies back €100bn plan', { mode: 'daily', count: 12 })).toBe(
      '[fundwatch] Ukraine fund daily: 12 new — NATO allies back €100bn plan',
    );
  });

  it('turns newlines and control characters into nothing worse than a space', () => {
    const s = subject('NATO\r\nBcc: victim@example.org\u0000\u0007\tplan\u2028end');
    assertValidSubject(s);
    expect(s).toBe('[fundwatch] Ukraine fund: 3 new — NATO Bcc: victim@example.org plan end');
  });

  it('drops bidi overrides and marks that could reorder what the reader sees', () => {
    const s = subject('\u202eevil\u202c \u200fמימון נאט״ו לאוקראינה\u200e \u2066x\u2069');
    assertValidSubject(s);
    expect(s).toContain('מימון נאט״ו לאוקראינה');
  });

  it('cuts a 500-character title under 100 characters at a word boundary with an ellipsis', () => {
    const s = subject('Allies '.repeat(72).trim());
    assertValidSubject(s);
    expect(s.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(s.endsWith('Allies…')).toBe(true);
  });

  it('never splits an emoji, a flag or a family sequence', () => {
    for (let pad = 0; pad < 12; pad++) {
      const s = subject(`${'x'.repeat(40 + pad)} ${'🇺🇦👨‍👩‍👧‍👦🚀'.repeat(20)}`);
      assertValidSubject(s);
      const body = s.slice(s.indexOf('— ') + 2, -1);
      // Whatever survived is whole sequences only.
      expect(body.replace(/x+ ?/, '')).toMatch(/^(🇺🇦|👨‍👩‍👧‍👦|🚀)*$/u);
    }
  });

  it('survives a title made only of hostile characters and a hostile topic name', () => {
    assertValidSubject(subject('\u0000\u202e\n\r\t'));
    expect(subject('\u0000\u202e\n\r\t')).toBe('[fundwatch] Ukraine fund: 3 new');
    assertValidSubject(renderSubject({ topicName: `${'T'.repeat(300)}\n`, mode: 'daily', count: 123456, leadTitle: 'x'.repeat(300) }));
    assertValidSubject(subject('\ud83d lone high surrogate and lone low \ude00'));
  });
});

describe('text cutting', () => {
  it('keeps combining accents with their letter', () => {
    const text = `${'a'.repeat(8)}e\u0301e\u0301e\u0301`;
    // A cut by code units at 9 would keep the "e" and drop its accent.
    expect(cutText(text, 10)).toBe('aaaaaaaa…');
    expect(cutText(text, 11)).toBe('aaaaaaaae\u0301…');
  });

  it('cuts to a byte budget without producing invalid UTF-8', () => {
    const text = '€'.repeat(100) + '🇺🇦'.repeat(100);
    for (const budget of [10, 101, 302, 303, 304, 305, 306, 307]) {
      const cut = cutToBytes(text, budget);
      expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(budget);
      expect(cut).not.toMatch(LONE_SURROGATE);
    }
  });
});
