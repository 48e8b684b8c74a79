import { describe, expect, it } from 'vitest';
import { classifier, labelsOf, type Example } from './classify-helpers.ts';

// The same substance in wording a different writer might use.
const paraphrases: Example[] = [
  { title: 'The alliance’s multi-year money pledge for Kyiv hits resistance', labels: ['ukraine-fund'] },
  { title: 'Italy and Spain resist binding NATO contributions for Kyiv', summary: 'Rome prefers voluntary national packages to a fixed alliance-wide share.', labels: ['ukraine-fund'] },
  { title: 'Allies squabble over who pays for NATO’s Ukraine commitment', summary: 'Southern members balk at a GDP-based key for the annual contributions.', labels: ['ukraine-fund'] },
  { title: 'Hungary’s Orbán vows to veto NATO’s Ukraine money plan', summary: 'Budapest will not contribute to the multi-year scheme.', labels: ['ukraine-fund'] },
  { title: 'The Wiesbaden command gets its first commander', labels: ['nato-mission'] },
  { title: 'What the Ramstein group does, and why NATO wants the job', summary: 'Allies want the alliance’s own command structure to take on that coordination.', labels: ['nato-mission'] },
  { title: 'Ukraine aid coordination moves from Pentagon to NATO', summary: 'The handover of the US-run coordination cell in Germany is complete.', labels: ['nato-mission'] },
  { title: 'NATO opens Ukraine assistance headquarters in Germany', summary: 'Around 700 personnel will plan training and equipment deliveries.', labels: ['nato-mission'] },
  { title: 'Allies hope NATO structure can Trump-proof support for Kyiv', labels: ['nato-mission'] },
  { title: 'Trump administration lifts pause on weapons shipments to Kyiv', summary: 'Deliveries of interceptors will resume this week.', labels: ['us-aid'] },
  { title: 'Netherlands and Germany fund package of American-made air defence for Ukraine', summary: 'The purchases run through the PURL arrangement.', labels: ['us-aid'] },
  { title: 'Biden administration rushes weapons to Kyiv before inauguration', summary: 'Officials want to use all remaining drawdown authority.', labels: ['us-aid'] },
  { title: 'Zelensky to attend NATO summit in Washington', summary: 'He will press leaders for more air defence.', labels: ['nato-meetings'] },
  { title: 'NATO-Ukraine Council convenes after strike on Kharkiv', summary: 'Ambassadors discussed additional air defence for Ukraine.', labels: ['nato-meetings'] },
  { title: 'Europe’s arms makers struggle to triple missile output', summary: 'Demand from Ukraine has outpaced capacity at European plants.', labels: ['defense-industry'] },
  { title: 'Czech-led shell initiative runs short of cash', summary: 'Donors must pay for the next batch of artillery ammunition for Ukraine.', labels: ['defense-industry'] },
  {
    title: 'Washington summit ends with €40bn floor for Ukraine aid and new NATO command',
    summary: 'Leaders agreed NSATU and an annual baseline of military support for Kyiv.',
    labels: ['nato-meetings', 'nato-mission', 'ukraine-fund'],
  },
];

describe('paraphrases of the guide’s topics', () => {
  it.each(paraphrases)('$title', ({ title, summary, labels }) => {
    expect(labelsOf(title, summary)).toEqual(labels);
  });

  it('explains a paraphrase with the concepts it matched', () => {
    const { evidence } = classifier.classify({ title: 'The Wiesbaden command gets its first commander', summary: '' });
    expect(evidence['nato-mission']).toEqual(expect.arrayContaining(['rule:wiesbaden-command', "concept:wiesbaden ← 'Wiesbaden'", "concept:command ← 'command'"]));
  });
});
