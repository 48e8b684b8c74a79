import { describe, expect, it } from 'vitest';
import { createClassifier } from '#shared/classify/classifier.ts';
import { defaultTopicPack, parseTopicPack } from '#shared/classify/topic-pack.ts';
import { TokenBuffer, tokenizeInto } from '#shared/classify/tokenize.ts';
import { classifier, labelsOf } from './classify-helpers.ts';

// Salience: a rule fires only where the item is about its concepts — together in the headline,
// or in one lede sentence (the headline framing it) — and a concept after an aside phrase
// ("ahead of", "like", "including") is a passing mention. Every sentence here is written for
// this test; none is copied from an evaluation item.

/** The text of each unit, in order: [headline, sentence 1, sentence 2, …]. */
function units(title: string, summary: string): string[] {
  const text = summary ? `${title}\n${summary}` : title;
  const tokens = new TokenBuffer();
  tokenizeInto(text, tokens, title.length);
  const out: string[] = [];
  for (let i = 0; i < tokens.count; i++) {
    const u = tokens.units[i]!;
    const word = text.slice(tokens.starts[i]!, tokens.ends[i]!);
    out[u] = out[u] === undefined ? word : `${out[u]} ${word}`;
  }
  return out;
}

describe('sentence splitting', () => {
  it('keeps the headline one unit even when it has a question mark, and numbers the summary sentences', () => {
    expect(units('NATO fund? Allies split', 'Ministers met. They disagreed!')).toEqual([
      'NATO fund Allies split',
      'Ministers met',
      'They disagreed',
    ]);
  });

  it('does not end a sentence at abbreviations, initials or decimals', () => {
    expect(units('T', 'The U.S. and Gen. Cavoli back a €1.5bn plan. Berlin pays 100 Mrd. Euro. Dec. 5 is the date.')).toEqual([
      'T',
      'The U S and Gen Cavoli back a € 1.5 bn plan',
      'Berlin pays 100 Mrd Euro',
      'Dec 5 is the date',
    ]);
  });

  it('ends a sentence inside closing quotes and at a line break, not before a lower-case word', () => {
    expect(units('T', '"We will pay." Allies agreed. the rest follows\nNew paragraph')).toEqual([
      'T',
      'We will pay',
      'Allies agreed the rest follows',
      'New paragraph',
    ]);
  });

  it('splits Cyrillic sentences and keeps Ukrainian abbreviations', () => {
    expect(units('Т', 'Ген. Сирський прибув до Брюсселя. Союзники обіцяють 40 млрд. євро. Україна чекає.')).toEqual([
      'Т',
      'Ген Сирський прибув до Брюсселя',
      'Союзники обіцяють 40 млрд євро',
      'Україна чекає',
    ]);
  });

  it('starts with sentence 1 when there is no headline', () => {
    expect(units('', 'NATO meets. Ukraine waits.')).toEqual([undefined, 'NATO meets', 'Ukraine waits']);
  });
});

