import { MIN_PLURAL_BASE, isCapitalised, parseTermWord, type TokenPattern } from './morphology.ts';
import { MAX_UNIT, tokenize, type TokenBuffer } from './tokenize.ts';

/**
 * Finds which concepts an item mentions. Everything is compiled once: every distinct word
 * pattern of every term gets an id, exact words and stems sit in one character trie, compound
 * tails in a trie of reversed words, and each term is listed under its first pattern. Matching
 * walks each token through the tries once, then checks the few terms that start there.
 */

export interface ConceptDefinition {
  id: string;
  /** Terms by language code; "any" holds names and acronyms used in every language. */
  terms: Record<string, string[]>;
  /**
   * Phrases in which the concept's words do not count, by language: "to fund" (a verb, not a
   * fund), "power plants" (not a factory). A term match overlapping an exception match is dropped.
   */
  except?: Record<string, string[]> | undefined;
  /**
   * Phrases that make the concept's next mention a passing one, by language: "ahead of" (the
   * summit as a deadline), "like" (a mission as a comparison), "including" (the fund as one
   * item of a list). A mention that starts within `ASIDE_REACH` words after such a phrase, in
   * the same clause, does not count.
   */
  asides?: Record<string, string[]> | undefined;
  implies: string[];
}

/** How many words after an aside phrase its concept's mention may start ("ahead of [NATO's 75th] summit"). */
export const ASIDE_REACH = 8;

type TermKind = 'term' | 'except' | 'aside';

export const ANY_LANGUAGE = 'any';

const WORD_CACHE_LIMIT = 50_000;
const NO_PATTERNS: readonly number[] = [];

/** Splits a pack term into word patterns, or explains why it cannot be matched. */
export function parseTerm(term: string): TokenPattern[] | string {
  const patterns: TokenPattern[] = [];
  for (const chunk of term.trim().split(/\s+/)) {
    const prefix = chunk.length > 1 && chunk.endsWith('*');
    const suffix = chunk.length > 1 && chunk.startsWith('*');
    const core = chunk.slice(suffix ? 1 : 0, prefix ? -1 : undefined);
    const words = tokenize(core);
    if (words.length === 0) return `"${term}" has no letters or digits to match`;
    const caseSensitive = isCapitalised(core);
    // In "nato-chef*" the stem mark belongs to the last word, in "*nato-gipfel" the tail mark to the first.
    for (const [i, w] of words.entries()) {
      const stemHere = prefix && i === words.length - 1;
      const tailHere = suffix && i === 0;
      const marked = stemHere ? `${w.raw}*` : tailHere ? `*${w.raw}` : w.raw;
      const pattern = parseTermWord(marked, caseSensitive);
      if (pattern.kind !== 'exact' && pattern.text.length < 3) return `"${chunk}": stems and tails need at least 3 letters`;
      patterns.push(pattern);
    }
  }
  return patterns;
}

class TrieNode {
  readonly next = new Map<number, TrieNode>();
  exact: number[] = [];
  plural: number[] = [];
  stem: number[] = [];
}

interface CompiledTerm {
  concept: number;
  languages: number;
  patterns: Int32Array;
  text: string;
  aside: boolean;
}

// Exception matches of one item as flat (concept, first token, last token) triples.
const MASK_FIELDS = 3;

const UNIT_SLOTS = MAX_UNIT + 1;

/** Per-item results, reused between items. `first*` are token indexes of the first mention. */
export class ConceptHits {
  readonly firstToken: Int32Array;
  readonly lastToken: Int32Array;
  /** The concept whose mention implied this one, or -1 for a direct mention. */
  readonly impliedBy: Int32Array;
  readonly term: Int32Array;
  /** 1 when the concept is mentioned (or implied) within the item's title. */
  readonly inTitle: Uint8Array;
  /** Bit u set when the concept is mentioned (or implied) in unit u (0 = headline, 1… = sentences). */
  readonly units: Int32Array;
  /**
   * The first mention in each unit, at `concept * 32 + unit`; a slot is valid only while its bit
   * is set in `units`, so clearing an item clears `units` alone.
   */
  readonly unitFirstToken: Int32Array;
  readonly unitLastToken: Int32Array;
  readonly unitImpliedBy: Int32Array;

