import { languageCode } from '#shared/feed/normalise-entry.ts';
import { PROFILES, SCRIPT_LANGUAGES, type Script } from './language-profiles.ts';

/**
 * Which language an item is in, and whether the topic pack has terms for it. A feed that says
 * its language is believed; otherwise a small detector decides from the text: the script first
 * (Greek, Arabic, Han… each name a language), then for Latin and Cyrillic text the common short
 * words and marked letters of each language (`language-profiles.ts`). Text too short or too
 * plain to tell (a headline of names and acronyms) gets no language rather than a guess.
 */

export type LanguageSource = 'feed' | 'item' | 'detected' | 'unknown';

export interface LanguageCoverage {
  /** Two lower-case letters; absent when nobody said and the text could not tell. */
  lang?: string;
  /** Whether the pack has terms in `lang`. An unknown language counts as covered: it is not a known hole. */
  covered: boolean;
  source: LanguageSource;
}

export interface LanguageSubject {
  title: string;
  summary: string;
  /** Declared by the feed: its config `language`, else the feed's own language element. */
  feedLanguage?: string | undefined;
  /** Declared by the item itself (a `lang` field of a classify input line). */
  lang?: string | undefined;
}

/** The feed's word wins over the item's, and either over the detector's. */
export function languageCoverage(subject: LanguageSubject, packLanguages: readonly string[]): LanguageCoverage {
  const feed = languageCode(subject.feedLanguage);
  const item = feed === undefined ? languageCode(subject.lang) : undefined;
  const declared = feed ?? item;
  const lang = declared ?? detectLanguage(subject.summary ? `${subject.title}\n${subject.summary}` : subject.title);
  if (lang === undefined) return { covered: true, source: 'unknown' };
  const source: LanguageSource = feed !== undefined ? 'feed' : item !== undefined ? 'item' : 'detected';
  return { lang, covered: packLanguages.includes(lang), source };
}

// A title and lede decide; reading further only costs time.
const SCAN_LIMIT = 1_000;
const MIN_LETTERS = 4;
const WORD_WEIGHT = 2;
const LETTER_WEIGHT = 1;
/** The winner needs this much evidence, and this much more than the runner-up. */
const MIN_SCORE = 4;
const MIN_LEAD = 2;

const SCRIPTS: readonly Script[] = ['latin', 'cyrillic'];
const LANGS = PROFILES.map((p) => p.lang);
const SCRIPT_OF = PROFILES.map((p) => SCRIPTS.indexOf(p.script));
const WORD_VOTES = new Map<string, number[]>();
const LETTER_VOTES = new Map<number, number[]>();
PROFILES.forEach((profile, i) => {
  for (const word of new Set(profile.words.split(' '))) WORD_VOTES.set(word, [...(WORD_VOTES.get(word) ?? []), i]);
  for (const letter of new Set(profile.letters ?? '')) {
    const code = letter.charCodeAt(0);
    LETTER_VOTES.set(code, [...(LETTER_VOTES.get(code) ?? []), i]);
  }
});
const SCRIPT_LANGS = [...new Set(SCRIPT_LANGUAGES.map((s) => s.lang))];
const SCRIPT_RANGES = SCRIPT_LANGUAGES.map((s) => ({ ...s, index: SCRIPT_LANGS.indexOf(s.lang) }));
const PERSIAN_LETTERS = new Set([0x067e, 0x0686, 0x0698, 0x06af]);
const SPANISH_MARKS = new Set([0xbf, 0xa1]);

// Scratch counters, reused: detection is synchronous.
const scores = new Float64Array(LANGS.length);
const scriptLetters = new Int32Array(SCRIPTS.length);
const otherLetters = new Int32Array(SCRIPT_LANGS.length);

/** One pass over the first characters: letters counted by script, words and marked letters voting. */
export function detectLanguage(text: string): string | undefined {
  const lower = (text.length > SCAN_LIMIT ? text.slice(0, SCAN_LIMIT) : text).toLowerCase();
  scores.fill(0);
  scriptLetters.fill(0);
  otherLetters.fill(0);
  let persian = false;
  let wordStart = -1;
  for (let i = 0; i <= lower.length; i++) {
    const code = i < lower.length ? lower.charCodeAt(i) : 0;
    const script = scriptOf(code);
    if (script !== -1) {
      scriptLetters[script]!++;
      if (wordStart === -1) wordStart = i;
      if (code > 0x7f) vote(LETTER_VOTES.get(code), LETTER_WEIGHT);
      continue;
    }
    if (wordStart !== -1) {
      vote(WORD_VOTES.get(lower.slice(wordStart, i)), WORD_WEIGHT);
      wordStart = -1;
    }
    if (code < 0x80) continue;
    if (SPANISH_MARKS.has(code)) vote(LETTER_VOTES.get(code), LETTER_WEIGHT);
    for (const range of SCRIPT_RANGES) {
      if (code >= range.from && code <= range.to) {
        otherLetters[range.index]!++;
        if (PERSIAN_LETTERS.has(code)) persian = true;
        break;
      }
    }
  }
  return decide(persian);
}

/** 0 for a Latin letter, 1 for a Cyrillic one, -1 for anything else. */
function scriptOf(code: number): number {
  if (code >= 0x61 && code <= 0x7a) return 0;
  if (code < 0xc0) return -1;
  if (code <= 0x24f) return code === 0xd7 || code === 0xf7 ? -1 : 0;
  if (code >= 0x400 && code <= 0x4ff) return 1;
  return -1;
}

function vote(langs: number[] | undefined, weight: number): void {
  if (langs === undefined) return;
  for (const l of langs) scores[l]! += weight;
}

function decide(persian: boolean): string | undefined {
  let script = -1;
  let letters = 0;
  for (let s = 0; s < SCRIPTS.length; s++) if (scriptLetters[s]! > letters) [script, letters] = [s, scriptLetters[s]!];
  let other = -1;
  for (let o = 0; o < SCRIPT_LANGS.length; o++) if (otherLetters[o]! > letters) [other, letters] = [o, otherLetters[o]!];
  if (letters < MIN_LETTERS) return undefined;
  if (other !== -1) {
    const lang = SCRIPT_LANGS[other]!;
    // Japanese writes Han and kana together; any kana at all means Japanese, not Chinese.
    if (lang === 'zh' && otherLetters[SCRIPT_LANGS.indexOf('ja')]! > 0) return 'ja';
    return lang === 'ar' && persian ? 'fa' : lang;
  }
  let best = -1;
  let runnerUp = 0;
  for (let l = 0; l < LANGS.length; l++) {
    if (SCRIPT_OF[l] !== script) continue;
    if (best === -1 || scores[l]! > scores[best]!) {
      if (best !== -1) runnerUp = Math.max(runnerUp, scores[best]!);
      best = l;
    } else {
      runnerUp = Math.max(runnerUp, scores[l]!);
    }
  }
  const score = scores[best]!;
  return score >= MIN_SCORE && score - runnerUp >= MIN_LEAD ? LANGS[best] : undefined;
}
