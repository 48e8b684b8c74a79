import { foldWord } from './morphology.ts';

/**
 * Splits text into folded word tokens with their offsets in the original text (evidence quotes
 * the text as written). Numbers keep their decimal part ("2.5", "3,5"), currency and percent
 * signs are tokens of their own, hyphens and Latin apostrophes split words ("multi-year",
 * "l'Otan", "alliance's"), while a Ukrainian apostrophe stays inside its word ("зобов'язання").
 */
const TOKEN =
  /\d+(?:[.,]\d+)*|[\p{Script=Cyrillic}\p{M}]+(?:['’ʼ][\p{Script=Cyrillic}\p{M}]+)*|[\p{L}\p{M}\p{N}]+|[%€$£]/gu;

/** Units above this share the last one; the classifier only reads the first few (the lede). */
export const MAX_UNIT = 31;

/** Token storage reused from item to item, so classifying allocates little more than the words themselves. */
export class TokenBuffer {
  count = 0;
  starts = new Int32Array(256);
  ends = new Int32Array(256);
  capitalised = new Uint8Array(256);
  /** The token's unit: 0 = the headline, 1, 2, … = the sentences after it (see `tokenizeInto`). */
  units = new Uint8Array(256);
  /** Clause number, counted over the whole text: a new one starts at `;` `:` brackets, dashes and every unit. */
  clauses = new Int32Array(256);
  words: string[] = [];

  reset(): void {
    this.count = 0;
  }

  push(word: string, start: number, end: number, capitalised: boolean, unit = 0, clause = 0): void {
    if (this.count === this.starts.length) this.grow();
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.capitalised[this.count] = capitalised ? 1 : 0;
    this.units[this.count] = unit;
    this.clauses[this.count] = clause;
    this.words[this.count] = word;
    this.count++;
  }

  private grow(): void {
    const size = this.starts.length * 2;
    const starts = new Int32Array(size);
    const ends = new Int32Array(size);
    const capitalised = new Uint8Array(size);
    const units = new Uint8Array(size);
    const clauses = new Int32Array(size);
    starts.set(this.starts);
    ends.set(this.ends);
    capitalised.set(this.capitalised);
    units.set(this.units);
    clauses.set(this.clauses);
    this.starts = starts;
    this.ends = ends;
    this.capitalised = capitalised;
    this.units = units;
    this.clauses = clauses;
  }
}

/**
 * Words a full stop follows without ending the sentence: titles, units and month names in the
 * pack's languages ("Gen. Cavoli", "100 Mrd. Euro", "ген. Сирський", "Dec. 5"). Single letters
 * ("U.S.", "E.U.") are abbreviations too. Language mechanics like the token pattern, not topic
 * knowledge: a full stop missed here only joins two sentences, the behaviour before salience.
 */
const ABBREVIATIONS = new Set([
  'gen', 'lt', 'col', 'maj', 'capt', 'adm', 'sgt', 'cmdr', 'mr', 'mrs', 'ms', 'dr', 'prof', 'sen', 'rep', 'gov',
  'pres', 'st', 'jr', 'sr', 'no', 'nos', 'vs', 'inc', 'corp', 'approx', 'est', 'dept', 'jan', 'feb', 'mar', 'apr',
  'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'mme', 'mmes', 'mlle', 'env', 'nr', 'bzw', 'ca', 'mrd',
  'mio', 'tsd', 'abs', 'hr', 'ok', 'tys', 'mln', 'mld', 'godz', 'plk', 'ген', 'млрд', 'млн', 'тис', 'ст', 'див',
  'грн', 'дол', 'sra', 'dna', 'num', 'aprox',
]);

const FULL_STOP = 46;
const CLAUSE_MARKS = new Set([';', ':', '(', ')', '[', ']', '–', '—', '|']);

/**
 * What separates two tokens: 2 = a sentence ends (a full stop, `!`, `?` or `…` then a space,
 * before a capital or a digit; or a line break), 1 = a clause ends, 0 = neither. Decimals
 * ("€1.5bn") never reach here: a number's decimal part is inside its token.
 */
function separation(text: string, from: number, to: number, before: string, next: string): 0 | 1 | 2 {
  let ender = -1;
  let clause = false;
  for (let k = from; k < to; k++) {
    const ch = text[k]!;
    if (ch === '\n') return 2;
    if (ch === '.' || ch === '!' || ch === '?' || ch === '…') {
      if (ender === -1) ender = ch.charCodeAt(0);
    } else if (ender !== -1 && (ch === ' ' || ch === '\t' || ch === '\u00a0')) {
      const startsSentence = next !== next.toLowerCase() || (next.charCodeAt(0) >= 48 && next.charCodeAt(0) <= 57);
      if (!startsSentence) return 1;
      if (ender === FULL_STOP && (before.length === 1 || ABBREVIATIONS.has(foldWord(before)))) return 0;
      return 2;
    } else if (CLAUSE_MARKS.has(ch) || (ch === '-' && k > from && k + 1 < to && text[k - 1] === ' ' && text[k + 1] === ' ')) {
      clause = true;
    }
  }
  return clause ? 1 : 0;
}

/**
 * Tokens of `text` with their units: the first `headlineEnd` characters are the headline (unit
 * 0, never split), the rest is split into sentences numbered from 1. Without a headline the
 * first sentence is unit 1.
 */
export function tokenizeInto(text: string, into: TokenBuffer, headlineEnd = 0): void {
  into.reset();
  TOKEN.lastIndex = 0;
  let unit = 0;
  let clause = 0;
  let previousEnd = -1;
  let previousRaw = '';
  for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
    const raw = m[0];
    if (m.index >= headlineEnd) {
      if (unit === 0) {
        unit = 1;
        clause++;
      } else {
        const gap = separation(text, previousEnd, m.index, previousRaw, raw);
        if (gap === 2 && unit < MAX_UNIT) unit++;
        if (gap !== 0) clause++;
      }
    } else if (previousEnd !== -1 && separation(text, previousEnd, m.index, previousRaw, raw) !== 0) {
      clause++;
    }
    // "Capitalised" means no lower-case letter, so digits in "G7" or "G-7" satisfy a capitals-only term.
    into.push(foldWord(raw), m.index, m.index + raw.length, raw === raw.toUpperCase(), unit, clause);
    previousEnd = m.index + raw.length;
    previousRaw = raw;
  }
}

export interface Token {
  word: string;
  raw: string;
  start: number;
  end: number;
  capitalised: boolean;
}

/** Convenience form for loading terms and for tests; the hot path uses `tokenizeInto`. */
// Shared by every call: tokenize() copies the tokens out before it returns.
const scratch = new TokenBuffer();

export function tokenize(text: string): Token[] {
  const buffer = scratch;
  tokenizeInto(text, buffer);
  const tokens: Token[] = [];
  for (let i = 0; i < buffer.count; i++) {
    const start = buffer.starts[i]!;
    const end = buffer.ends[i]!;
    tokens.push({ word: buffer.words[i]!, raw: text.slice(start, end), start, end, capitalised: buffer.capitalised[i] === 1 });
  }
  return tokens;
}
