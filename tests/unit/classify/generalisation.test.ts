import { describe, expect, it } from 'vitest';
import { createClassifier } from '#shared/classify/classifier.ts';
import { parseTopicPack } from '#shared/classify/topic-pack.ts';
import { labelsOf, type Example } from './classify-helpers.ts';

// Sentences written for the generalisation round, one group per concept the guide-written set
// showed missing or too loose. None is copied from an evaluation item: each group restates the
// concept in other words and other languages, and pairs it with near misses that must stay out.

const byConcept: Record<string, Example[]> = {
  'US pauses or resumes deliveries (Ukraine often left implicit)': [
    { title: 'White House freezes shipments of artillery shells pending a stockpile audit', labels: ['us-aid'] },
    { title: 'Pentagon stoppt Munitionslieferungen wegen knapper Bestände', lang: 'de', labels: ['us-aid'] },
    { title: 'Waszyngton wstrzymuje dostawy pocisków Patriot', lang: 'pl', labels: ['us-aid'] },
    { title: 'Пентагон призупинив поставки снарядів і ракет ППО', lang: 'uk', labels: ['us-aid'] },
    { title: 'Trump pulls the plug on HIMARS shipments, then restores them a week later', labels: ['us-aid'] },
  ],
  'presidential drawdowns and US army stocks': [
    { title: 'Biden uses last presidential drawdown to send HIMARS rockets before leaving office', labels: ['us-aid'] },
    { title: 'Washington puise dans les stocks américains pour un dernier envoi d’obus', lang: 'fr', labels: ['us-aid'] },
    { title: 'Новий пакет зі складів армії США: снаряди та ракети для ППО', lang: 'uk', labels: ['us-aid'] },
  ],
  'asking the US for weapons': [
    { title: 'Kyiv asks Washington for more Patriot batteries', labels: ['us-aid'] },
    { title: 'Selenskyj bittet die USA um weitere Patriot-Systeme für die Ukraine', lang: 'de', labels: ['us-aid'] },
    { title: 'Ucrania pide a Estados Unidos más misiles para su defensa aérea', lang: 'es', labels: ['us-aid'] },
  ],
  'capability targets at a ministerial are defence industry': [
    { title: 'Allies sign up to tougher NATO capability goals for air defence', labels: ['defense-industry'] },
    { title: 'NATO-Verteidigungsminister beschließen neue Fähigkeitsziele, auch mit Blick auf die Ukraine', lang: 'de', labels: ['defense-industry', 'nato-meetings'] },
    { title: 'Les ministres de l’OTAN adoptent des objectifs capacitaires plus ambitieux', lang: 'fr', labels: ['defense-industry', 'nato-meetings'] },
  ],
  'a GDP share named for defence, without a spending word': [
    { title: 'Allies aim for 3.5% of GDP on core defence by the next decade', labels: ['defense-industry'] },
    { title: 'Los aliados se comprometen a llegar al 5 % del PIB para la defensa', lang: 'es', labels: ['defense-industry'] },
    { title: 'Polska chce 4,7 proc. PKB na obronność w przyszłym roku', lang: 'pl', labels: ['defense-industry'] },
  ],
  'artillery guns and named systems coming off production lines': [
    { title: 'Le groupe accélère la fabrication de canons automoteurs', lang: 'fr', labels: ['defense-industry'] },
    { title: 'Huta Stalowa Wola zwiększa produkcję armatohaubic Krab', lang: 'pl', labels: ['defense-industry'] },
    { title: 'Україна нарощує виробництво гармат «Богдана»', lang: 'uk', labels: ['defense-industry'] },
  ],
  'a NATO-Ukraine centre for training and lessons learned is the mission': [
    { title: 'NATO and Ukraine open a joint centre to analyse battlefield lessons and train troops', labels: ['nato-mission'] },
    { title: 'L’OTAN crée un centre commun d’entraînement avec l’Ukraine', lang: 'fr', labels: ['nato-mission'] },
    { title: 'W Polsce powstanie centrum NATO do szkolenia ukraińskich żołnierzy', lang: 'pl', labels: ['nato-mission'] },
  ],
  'ministers in other grammatical cases': [
    { title: 'Sekretarz generalny przedstawi ministrom obrony w Brukseli plan wsparcia Ukrainy', lang: 'pl', labels: ['nato-meetings'] },
    { title: 'Rutte legt den NATO-Ministern in Brüssel neue Ukraine-Hilfen vor', lang: 'de', labels: ['nato-meetings'] },
  ],
  'the House acting on the aid bill, in other verbs': [
    { title: 'House backs long-delayed Ukraine aid in a weekend vote', labels: ['us-aid'] },
    { title: 'Ukraine package finally passes the House with Democratic votes', labels: ['us-aid'] },
  ],
  'output and ramp-up in Ukrainian and Polish': [
    { title: 'Завод удвічі збільшив випуск 155-мм снарядів', lang: 'uk', labels: ['defense-industry'] },
    { title: 'Mesko chce zwiększyć produkcję pocisków przeciwlotniczych', lang: 'pl', labels: ['defense-industry'] },
  ],
  'foreign ministers by their other names': [
    { title: 'NATO’s top diplomats meet in Brussels with Ukraine high on the agenda', labels: ['nato-meetings'] },
    { title: 'Los cancilleres de la OTAN debaten en Bruselas el apoyo a Ucrania', lang: 'es', labels: ['nato-meetings'] },
    { title: 'Szefowie dyplomacji NATO rozmawiali w Brukseli o wsparciu dla Ukrainy', lang: 'pl', labels: ['nato-meetings'] },
  ],
  'a GDP percentage set by the alliance is the spending goal': [
    { title: 'Rutte tells allies NATO needs well over 3% of GDP', labels: ['defense-industry'] },
  ],
  'Hungary opting out of paying into the alliance effort': [
    { title: 'Budapest zahlt nicht in den NATO-Topf für die Ukraine ein, blockiert ihn aber nicht', lang: 'de', labels: ['ukraine-fund'] },
    { title: 'Orbán: Węgry nie zapłacą na natowski fundusz dla Ukrainy', lang: 'pl', labels: ['ukraine-fund'] },
  ],
};