  constructor(size: number) {
    this.firstToken = new Int32Array(size).fill(-1);
    this.lastToken = new Int32Array(size);
    this.impliedBy = new Int32Array(size);
    this.term = new Int32Array(size);
    this.inTitle = new Uint8Array(size);
    this.units = new Int32Array(size);
    this.unitFirstToken = new Int32Array(size * UNIT_SLOTS);
    this.unitLastToken = new Int32Array(size * UNIT_SLOTS);
    this.unitImpliedBy = new Int32Array(size * UNIT_SLOTS);
  }

  has(concept: number): boolean {
    return this.firstToken[concept] !== -1;
  }

  /** Slot of the concept's first mention in `unit`, for the `unit*` arrays (check `units` first). */
  slot(concept: number, unit: number): number {
    return concept * UNIT_SLOTS + unit;
  }

  clear(): void {
    this.firstToken.fill(-1);
    this.inTitle.fill(0);
    this.units.fill(0);
  }
}

export class ConceptMatcher {
  readonly conceptIds: readonly string[];
  readonly languages: readonly string[];
  private readonly conceptIndex = new Map<string, number>();
  private readonly patternIds = new Map<string, number>();
  private readonly caseSensitive: boolean[] = [];
  private readonly forward = new TrieNode();
  private readonly backward = new TrieNode();
  private readonly terms: CompiledTerm[] = [];
  private termsByFirst: number[][] = [];
  private exceptionsByFirst: number[][] = [];
  private exceptionCount = 0;
  private titleTokens = 0;
  private units: Uint8Array = new Uint8Array(0);
  private clauses: Int32Array = new Int32Array(0);
  private masks = new Int32Array(3 * 16);
  private maskCount = 0;
  private readonly implications: Int32Array[];
  // Scratch space for one item: the pattern ids each token matched, as a flat list.
  private tokenPatterns = new Int32Array(1024);
  private tokenPatternStart = new Int32Array(257);
  private readonly wordCache = new Map<string, readonly number[]>();

  constructor(concepts: readonly ConceptDefinition[]) {
    this.conceptIds = concepts.map((c) => c.id);
    concepts.forEach((c, i) => this.conceptIndex.set(c.id, i));
    const languages = new Set<string>();
    for (const c of concepts) for (const lang of Object.keys(c.terms)) if (lang !== ANY_LANGUAGE) languages.add(lang);
    this.languages = [...languages].sort();
    concepts.forEach((c, i) => {
      for (const [lang, terms] of Object.entries(c.terms)) {
        const mask = lang === ANY_LANGUAGE ? this.allLanguages() : 1 << this.languages.indexOf(lang);
        for (const term of terms) this.addTerm(i, mask, term, 'term');
      }
      for (const [lang, terms] of Object.entries(c.except ?? {})) {
        const mask = lang === ANY_LANGUAGE ? this.allLanguages() : 1 << this.languages.indexOf(lang);
        for (const term of terms) this.addTerm(i, mask, term, 'except');
      }
      for (const [lang, terms] of Object.entries(c.asides ?? {})) {
        const mask = lang === ANY_LANGUAGE ? this.allLanguages() : 1 << this.languages.indexOf(lang);
        for (const term of terms) this.addTerm(i, mask, term, 'aside');
      }
    });
    this.implications = concepts.map((c) => Int32Array.from(this.closure(c.id, concepts)));
  }

  indexOf(concept: string): number {
    return this.conceptIndex.get(concept) ?? -1;
  }

  termText(term: number): string {
    return this.terms[term]?.text ?? '';
  }

  /** Languages whose terms apply to an item: its own plus "any"; all of them when it has none we know. */
  languageMask(lang: string | undefined): number {
    const base = lang ? lang.toLowerCase().slice(0, 2) : '';
    const i = this.languages.indexOf(base);
    return i === -1 ? this.allLanguages() : 1 << i;
  }

  newHits(): ConceptHits {
    return new ConceptHits(this.conceptIds.length);
  }

  /** `titleTokens`: how many of the first tokens are the title (mentions there set `inTitle`). */
  match(tokens: TokenBuffer, languageMask: number, hits: ConceptHits, titleTokens = tokens.count): void {
    hits.clear();
    this.titleTokens = titleTokens;
    this.units = tokens.units;
    this.clauses = tokens.clauses;
    this.collectTokenPatterns(tokens);
    this.maskCount = 0;
    if (this.exceptionCount > 0) this.scan(tokens.count, languageMask, this.exceptionsByFirst, hits);
    this.scan(tokens.count, languageMask, this.termsByFirst, hits);
  }