describe('rules fire within one unit', () => {
  it('does not combine concepts from two summary sentences about different things', () => {
    const summary = 'NATO defence ministers met in Brussels on Tuesday. Ukraine’s grain exports rose to a record in June.';
    expect(labelsOf('Weekly round-up', summary, 'en')).not.toContain('nato-meetings');
    expect(labelsOf('Weekly round-up', 'NATO defence ministers met in Brussels on Tuesday to discuss air defence for Ukraine.', 'en')).toContain(
      'nato-meetings',
    );
  });

  it('lets the headline frame every lede sentence', () => {
    expect(labelsOf('Ukraine on the agenda', 'NATO defence ministers met in Brussels on Tuesday.', 'en')).toContain('nato-meetings');
  });

  it('counts only the lede: the same sentence after the first five does not label', () => {
    const filler = 'Markets were calm. Prices fell. Rain is due. Trains ran late. Schools reopened. ';
    const sentence = 'NATO defence ministers met in Brussels to discuss air defence for Ukraine.';
    expect(labelsOf('Weekly round-up', sentence, 'en')).toContain('nato-meetings');
    expect(labelsOf('Weekly round-up', filler + sentence, 'en')).not.toContain('nato-meetings');
  });

  it('a rule with scope "item" combines across sentences, and ledeSentences is a pack setting', () => {
    const pack = (scope: 'item' | 'sentence', ledeSentences = 5) =>
      parseTopicPack({
        version: 1,
        id: 'test-pack',
        ledeSentences,
        concepts: { fund: { terms: { en: ['fund'] } }, nato: { terms: { any: ['NATO'] } } },
        topics: [{ id: 'nato-fund', title: 'NATO fund', rules: [{ id: 'fund', weight: 0.9, all: ['fund', 'nato'], scope }] }],
      });
    const input = { title: 'News', summary: 'NATO met. A fund was set up.' };
    expect(createClassifier(pack('sentence')).classify(input).labels).toEqual([]);
    expect(createClassifier(pack('item')).classify(input).labels).toEqual(['nato-fund']);
    const late = { title: 'News', summary: 'Rain. NATO has a fund.' };
    expect(createClassifier(pack('sentence', 2)).classify(late).labels).toEqual(['nato-fund']);
    expect(createClassifier(pack('sentence', 1)).classify(late).labels).toEqual([]);
  });

  it('names a bad scope in the pack', () => {
    expect(() =>
      parseTopicPack({
        version: 1,
        id: 'bad',
        concepts: { fund: { terms: { en: ['fund'] } } },
        topics: [{ id: 't', title: 'T', rules: [{ id: 'r', weight: 0.5, all: ['fund'], scope: 'paragraph' }] }],
      }),
    ).toThrow(/\$\.topics\[0\]\.rules\[0\]\.scope: expected "sentence" or "item"/);
  });
});

interface Case {
  title: string;
  summary?: string;
  lang: string;
}

interface Kind {
  label: string;
  /** Passing mentions: the concept is there, but as an aside; no label. */
  passing: Case[];
  /** The same concepts as the subject of a sentence: the label. */
  subject: Case[];
}

