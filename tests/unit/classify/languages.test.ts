import { describe, expect, it } from 'vitest';
import { labelsOf, type Example } from './classify-helpers.ts';

// Own sentences per language (Spanish has no dev items at all); inflected forms on purpose.
const examples: Record<string, Example[]> = {
  en: [
    { title: 'Alliance mulls five-year, €100bn war chest to keep Kyiv armed', labels: ['ukraine-fund'] },
    { title: 'House Speaker finally schedules vote on Ukraine weapons funding', summary: 'The $61bn package has been stuck for months.', labels: ['us-aid'] },
    { title: 'NATO foreign ministers gather in Brussels with Kyiv’s air defence needs on the table', labels: ['nato-meetings'] },
  ],
  uk: [
    { title: 'НАТО пропонує створити фонд на 100 мільярдів євро для України', summary: 'Генсек альянсу хоче, щоб союзники фінансували військову допомогу на п’ять років наперед.', labels: ['ukraine-fund'] },
    { title: 'США відновили постачання зброї Україні', summary: 'Пентагон зняв паузу на відправку боєприпасів.', labels: ['us-aid'] },
    { title: 'Міністри оборони НАТО зібралися в Брюсселі, щоб обговорити підтримку України', labels: ['nato-meetings'] },
    { title: 'Командування NSATU у Вісбадені запрацювало на повну', labels: ['nato-mission'] },
    { title: 'В Україні збільшили виробництво снарядів і дронів', summary: 'Партнери фінансують оборонну промисловість за данською моделлю.', labels: ['defense-industry'] },
  ],
  de: [
    { title: 'Nato plant Milliardenfonds für die Ukraine', summary: 'Generalsekretär Stoltenberg schlägt vor, über fünf Jahre 100 Milliarden Euro bereitzustellen.', labels: ['ukraine-fund'] },
    { title: 'US-Kongress gibt Milliardenhilfe für Kiew frei', summary: 'Nach monatelanger Blockade bewilligt das Repräsentantenhaus neue Waffenlieferungen an die Ukraine.', labels: ['us-aid'] },
    { title: 'Nato-Kommando in Wiesbaden übernimmt Koordinierung der Ukraine-Hilfe', labels: ['nato-mission'] },
    { title: 'Rheinmetall verdreifacht Produktion von Artilleriemunition', summary: 'Der Konzern baut neue Werke, auch um die Ukraine zu beliefern.', labels: ['defense-industry'] },
  ],
  fr: [
    { title: 'L’Otan propose un fonds pluriannuel de 100 milliards pour Kiev', labels: ['ukraine-fund'] },
    { title: 'Washington suspend ses livraisons d’armes à l’Ukraine', summary: 'Le Pentagone réexamine ses stocks de munitions.', labels: ['us-aid'] },
    { title: 'L’Alliance prend le relais pour coordonner l’aide militaire à l’Ukraine', summary: 'Un commandement installé à Wiesbaden pilotera la formation et les livraisons.', labels: ['nato-mission'] },
    { title: 'Sommet de l’Otan à Washington : les Alliés promettent 40 milliards d’euros à l’Ukraine', labels: ['nato-meetings', 'ukraine-fund'] },
  ],
  pl: [
    { title: 'NATO chce stworzyć fundusz dla Ukrainy o wartości 100 mld euro', summary: 'Sekretarz generalny proponuje wieloletnie finansowanie pomocy wojskowej.', labels: ['ukraine-fund'] },
    { title: 'Kongres USA zatwierdził pakiet pomocy wojskowej dla Ukrainy', labels: ['us-aid'] },
    { title: 'Dowództwo NATO w Wiesbaden koordynuje szkolenia ukraińskich żołnierzy', labels: ['nato-mission'] },
    { title: 'Szczyt NATO w Hadze: sojusznicy zobowiązują się do wydatków 5 proc. PKB na obronność', summary: 'Wsparcie dla Ukrainy będzie wliczane do celu.', labels: ['defense-industry', 'nato-meetings'] },
  ],
  es: [
    { title: 'La OTAN propone un fondo de 100.000 millones de euros para Ucrania', summary: 'El secretario general quiere un compromiso plurianual de los aliados.', labels: ['ukraine-fund'] },
    { title: 'El Congreso de EE. UU. aprueba la ayuda militar a Ucrania', summary: 'El paquete incluye munición de artillería y defensa aérea.', labels: ['us-aid'] },
    { title: 'La OTAN asume la coordinación de la ayuda militar a Ucrania desde Wiesbaden', labels: ['nato-mission'] },
    { title: 'Cumbre de la OTAN en La Haya: los aliados acuerdan gastar el 5 % del PIB en defensa', summary: 'El apoyo a Ucrania figura en la declaración final.', labels: ['defense-industry', 'nato-meetings'] },
    { title: 'Fabricantes europeos aumentan la producción de munición para Ucrania', labels: ['defense-industry'] },
  ],
};

const negatives: Record<string, Example> = {
  uk: { title: 'МВФ виділив Україні новий транш', summary: 'Кошти підуть на підтримку бюджету.', labels: [] },
  de: { title: 'Schweden tritt der Nato bei', summary: 'Die Beitrittsurkunde wurde in Washington hinterlegt.', labels: [] },
  fr: { title: 'La mission européenne EUMAM forme des pilotes ukrainiens', labels: [] },
  pl: { title: 'Rosyjski atak rakietowy na Lwów', summary: 'Zginęło siedem osób, a kilkadziesiąt zostało rannych.', labels: [] },
  es: { title: 'La misión de la UE entrena a soldados ucranianos en España', labels: [] },
};

describe('every language of the guide (and Spanish)', () => {
  for (const [lang, list] of Object.entries(examples)) {
    it.each(list)(`${lang}: $title`, ({ title, summary, labels }) => {
      expect(labelsOf(title, summary, lang)).toEqual(labels);
    });
  }

  it.each(Object.entries(negatives))('%s hard negative stays unlabelled', (lang, { title, summary }) => {
    expect(labelsOf(title, summary, lang)).toEqual([]);
  });

  it('does not depend on the lang field being present', () => {
    for (const list of Object.values(examples)) {
      for (const { title, summary, labels } of list) expect(labelsOf(title, summary)).toEqual(labels);
    }
  });

  it('handles Ukrainian and Polish inflection through stems, not listed forms', () => {
    // Locative, genitive and instrumental forms of Ukraine/Kyiv and of "fund".
    expect(labelsOf('Союзники по НАТО обговорюють фондом для Києва', 'Альянс хоче п’ятирічне фінансування', 'uk')).toEqual(['ukraine-fund']);
    expect(labelsOf('Fundusze NATO dla Kijowa', 'Sojusz planuje wieloletnie wsparcie dla Ukrainie', 'pl')).toEqual(['ukraine-fund']);
  });
});
