/**
 * Text search folding: readers type "Zelenskyj" or "zelenskyj" and expect "Zełenśkyj" to match, so
 * both sides are compared case- and diacritic-insensitively. NFKD separates most accents from
 * their letters; the letters it cannot split (ł, ø, đ, ß, æ, œ) are folded by hand because
 * Polish, German and French are among the languages we monitor.
 */

const EXTRA_FOLDS: Record<string, string> = { ł: 'l', ø: 'o', đ: 'd', ß: 'ss', æ: 'ae', œ: 'oe', ı: 'i', ħ: 'h', þ: 'th' };
const EXTRA = new RegExp(`[${Object.keys(EXTRA_FOLDS).join('')}]`, 'gu');

export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(EXTRA, (c) => EXTRA_FOLDS[c] ?? c)
    .replace(/\s+/gu, ' ');
}

/** The folded words of a search: every one of them must occur for an item to match. */
export function searchTerms(q: string): string[] {
  return [...new Set(foldText(q).split(' ').filter((t) => t.length > 0))];
}

export function matchesTerms(terms: readonly string[], ...fields: readonly string[]): boolean {
  if (terms.length === 0) return true;
  const haystack = foldText(fields.join(' \u0000 '));
  return terms.every((term) => haystack.includes(term));
}