const kinds: Record<string, Kind> = {
  'a summit as a deadline': {
    label: 'nato-meetings',
    passing: [
      { title: 'Germany and Ukraine sign a tank repair deal ahead of the NATO summit', lang: 'en' },
      {
        title: 'Stoltenberg proposes a €100bn NATO fund for Ukraine',
        summary: 'The five-year fund would be part of a package NATO leaders are to sign at the July summit in Washington.',
        lang: 'en',
      },
      {
        title: 'Allies weigh a long-term fund for Ukraine',
        summary: 'The plan is part of a package to be signed by NATO leaders in July in Washington.',
        lang: 'en',
      },
      { title: 'Deutschland und die Ukraine unterzeichnen vor dem Nato-Gipfel ein Abkommen über Panzerreparaturen', lang: 'de' },
      { title: 'Przed szczytem NATO Polska i Ukraina podpisują umowę o odbudowie mostów', lang: 'pl' },
      { title: 'Напередодні саміту НАТО Україна та Чехія підписали угоду про ремонт мостів', lang: 'uk' },
      { title: "À la veille du sommet de l'Otan, Kiev et Paris signent un accord sur les ponts", lang: 'fr' },
      { title: 'Un piano per le munizioni dell’Ucraina che sarà approvato al vertice della NATO', lang: 'it' },
      { title: 'Un objetivo de gasto que la OTAN tiene previsto fijar en la cumbre de julio para Ucrania', lang: 'es' },
      {
        title: 'Союзники обсуждают новый фонд для Украины',
        summary: 'Фонд станет частью пакета, который лидеры НАТО должны подписать в июле.',
        lang: 'ru',
      },
    ],
    subject: [
      { title: 'NATO summit in Washington agrees new support for Ukraine', lang: 'en' },
      { title: 'Nato-Gipfel in Washington: Bündnis sagt der Ukraine neue Hilfe zu', lang: 'de' },
      { title: 'Szczyt NATO w Waszyngtonie: sojusznicy obiecują Ukrainie nową pomoc', lang: 'pl' },
      { title: 'Саміт НАТО у Вашингтоні ухвалив нову допомогу Україні', lang: 'uk' },
    ],
  },
  'a mission as a comparison': {
    label: 'nato-mission',
    passing: [
      { title: 'Kyiv’s drone school is run like a NATO mission, Ukrainian instructors say', lang: 'en' },
      { title: 'Kiews Drohnenschule arbeitet ähnlich wie eine Nato-Mission, sagen ukrainische Ausbilder', lang: 'de' },
      { title: 'Kijowska szkoła dronów działa na wzór misji NATO, mówią ukraińscy instruktorzy', lang: 'pl' },
      { title: 'Київська школа дронів працює на зразок місії НАТО, кажуть українські інструктори', lang: 'uk' },
    ],
    subject: [
      { title: 'NATO launches a mission for Ukraine', lang: 'en' },
      { title: 'Nato startet eine Mission für die Ukraine', lang: 'de' },
      { title: 'NATO tworzy misję dla Ukrainy', lang: 'pl' },
      { title: 'НАТО створює місію для України', lang: 'uk' },
    ],
  },
  'the fund as one item of a list': {
    label: 'ukraine-fund',
    passing: [
      { title: 'Ukraine’s wish list for NATO: Patriots, shells and trainers, as well as a fund', lang: 'en' },
      { title: 'Kiews Wunschliste an die Nato: Patriots, Granaten sowie ein Fonds für die Ukraine', lang: 'de' },
      { title: 'Lista życzeń Ukrainy wobec NATO: Patrioty, pociski, a także fundusz', lang: 'pl' },
      { title: 'Список побажань України до НАТО: ППО, снаряди, а також фонд', lang: 'uk' },
    ],
    subject: [
      { title: 'NATO allies discuss a fund for Ukraine', lang: 'en' },
      { title: 'Nato-Staaten beraten über einen Fonds für die Ukraine', lang: 'de' },
      { title: 'Państwa NATO rozmawiają o funduszu dla Ukrainy', lang: 'pl' },
      { title: 'Країни НАТО обговорюють фонд для України', lang: 'uk' },
    ],
  },
  'a summit as an invitation or as the occasion of another announcement': {
    label: 'nato-meetings',
    passing: [
      { title: 'NATO chief invites the Ukrainian president to the alliance summit', lang: 'en' },
      { title: 'Генсек НАТО пригласил президента Украины на саммит альянса', lang: 'ru' },
      { title: 'Генсек НАТО запросив президента України на саміт Альянсу', lang: 'uk' },
      {
        title: 'The new NATO command for Ukraine opens in Wiesbaden',
        summary: 'As announced at the Washington summit, NATO is setting up a command to coordinate aid for Ukraine.',
        lang: 'en',
      },
      {
        title: 'Il nuovo comando NATO per l’Ucraina apre a Wiesbaden',
        summary: 'La struttura, annunciata durante il vertice della NATO a Washington, coordinerà gli aiuti all’Ucraina.',
        lang: 'it',
      },
      {
        title: 'Aliados aprovam ajuda militar à Ucrânia',
        summary: 'A decisão foi tomada dias antes da cimeira da NATO em Haia.',
        lang: 'pt',
      },
    ],
    subject: [
      { title: 'NATO summit opens with Ukraine aid on the agenda', lang: 'en' },
      { title: 'Саммит НАТО в Вашингтоне одобрил новую помощь Украине', lang: 'ru' },
    ],
  },
  'another body’s summit, attended by the NATO chief': {
    label: 'nato-meetings',
    passing: [
      {
        title: 'Neues Nato-Kommando für die Ukraine soll bald arbeiten',
        summary: 'Der Nato-Generalsekretär sagte dies beim Gipfel der Europäischen Politischen Gemeinschaft über die Hilfe für die Ukraine.',
        lang: 'de',
      },
    ],
    subject: [{ title: 'Nato-Gipfel sagt der Ukraine neue Hilfe zu', lang: 'de' }],
  },
  'a summit named in a sentence of its own, in a story about something else': {
    label: 'nato-meetings',
    passing: [
      {
        title: 'Grain exports hit a record',
        summary: 'Ukraine’s ports shipped five million tonnes in June. Separately, NATO leaders prepare for their summit in Washington.',
        lang: 'en',
      },
      {
        title: 'Getreideexporte auf Rekordhoch',
        summary: 'Die Ukraine hat im Juni fünf Millionen Tonnen verschifft. Die Nato bereitet unterdessen ihren Gipfel vor.',
        lang: 'de',
      },
      {
        title: 'Rekordowy eksport zboża',
        summary: 'Ukraina wysłała w czerwcu pięć milionów ton. NATO przygotowuje tymczasem swój szczyt.',
        lang: 'pl',
      },
    ],
    subject: [
      {
        title: 'Grain exports hit a record',
        summary: 'NATO leaders at their summit in Washington promised Ukraine more air defence.',
        lang: 'en',
      },
      {
        title: 'Getreideexporte auf Rekordhoch',
        summary: 'Beim Nato-Gipfel sagten die Verbündeten der Ukraine mehr Luftabwehr zu.',
        lang: 'de',
      },
      {
        title: 'Rekordowy eksport zboża',
        summary: 'Na szczycie NATO sojusznicy obiecali Ukrainie więcej obrony powietrznej.',
        lang: 'pl',
      },
    ],
  },
};

