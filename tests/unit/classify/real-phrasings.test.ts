import { describe, expect, it } from 'vitest';
import { classifier, labelsOf, type Example } from './classify-helpers.ts';

/**
 * How outlets name the story without its usual words: the NATO command by its country ("the new
 * NATO headquarters in Germany"), the US aid gap as money running out, the foreign ministers as
 * "глав МИД", a summit by its city and communiqué. Each phrasing has its near misses beside it.
 */
const phrasings: Example[] = [
  { title: 'Rutte: new NATO headquarters in Germany will change things for Ukraine on the battlefield', labels: ['nato-mission'] },
  { title: 'Nowe dowództwo NATO w Niemczech pokieruje pomocą dla Ukrainy', labels: ['nato-mission'] },
  { title: 'Рютте: новый штаб НАТО для Украины', summary: 'Новый штаб НАТО в Германии будет иметь значение для украинских воинов.', labels: ['nato-mission'] },
  { title: 'White House warns US money for Ukraine runs out by the end of the year', summary: 'Congress must pass the supplemental soon.', labels: ['us-aid'] },
  { title: 'US-Geld für die Ukraine geht zur Neige', summary: 'Das Weiße Haus drängt den Kongress zu einer Einigung.', labels: ['us-aid'] },
  { title: "L'argent américain pour l'Ukraine s'épuise, avertit la Maison Blanche", labels: ['us-aid'] },
  { title: 'Столтенберг: НАТО обсуждает новый фонд для Украины', summary: 'Об этом он сказал на пресс-конференции по итогам встречи глав МИД стран НАТО.', labels: ['nato-meetings', 'ukraine-fund'] },
  // Europe's output measured against Russia's is still allied output.
  { title: 'The EU aims to produce 2.5 million shells a year', summary: "EU countries are speeding up ammunition production and will reach the level of Russia's production next year.", labels: ['defense-industry'] },
  { title: 'Cesta Ukrajiny do NATO je nezvratná. Chystá se komuniké', summary: 'Společné komuniké spojenců NATO, kteří se sešli ve Washingtonu, upevní závazek vůči Ukrajině.', labels: ['nato-meetings'] },
];

const nearMisses: Example[] = [
  // Another NATO command in Germany, with nothing of Ukraine in it.
  { title: "NATO's new command in Germany will support troop movements to the eastern flank", labels: [] },
  { title: 'Zelensky visits NATO headquarters in Brussels', summary: 'He met the Secretary General.', labels: [] },
  // Others running out: Russia's missiles, Ukraine's own budget (an IMF matter), not US aid.
  { title: 'Russia is running out of missiles, US intelligence says, as strikes on Ukraine slow', labels: [] },
  { title: "Ukraine's budget money runs out, US urges the IMF to speed up its loan", labels: [] },
  { title: 'EU money for Ukraine runs out as the US looks on', labels: [] },
  // Russia's output alone is not allied production.
  { title: "Russia's production of shells outpaces its losses, analysts say", labels: [] },
  // A summit as the deadline for the fund is the fund's story, not a report on the summit.
  { title: 'Створення фонду для України до липня', summary: 'Столтенберг висловив надію, що до липневого саміту Альянсу союзники домовляться про створення нового довгострокового фонду для України.', labels: ['ukraine-fund'] },
  { title: 'Allies hope to agree the Ukraine fund by the July summit', summary: 'NATO diplomats say a multi-year fund of 100 billion euros is still under discussion.', labels: ['ukraine-fund'] },
  // A city and a communiqué of another body.
  { title: 'G7 ministers in Washington issue a communiqué on Ukraine reconstruction', labels: [] },
];

describe('how outlets name the story in other words', () => {
  it.each(phrasings)('$title', ({ title, summary, labels }) => {
    expect(labelsOf(title, summary)).toEqual(labels);
  });

  it.each(nearMisses)('not: $title', ({ title, summary, labels }) => {
    expect(labelsOf(title, summary)).toEqual(labels);
  });

  it('names the rule that read the command by its country', () => {
    const { evidence } = classifier.classify({ title: 'Rutte: new NATO headquarters in Germany will change things for Ukraine on the battlefield', summary: '' });
    expect(evidence['nato-mission']).toEqual(expect.arrayContaining(['rule:alliance-command-in-germany', "concept:command-in-germany ← 'headquarters in Germany'"]));
  });
});
