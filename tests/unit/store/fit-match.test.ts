import { describe, expect, it } from 'vitest';
import { aMatch } from '#tests/support/matches.ts';
import { itemSize, valueSize } from '#shared/store/item-size.ts';
import { cutToBytes, fitMatch } from '#shared/store/fit-match.ts';
import type { Match } from '#shared/model.ts';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
const sizeOf = (m: Match) => itemSize({ ...m });

describe('DynamoDB item sizes', () => {
  it('counts attribute names and values by the documented rules', () => {
    expect(valueSize('abc')).toBe(3);
    expect(valueSize('Київ')).toBe(8);
    expect(valueSize(['ab', 'c'])).toBe(3 + (1 + 2) + (1 + 1));
    expect(valueSize({ a: 1 })).toBe(3 + 1 + 1 + 2);
    expect(valueSize(12345)).toBe(4);
    expect(valueSize(true)).toBe(1);
    expect(valueSize(new Set(['ab', 'c']))).toBe(3 + 3);
    expect(itemSize({ pk: 'ITEM#a', sk: 'ITEM', gone: undefined })).toBe(2 + 6 + 2 + 4);
  });
});

describe('cutToBytes', () => {
  it('cuts at a word, ellipsis included in the byte budget', () => {
    const text = 'NATO ministers weighed a five-year fund for Ukraine in Brussels on Thursday';
    const cut = cutToBytes(text, 40);
    expect(bytes(cut)).toBeLessThanOrEqual(40);
    expect(cut).toBe('NATO ministers weighed a five-year…');
  });

  it('counts multi-byte scripts in bytes and never splits a character', () => {
    const cyrillic = 'Міністри НАТО обговорили п’ятирічний фонд для України в Брюсселі';
    const cut = cutToBytes(cyrillic, 50);
    expect(bytes(cut)).toBeLessThanOrEqual(50);
    expect(cut.endsWith('…')).toBe(true);
    expect(cyrillic.startsWith(cut.slice(0, -1))).toBe(true);
    const emoji = '🇺🇦🇺🇦🇺🇦🇺🇦';
    const cutEmoji = cutToBytes(emoji, 13);
    expect(bytes(cutEmoji)).toBeLessThanOrEqual(13);
    expect(cutEmoji).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('leaves text that fits and gives up below the ellipsis', () => {
    expect(cutToBytes('short', 5)).toBe('short');
    expect(cutToBytes('longer text', 3)).toBe('');
  });
});

describe('fitMatch', () => {
  const long = aMatch({
    id: 'long',
    summary: 'The alliance would run the fund for five years. '.repeat(25),
    categories: ['World', 'Europe', 'Defence'],
  });

  it('returns a match that already fits unchanged', () => {
    const small = aMatch();
    expect(fitMatch(small, sizeOf, 1024)).toBe(small);
  });

  it('clips the summary at a word until the item fits, leaving everything else', () => {
    expect(sizeOf(long)).toBeGreaterThan(1024);
    const fitted = fitMatch(long, sizeOf, 1000);
    expect(sizeOf(fitted)).toBeLessThanOrEqual(1000);
    expect(sizeOf(fitted)).toBeGreaterThan(950);
    expect(fitted.summary).toMatch(/^The alliance would run the fund for five years\. .*[a-z]…$/);
    expect({ ...fitted, summary: long.summary }).toEqual(long);
    expect(long.summary.length).toBe(48 * 25);
  });

  it('is idempotent, so the poll cycle and the store can both apply it', () => {
    const once = fitMatch(long, sizeOf, 1000);
    expect(fitMatch(once, sizeOf, 1000)).toBe(once);
  });

  it('keeps a few lines of summary before it drops matched phrases, and every deciding rule', () => {
    const evidence = {
      'ukraine-fund': ['rule:alliance-fund-for-ukraine', 'sentence:1', "concept:fund-word ← 'fund'", "concept:nato ← 'NATO'", "concept:fund-amount ← '100-billion'"],
      'us-aid': ['rule:us-weapons-for-ukraine', "concept:us ← 'Pentagon'", "concept:weapons ← 'military aid'", 'veto:none'],
    };
    const rich = aMatch({ summary: 'The alliance would run the fund for five years. '.repeat(25), topics: ['ukraine-fund', 'us-aid'], evidence });
    const fitted = fitMatch(rich, sizeOf, 760);
    expect(sizeOf(fitted)).toBeLessThanOrEqual(760);
    expect(Buffer.byteLength(fitted.summary)).toBeGreaterThanOrEqual(190);
    expect(fitted.evidence['ukraine-fund']![0]).toBe('rule:alliance-fund-for-ukraine');
    expect(fitted.evidence['ukraine-fund']![1]).toBe('sentence:1');
    expect(fitted.evidence['us-aid']).toContain('rule:us-weapons-for-ukraine');
    expect(fitted.evidence['us-aid']).toContain('veto:none');
    const phrases = Object.values(fitted.evidence).flat().filter((e) => e.startsWith('concept:')).length;
    expect(phrases).toBeLessThan(5);
    expect(phrases).toBeGreaterThanOrEqual(2);
    // A looser budget keeps every phrase and more summary.
    const loose = fitMatch(rich, sizeOf, 900);
    expect(loose.evidence).toEqual(evidence);
    expect(loose.summary.length).toBeGreaterThan(fitted.summary.length);
  });

  it('then drops categories, and stores the rest larger rather than lose the title or gut the summary', () => {
    const huge = aMatch({
      title: 'Headline '.repeat(30),
      summary: 'Summary words. '.repeat(40),
      categories: ['A long category name', 'Another long category name'],
      link: `https://news.example.org/${'path/'.repeat(30)}`,
    });
    const fitted = fitMatch(huge, sizeOf, 700);
    expect(sizeOf(fitted)).toBeGreaterThan(700);
    expect(Buffer.byteLength(fitted.summary)).toBeGreaterThanOrEqual(180);
    expect(Buffer.byteLength(fitted.summary)).toBeLessThanOrEqual(200);
    expect(fitted.categories).toEqual([]);
    expect(fitted.title).toBe(huge.title);
    expect(fitted.link).toBe(huge.link);
    const withoutCategories = fitMatch({ ...huge, title: 'Headline' }, sizeOf, 700);
    expect(withoutCategories.categories.length).toBeLessThan(2);
    expect(sizeOf(withoutCategories)).toBeLessThanOrEqual(700);
  });

});
