import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '#shared/classify/classifier.ts';
import { detectLanguage, languageCoverage } from '#shared/classify/language-coverage.ts';
import { defaultTopicPack, type TopicPack } from '#shared/classify/topic-pack.ts';
import { htmlToText } from '#shared/text/html-text.ts';
import { SAMPLES } from './language-samples.ts';

const EVAL_SETS = ['../../../../shared/eval/dev.jsonl', '../../../eval/guide-set.jsonl', '../../../eval/blind-set.jsonl', '../../../eval/final-set.jsonl'];
const evalItems = EVAL_SETS.flatMap((path) =>
  readFileSync(new URL(path, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { id: string; title: string; summary: string; lang: string }),
);

describe('detectLanguage', () => {
  it.each(Object.keys(SAMPLES))('reads a headline and lede in %s as that language', (lang) => {
    expect(detectLanguage(SAMPLES[lang]!)).toBe(lang);
  });

  it('names a language from a headline alone, or none, but never a wrong one', () => {
    for (const [lang, text] of Object.entries(SAMPLES)) {
      expect([lang, undefined]).toContain(detectLanguage(text.split('\n')[0]!));
    }
  });

  it('agrees with the labelled language of the 900 eval items, or stays silent', () => {
    const wrong = evalItems.filter((item) => {
      const found = detectLanguage(`${htmlToText(item.title)}\n${htmlToText(item.summary)}`);
      return found !== undefined && found !== item.lang;
    });
    expect(wrong.map((item) => item.id)).toEqual([]);
    const silent = evalItems.filter((item) => detectLanguage(`${htmlToText(item.title)}\n${htmlToText(item.summary)}`) === undefined);
    expect(silent.length).toBeLessThan(evalItems.length * 0.03);
  });

  it('gives no language to text too short or too plain to tell', () => {
    for (const text of ['', '   ', 'NATO', 'NSATU: Wiesbaden', 'Stoltenberg, Blinken, Kuleba', '€100bn', '2024-07-09', 'Ukraine aid bill']) {
      expect(detectLanguage(text)).toBeUndefined();
    }
  });

  it('tells apart the neighbours a shared alphabet makes alike', () => {
    expect(detectLanguage('Україна отримає нові системи ППО від союзників')).toBe('uk');
    expect(detectLanguage('Россия объявила о росте выпуска снарядов в этом году')).toBe('ru');
    expect(detectLanguage('Ministři obrany se dohodli, že příští rok budou dodávky vyšší')).toBe('cs');
    expect(detectLanguage('Ministri obrany sa dohodli, že budúci rok budú dodávky vyššie')).toBe('sk');
    expect(detectLanguage('防衛省は来年度の予算案を発表した')).toBe('ja');
    expect(detectLanguage('国防部公布了明年的预算草案')).toBe('zh');
  });

  it('goes by the script most of the letters are in', () => {
    expect(detectLanguage('НАТО і ЄС: Rheinmetall відкриває завод снарядів в Україні')).toBe('uk');
    expect(detectLanguage('Kyiv asks for more "Патріот" batteries as the allies meet in Brussels this week')).toBe('en');
    expect(detectLanguage('Ο ΝΑΤΟ (NATO) και η Ουκρανία συζητούν για το ταμείο')).toBe('el');
  });

  it('reads only the first thousand characters, so a long body costs no more than a lede', () => {
    const swedish = `${SAMPLES.sv!} `.repeat(6);
    expect(swedish.length).toBeGreaterThan(1_000);
    expect(detectLanguage(`${swedish}${'the and of to '.repeat(500)}`)).toBe('sv');
    expect(detectLanguage(`${'the and of to '.repeat(500)}${swedish}`)).toBe('en');
  });
});

describe('languageCoverage', () => {
  const pack = createClassifier(defaultTopicPack()).languages;

  it("believes the feed's language over the item's and the text's", () => {
    expect(languageCoverage({ title: SAMPLES.sv!, summary: '', feedLanguage: 'en-GB', lang: 'sv' }, pack)).toEqual({ lang: 'en', covered: true, source: 'feed' });
    expect(languageCoverage({ title: SAMPLES.en!, summary: '', feedLanguage: 'sv' }, pack)).toEqual({ lang: 'sv', covered: false, source: 'feed' });
  });

  it("takes the item's own language when the feed gives none, then the detector's", () => {
    expect(languageCoverage({ title: SAMPLES.en!, summary: '', lang: 'TR' }, pack)).toEqual({ lang: 'tr', covered: false, source: 'item' });
    const [title, summary] = SAMPLES.tr!.split('\n');
    expect(languageCoverage({ title: title!, summary: summary! }, pack)).toEqual({ lang: 'tr', covered: false, source: 'detected' });
    expect(languageCoverage({ title: 'NATO-Gipfel', summary: '', feedLanguage: 'deutsch' }, pack)).toEqual({ covered: true, source: 'unknown' });
  });

  it('counts a language nobody can tell as covered: unknown is not a known hole', () => {
    expect(languageCoverage({ title: 'NSATU', summary: '' }, pack)).toEqual({ covered: true, source: 'unknown' });
  });

  it("decides coverage by the pack's languages, read from the pack itself", () => {
    const base = defaultTopicPack();
    expect(pack).toEqual([...new Set(Object.values(base.concepts).flatMap((c) => Object.keys(c.terms)))].filter((l) => l !== 'any').sort());
    const withSwedish: TopicPack = structuredClone(base);
    const [firstConcept] = Object.keys(withSwedish.concepts);
    withSwedish.concepts[firstConcept!]!.terms.sv = ['provord'];
    const swedishPack = createClassifier(withSwedish).languages;
    expect(languageCoverage({ title: SAMPLES.sv!, summary: '' }, pack).covered).toBe(false);
    expect(languageCoverage({ title: SAMPLES.sv!, summary: '' }, swedishPack)).toEqual({ lang: 'sv', covered: true, source: 'detected' });
  });
});

describe('the classifier on an item that names no language', () => {
  it('labels every eval item as it does when the item says its language', () => {
    const classifier = createClassifier(defaultTopicPack());
    const differing = evalItems.filter((item) => {
      const labelled = classifier.classify(item).labels;
      const unlabelled = classifier.classify({ title: item.title, summary: item.summary }).labels;
      return labelled.join() !== unlabelled.join();
    });
    expect(differing.map((item) => item.id)).toEqual([]);
  });
});
