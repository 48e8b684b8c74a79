/** Items counted by language code, e.g. `{ sv: 3, tr: 1 }`: the "language not covered" counts. */
export type LanguageTally = Record<string, number>;

export function countLanguage(tally: LanguageTally, lang: string): void {
  tally[lang] = (tally[lang] ?? 0) + 1;
}

/** The sum of two tallies, as a new tally with its languages in alphabetical order. */
export function addTallies(a: LanguageTally, b: LanguageTally): LanguageTally {
  const sum: LanguageTally = {};
  for (const lang of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) sum[lang] = (a[lang] ?? 0) + (b[lang] ?? 0);
  return sum;
}

export function tallyTotal(tally: LanguageTally): number {
  let total = 0;
  for (const n of Object.values(tally)) total += n;
  return total;
}