describe('passing mentions carry no label', () => {
  for (const [kind, { label, passing, subject }] of Object.entries(kinds)) {
    describe(kind, () => {
      it.each(passing)(`no ${label}: $title`, ({ title, summary, lang }) => {
        expect(labelsOf(title, summary, lang)).not.toContain(label);
      });
      it.each(subject)(`${label}: $title`, ({ title, summary, lang }) => {
        expect(labelsOf(title, summary, lang)).toContain(label);
      });
    });
  }

  it('an aside discounts only the next mention: the same concept later in the item still counts', () => {
    const title = 'Unlike NATO’s mission in the Balkans, NATO’s new mission for Ukraine will coordinate deliveries';
    expect(labelsOf(title, '', 'en')).toContain('nato-mission');
  });

  it('an aside stops at the end of its clause', () => {
    // "ahead of" governs "the vote"; after the semicolon the summit is the subject again.
    expect(labelsOf('Ukraine lobbies allies ahead of the vote; NATO summit opens in Washington', '', 'en')).toContain('nato-meetings');
  });
});

describe('evidence names the sentence a label was decided on', () => {
  it('points at the lede sentence and quotes the concepts from it, not from earlier sentences', () => {
    const result = classifier.classify({
      title: 'Weekly round-up',
      summary: 'NATO said little on Monday. On Tuesday NATO defence ministers met in Brussels to discuss air defence for Ukraine.',
      lang: 'en',
    });
    expect(result.labels).toContain('nato-meetings');
    const evidence = result.evidence['nato-meetings']!;
    expect(evidence).toContain("sentence:2 ← 'On Tuesday NATO defence ministers met in Brussels to discuss air defence for Ukraine'");
    const nato = evidence.find((e) => e.startsWith('concept:nato '));
    expect(nato).toBe("concept:nato ← 'NATO'");
    // The deciding NATO is the one in sentence 2: the quote came from that unit, so the concept's
    // first-in-item mention (sentence 1) is not what the rule used.
    expect(evidence.some((e) => e.startsWith('concept:ministers ← '))).toBe(true);
  });

  it('names the headline when the headline alone decides', () => {
    const result = classifier.classify({ title: 'NATO summit in Washington agrees new support for Ukraine', summary: 'Leaders met for two days.' });
    expect(result.evidence['nato-meetings']).toContain("sentence:title ← 'NATO summit in Washington agrees new support for Ukraine'");
  });

  it('cuts a long sentence at a word', () => {
    const long = `NATO defence ministers met in Brussels to discuss air defence for Ukraine and ${'many other pressing matters '.repeat(8)}today.`;
    const line = classifier.classify({ title: 'Round-up', summary: long }).evidence['nato-meetings']!.find((e) => e.startsWith('sentence:1'))!;
    expect(line.length).toBeLessThan(200);
    expect(line).toMatch(/ matters…'$|pressing…'$|other…'$|many…'$/);
  });

  it('the built-in pack validates with its asides', () => {
    expect(Object.values(defaultTopicPack().concepts).filter((c) => c.asides !== undefined).length).toBeGreaterThanOrEqual(6);
  });
});