// Near misses for the same concepts: wording that shares words with them but not the substance.
const nearMisses: Record<string, { example: Omit<Example, 'labels'>; notLabel: string }[]> = {
  '"fund" as a verb is no fund': [
    { example: { title: 'Berlin raises borrowing to fund Ukraine aid and its NATO commitments' }, notLabel: 'ukraine-fund' },
    { example: { title: 'Spain will help fund air defence for Kyiv outside the NATO framework' }, notLabel: 'ukraine-fund' },
  ],
  '"at least" and "targets" count for the fund only with money': [
    { example: { title: 'Allies urged to send at least ten more air-defence systems to Ukraine', summary: 'NATO’s chief made the appeal at a press conference.' }, notLabel: 'ukraine-fund' },
    { example: { title: 'Kuleba fordert von der NATO mindestens sieben Patriot-Systeme für die Ukraine', lang: 'de' }, notLabel: 'ukraine-fund' },
    { example: { title: 'NATO sets new targets for allied air defence after lessons from Ukraine' }, notLabel: 'ukraine-fund' },
  ],
  'Hungary staying out of the mission is not the fund': [
    { example: { title: 'Hungary will stay out of NATO’s new Ukraine training command', summary: 'Budapest will send no officers to Wiesbaden.' }, notLabel: 'ukraine-fund' },
  ],
  'a GDP share for Ukraine is the fund, not the spending goal': [
    { example: { title: 'Allies weigh giving 0.25% of GDP to Ukraine every year' }, notLabel: 'defense-industry' },
  ],
  'the US named among donors to NATO’s pledge is not US aid': [
    { example: { title: 'NATO tally: allies gave €50bn in military aid to Ukraine last year, above the annual pledge', summary: 'The US, Germany and Britain provided the most.' }, notLabel: 'us-aid' },
  ],
  'a US pause for another recipient is not US aid to Ukraine': [
    { example: { title: 'Pentagon halts deliveries of missiles to Taiwan over production delays' }, notLabel: 'us-aid' },
  ],
  'contracts paying for a US package are not industry': [
    { example: { title: 'New package pairs a drawdown with USAI contracts for Kyiv’s air defence' }, notLabel: 'defense-industry' },
  ],
};