  /**
   * Finds every term of `index` in the item: exceptions are remembered as masks over their own
   * words, asides as masks over the words after them; concept terms are recorded unless masked.
   */
  private scan(count: number, languageMask: number, index: number[][], hits: ConceptHits): void {
    const starts = this.tokenPatternStart;
    const patterns = this.tokenPatterns;
    for (let i = 0; i < count; i++) {
      for (let p = starts[i]!; p < starts[i + 1]!; p++) {
        const candidates = index[patterns[p]!];
        if (candidates === undefined) continue;
        for (const t of candidates) {
          const term = this.terms[t]!;
          if ((term.languages & languageMask) === 0) continue;
          const last = i + term.patterns.length - 1;
          if (last >= count || !this.restMatches(term.patterns, i)) continue;
          if (index !== this.exceptionsByFirst) {
            if (this.maskCount === 0 || !this.masked(term.concept, i, last)) this.record(hits, term.concept, i, last, t, -1);
          } else if (!term.aside) this.addMask(term.concept, i, last);
          else {
            const reach = this.asideReach(last, count);
            if (reach > last) this.addMask(term.concept, last + 1, reach);
          }
        }
      }
    }
  }

  /** The last token an aside ending at `last` reaches: at most ASIDE_REACH words on, within its clause. */
  private asideReach(last: number, count: number): number {
    const clause = this.clauses[last];
    let reach = last;
    while (reach + 1 < count && reach < last + ASIDE_REACH && this.clauses[reach + 1] === clause) reach++;
    return reach;
  }

  private addMask(concept: number, first: number, last: number): void {
    if ((this.maskCount + 1) * MASK_FIELDS > this.masks.length) {
      const bigger = new Int32Array(this.masks.length * 2);
      bigger.set(this.masks);
      this.masks = bigger;
    }
    const at = this.maskCount++ * MASK_FIELDS;
    this.masks[at] = concept;
    this.masks[at + 1] = first;
    this.masks[at + 2] = last;
  }

  /** Whether tokens first..last overlap an exception of the concept ("fund" inside "to fund"). */
  private masked(concept: number, first: number, last: number): boolean {
    for (let m = 0; m < this.maskCount * MASK_FIELDS; m += MASK_FIELDS) {
      if (this.masks[m] === concept && this.masks[m + 1]! <= last && this.masks[m + 2]! >= first) return true;
    }
    return false;
  }

  /**
   * Keeps the first mention of a concept in the item and in each unit, a direct mention before
   * an implied one; a direct mention passes its implications on wherever it was new.
   */
  private record(hits: ConceptHits, concept: number, first: number, last: number, term: number, impliedBy: number): void {
    if (first < this.titleTokens) hits.inTitle[concept] = 1;
    let changed = false;
    const known = hits.firstToken[concept] !== -1;
    if (!known || (impliedBy === -1 && hits.impliedBy[concept] !== -1)) {
      hits.firstToken[concept] = first;
      hits.lastToken[concept] = last;
      hits.term[concept] = term;
      hits.impliedBy[concept] = impliedBy;
      changed = true;
    }
    const unit = this.units[first]!;
    const bit = 1 << unit;
    const slot = hits.slot(concept, unit);
    if ((hits.units[concept]! & bit) === 0 || (impliedBy === -1 && hits.unitImpliedBy[slot] !== -1)) {
      hits.units[concept] = hits.units[concept]! | bit;
      hits.unitFirstToken[slot] = first;
      hits.unitLastToken[slot] = last;
      hits.unitImpliedBy[slot] = impliedBy;
      changed = true;
    }
    if (!changed || impliedBy !== -1) return;
    for (const implied of this.implications[concept]!) this.record(hits, implied, first, last, term, concept);
  }

