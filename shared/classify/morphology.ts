/**
 * Word forms: how a token and a pack term are folded to one comparable spelling, and how a
 * term's `stem*` / `*ending` / ACRONYM syntax becomes a token pattern. Ukrainian and Polish
 * inflect heavily and German glues words together, so a pack names stems and compound tails
 * instead of listing every form.
 */

export type PatternKind = 'exact' | 'prefix' | 'suffix';

export interface TokenPattern {
  kind: PatternKind;
  /** Folded text: the whole word, the stem, or the tail. */
  text: string;
  /** Written in capitals in the pack ("US", "UN"): only matches capitalised tokens, so "us" and French "un" do not. */
  caseSensitive: boolean;
}

const COMBINING_MARK = /\p{M}/gu;
const APOSTROPHE = /['’ʼ]/g;
const NON_ASCII = /[^\x00-\x7f]/;
// Letters NFKD leaves alone but that writers often type without their diacritic anyway.
const EXTRA_FOLDS: Record<string, string> = { ł: 'l', ß: 'ss', ø: 'o', æ: 'ae', œ: 'oe', ґ: 'г', đ: 'd' };
const EXTRA_FOLD_CHARS = new RegExp(`[${Object.keys(EXTRA_FOLDS).join('')}]`, 'g');

/** Lower case without diacritics or in-word apostrophes: "Київ" and "Києві" share "киів"/"києв" stems, "Kijów" = "kijow". */
export function foldWord(word: string): string {
  const lower = word.toLowerCase();
  if (!NON_ASCII.test(lower) && !lower.includes("'")) return lower;
  return lower
    .normalize('NFKD')
    .replace(COMBINING_MARK, '')
    .replace(APOSTROPHE, '')
    .replace(EXTRA_FOLD_CHARS, (ch) => EXTRA_FOLDS[ch] ?? ch);
}

const HAS_LETTER = /\p{L}/u;

export function isCapitalised(word: string): boolean {
  return HAS_LETTER.test(word) && word === word.toUpperCase() && word !== word.toLowerCase();
}

/**
 * One word of a pack term: `ukrain*` is a stem, `*hilfe` a compound tail, anything else an exact
 * word (English-style plurals in -s/-es are accepted for words of four letters or more, see
 * concept-matcher). `caseSensitive` comes from the term being written in capitals ("US", "UN").
 */
export function parseTermWord(word: string, caseSensitive: boolean): TokenPattern {
  const prefix = word.length > 1 && word.endsWith('*');
  const suffix = !prefix && word.length > 1 && word.startsWith('*');
  const bare = prefix ? word.slice(0, -1) : suffix ? word.slice(1) : word;
  return { kind: prefix ? 'prefix' : suffix ? 'suffix' : 'exact', text: foldWord(bare), caseSensitive };
}

/** Plural endings accepted on exact words: "pledge" matches "pledges", "cumbre" matches "cumbres". */
export const PLURAL_ENDINGS = ['s', 'es'] as const;
export const MIN_PLURAL_BASE = 4;