const negatives: Example[] = [
  // power plants and output in energy-strike reports
  { title: 'Russian missiles cut Ukraine’s power output by a third after overnight strikes', labels: [] },
  { title: 'Drone strike knocks out two thermal power plants near Kharkiv', labels: [] },
  { title: 'Raketenangriff trifft Kraftwerk in Lwiw', lang: 'de', labels: [] },
  // US pauses that are not Ukraine's
  { title: 'US pauses shipment of heavy bombs to Israel', labels: [] },
  { title: 'Pentagon halts deliveries of bombs to Taiwan pending a review', labels: [] },
  { title: 'US drawdown of troops from Romania worries the eastern flank', labels: [] },
  // cyber centres are not the aid mission
  { title: 'NATO cyber defence centre in Tallinn hosts Ukrainian experts for training', labels: [] },
  // asking for things that are not US weapons
  { title: 'Ukraine asks the IMF for a new loan tranche', labels: [] },
];

describe('generalisation: concepts beyond the evaluation items', () => {
  for (const [concept, examples] of Object.entries(byConcept)) {
    it.each(examples)(`${concept}: $title`, ({ title, summary, lang, labels }) => {
      expect(labelsOf(title, summary, lang)).toEqual(labels);
    });
  }

  for (const [concept, cases] of Object.entries(nearMisses)) {
    it.each(cases.map((c) => ({ ...c.example, notLabel: c.notLabel })))(`${concept}: $title`, ({ title, summary, lang, notLabel }) => {
      expect(labelsOf(title, summary, lang)).not.toContain(notLabel);
    });
  }

  it.each(negatives)('stays negative: $title', ({ title, summary, lang }) => {
    expect(labelsOf(title, summary, lang)).toEqual([]);
  });
});

describe('concept exceptions (word senses)', () => {
  const pack = parseTopicPack({
    version: 1,
    id: 'except-demo',
    concepts: {
      fund: { terms: { en: ['fund'] }, except: { en: ['to fund', 'help fund'] } },
      plant: { terms: { en: ['plant*'], de: ['*werk'] }, except: { en: ['power plant*'], de: ['*kraftwerk'] } },
    },
    topics: [
      { id: 'fund', title: 'fund', rules: [{ id: 'fund', weight: 0.9, all: ['fund'] }] },
      { id: 'plant', title: 'plant', rules: [{ id: 'plant', weight: 0.9, all: ['plant'] }] },
    ],
  });
  const demo = createClassifier(pack);
  const labels = (title: string, lang?: string) => demo.classify({ title, summary: '', lang }).labels;

  it('drops a term inside an exception phrase and keeps it elsewhere in the same item', () => {
    expect(labels('Allies agree to fund more shells')).toEqual([]);
    expect(labels('Allies agree to fund the new fund')).toEqual(['fund']);
    expect(labels('Strike hits two power plants')).toEqual([]);
    expect(labels('Strike hits power plant near an ammunition plant')).toEqual(['plant']);
  });

  it('applies exceptions per language, German tails included', () => {
    expect(labels('Angriff auf Kraftwerk', 'de')).toEqual([]);
    expect(labels('Munitionswerk erweitert', 'de')).toEqual(['plant']);
  });

  it('names a malformed exception by JSON path', () => {
    expect(() =>
      parseTopicPack({ ...pack, concepts: { ...pack.concepts, fund: { terms: { en: ['fund'] }, except: { en: ['*x'] } } } }),
    ).toThrow('$.concepts.fund.except.en[0]');
  });
});
