import { foldWord } from './morphology.ts';

/**
 * Splits text into folded word tokens with their offsets in the original text (evidence quotes
 * the text as written). Numbers keep their decimal part ("2.5", "3,5"), currency and percent
 * signs are tokens of their own, hyphens and Latin apostrophes split words ("multi-year",
 * "l'Otan", "alliance's"), while a Ukrainian apostrophe stays inside its word ("зобов'язання").
 */
const TOKEN =
  /\d+(?:[.,]\d+)*|[\p{Script=Cyrillic}\p{M}]+(?:['’ʼ][\p{Script=Cyrillic}\p{M}]+)*|[\p{L}\p{M}\p{N}]+|[%€$£]/gu;

/** Token storage reused from item to item, so classifying allocates little more than the words themselves. */
export class TokenBuffer {
  count = 0;
  starts = new Int32Array(256);
  ends = new Int32Array(256);
  capitalised = new Uint8Array(256);
  words: string[] = [];

  reset(): void {
    this.count = 0;
  }

  push(word: string, start: number, end: number, capitalised: boolean): void {
    if (this.count === this.starts.length) this.grow();
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.capitalised[this.count] = capitalised ? 1 : 0;
    this.words[this.count] = word;
    this.count++;
  }

  private grow(): void {
    const size = this.starts.length * 2;
    const starts = new Int32Array(size);
    const ends = new Int32Array(size);
    const capitalised = new Uint8Array(size);
    starts.set(this.starts);
    ends.set(this.ends);
    capitalised.set(this.capitalised);
    this.starts = starts;
    this.ends = ends;
    this.capitalised = capitalised;
  }
}

export function tokenizeInto(text: string, into: TokenBuffer): void {
  into.reset();
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
    const raw = m[0];
    // "Capitalised" means no lower-case letter, so digits in "G7" or "G-7" satisfy a capitals-only term.
    into.push(foldWord(raw), m.index, m.index + raw.length, raw === raw.toUpperCase());
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
export function tokenize(text: string): Token[] {
  const buffer = new TokenBuffer();
  tokenizeInto(text, buffer);
  const tokens: Token[] = [];
  for (let i = 0; i < buffer.count; i++) {
    const start = buffer.starts[i]!;
    const end = buffer.ends[i]!;
    tokens.push({ word: buffer.words[i]!, raw: text.slice(start, end), start, end, capitalised: buffer.capitalised[i] === 1 });
  }
  return tokens;
}
