import { describe, expect, it } from 'vitest';
import { classifier, labelsOf } from './classify-helpers.ts';

// One or more items per kind of hard negative in the labeling guide.
const negatives: Record<string, [string, string][]> = {
  'battlefield news mentioning NATO in passing': [
    ['Ukraine repels Russian assault near Chasiv Yar', 'Troops using Western-supplied armoured vehicles held their positions; NATO allies continue to watch the front closely.'],
    ['Missile strike on Kyiv kills 20 as NATO leaders head to summit', 'Rescuers searched the rubble of a children’s hospital.'],
  ],
  'grain, energy and peace talks': [
    ['Ukrainian grain ships defy Russian threats in Black Sea', ''],
    ['Ukraine’s Zelensky addresses a peace summit in Switzerland', 'Dozens of countries attended the gathering at Bürgenstock.'],
  ],
  'EU Ukraine Facility and other EU money': [
    ['EU leaders agree €50bn Ukraine Facility at Brussels summit', 'Hungary lifted its veto after weeks of negotiations.'],
    ['Ukraine Facility tranche of €4bn paid to Kyiv', 'The Commission said reforms were on track.'],
  ],
  'IMF, World Bank, G7 loans and reconstruction': [
    ['G7 leaders back $50bn Ukraine loan at Apulia summit', 'The money will be serviced with windfall profits from frozen Russian assets.'],
    ['World Bank approves $1.5bn for Ukraine’s public payroll', 'The loan supports teachers’ salaries.'],
    ['Oslo conference raises €1bn for Ukrainian demining', ''],
  ],
  'other funds': [
    ['NATO Innovation Fund invests in Ukrainian drone start-up', 'The alliance-backed venture capital fund led a €12m round.'],
    ['Norway’s oil fund posts record return', 'The sovereign wealth fund gained on technology shares.'],
    ['City council’s Ukraine fund buys ambulances', 'Donations from residents paid for three vehicles.'],
  ],
  'other missions': [
    ['EU’s EUMAM mission to train 15,000 more Ukrainian troops', 'The European Union’s military assistance mission expands its courses.'],
    ['NATO-led KFOR mission sends reinforcements to northern Kosovo', ''],
    ['Italian jets take over NATO air policing mission over the Baltics', ''],
    ['Lunar mission launch delayed again', 'The spacecraft will carry four astronauts.'],
  ],
  'NATO news with no Ukraine-support angle': [
    ['Sweden attends first NATO summit as full member', 'Its prime minister said the country would contribute to Arctic defence.'],
    ['Finland hosts NATO’s northern exercise as alliance trains for Arctic war', ''],
    ['Russian hackers target NATO cyber centre in Estonia', ''],
    ['North Atlantic Council appoints Mark Rutte as next Secretary General', ''],
  ],
  'US aid that is not military aid to Ukraine': [
    ['USAID freeze halts Ukraine health programmes', 'The US humanitarian agency’s funding pause hits hospitals.'],
    ['US approves $2bn arms sale to Taiwan', 'The State Department cleared missile systems for Taipei.'],
  ],
  'summits of other bodies': [
    ['G7 summit in Canada: Zelensky meets leaders', 'The group issued no joint statement on the war.'],
    ['European Political Community meets in Tirana', 'Leaders discussed migration and the war in Ukraine.'],
  ],
  'Russian war production': [['Russia triples shell production with North Korean help', 'Moscow now makes three million artillery rounds a year.']],
};

describe('hard negatives from the labeling guide', () => {
  for (const [kind, items] of Object.entries(negatives)) {
    it.each(items)(`${kind}: %s`, (title, summary) => {
      expect(labelsOf(title, summary)).toEqual([]);
    });
  }

  it('names the veto that overruled the NATO Innovation Fund', () => {
    const result = classifier.classify({
      title: 'NATO Innovation Fund backs Ukrainian battlefield-AI start-up',
      summary: 'The venture capital fund co-led the round.',
    });
    expect(result.labels).toEqual([]);
    expect(result.evidence['ukraine-fund']).toContain("veto:innovation-fund ← 'Innovation Fund'");
    expect(result.scores['ukraine-fund']).toBeLessThan(0.5);
  });

  it('keeps an EU instrument when the item ties it to NATO’s fund', () => {
    expect(labelsOf('Could European Peace Facility money count toward NATO’s Ukraine fund?', '')).toEqual(['ukraine-fund']);
  });
});