  private restMatches(termPatterns: Int32Array, at: number): boolean {
    const starts = this.tokenPatternStart;
    for (let j = 1; j < termPatterns.length; j++) {
      const wanted = termPatterns[j]!;
      let found = false;
      for (let p = starts[at + j]!; p < starts[at + j + 1]!; p++) {
        if (this.tokenPatterns[p] === wanted) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }

  private collectTokenPatterns(tokens: TokenBuffer): void {
    if (this.tokenPatternStart.length < tokens.count + 1) this.tokenPatternStart = new Int32Array(tokens.count * 2 + 1);
    let n = 0;
    for (let i = 0; i < tokens.count; i++) {
      this.tokenPatternStart[i] = n;
      n = this.push(n, this.patternsOf(tokens.words[i]!), tokens.capitalised[i] === 1);
    }
    this.tokenPatternStart[tokens.count] = n;
  }

  /** News vocabulary repeats, so each word's trie walk is remembered (bounded, reset when full). */
  private patternsOf(word: string): readonly number[] {
    const known = this.wordCache.get(word);
    if (known !== undefined) return known;
    if (this.wordCache.size >= WORD_CACHE_LIMIT) this.wordCache.clear();
    const found: number[] = [];
    const len = word.length;
    let node: TrieNode | undefined = this.forward;
    for (let k = 0; node !== undefined && k <= len; k++) {
      if (k > 0) found.push(...node.stem);
      if (k === len) found.push(...node.exact);
      else if (k === len - 1 && word.charCodeAt(len - 1) === 115) found.push(...node.plural);
      else if (k === len - 2 && word.endsWith('es')) found.push(...node.plural);
      if (k < len) node = node.next.get(word.charCodeAt(k));
    }
    node = this.backward;
    for (let k = len - 1; k >= 0; k--) {
      node = node.next.get(word.charCodeAt(k));
      if (node === undefined) break;
      found.push(...node.stem);
    }
    const ids = found.length === 0 ? NO_PATTERNS : found;
    this.wordCache.set(word, ids);
    return ids;
  }

  private push(n: number, ids: readonly number[], capitalised: boolean): number {
    for (const id of ids) {
      if (this.caseSensitive[id] && !capitalised) continue;
      if (n === this.tokenPatterns.length) {
        const bigger = new Int32Array(n * 2);
        bigger.set(this.tokenPatterns);
        this.tokenPatterns = bigger;
      }
      this.tokenPatterns[n++] = id;
    }
    return n;
  }

  private allLanguages(): number {
    return (1 << this.languages.length) - 1 || 1;
  }

  private addTerm(concept: number, languages: number, term: string, kind: TermKind): void {
    const parsed = parseTerm(term);
    if (typeof parsed === 'string') throw new Error(parsed);
    const ids = parsed.map((p) => this.patternId(p));
    const index = this.terms.length;
    const exception = kind !== 'term';
    this.terms.push({ concept, languages, patterns: Int32Array.from(ids), text: term, aside: kind === 'aside' });
    const byFirst = exception ? this.exceptionsByFirst : this.termsByFirst;
    (byFirst[ids[0]!] ??= []).push(index);
    if (exception) this.exceptionCount++;
  }

  private patternId(pattern: TokenPattern): number {
    const key = `${pattern.kind}\u0000${pattern.caseSensitive ? 'C' : 'c'}\u0000${pattern.text}`;
    const known = this.patternIds.get(key);
    if (known !== undefined) return known;
    const id = this.patternIds.size;
    this.patternIds.set(key, id);
    this.caseSensitive[id] = pattern.caseSensitive;
    this.insert(pattern, id);
    return id;
  }

  private insert(pattern: TokenPattern, id: number): void {
    const text = pattern.text;
    const reversed = pattern.kind === 'suffix';
    let node = reversed ? this.backward : this.forward;
    for (let k = 0; k < text.length; k++) {
      const code = text.charCodeAt(reversed ? text.length - 1 - k : k);
      let child = node.next.get(code);
      if (child === undefined) {
        child = new TrieNode();
        node.next.set(code, child);
      }
      node = child;
    }
    if (pattern.kind === 'exact') {
      node.exact.push(id);
      if (text.length >= MIN_PLURAL_BASE && !pattern.caseSensitive && /^[a-z]+$/.test(text)) node.plural.push(id);
    } else {
      node.stem.push(id);
    }
  }

  private closure(start: string, concepts: readonly ConceptDefinition[]): number[] {
    const seen = new Set<string>([start]);
    const queue = [start];
    while (queue.length > 0) {
      const id = queue.shift()!;
      for (const next of concepts[this.indexOf(id)]?.implies ?? []) {
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    seen.delete(start);
    return [...seen].map((id) => this.indexOf(id)).filter((i) => i !== -1);
  }
}
