import { describe, expect, it } from 'vitest';
import { labelsOf } from './classify-helpers.ts';

// Written for this test; none is copied from an evaluation item.
describe('us-aid by substance', () => {
  it('a military package whose lede also funds refugees is still US aid', () => {
    expect(
      labelsOf('US House passes $20bn in aid for Ukraine', 'Lawmakers approved the bill, which also supports countries hosting refugees from the war.', 'en'),
    ).toContain('us-aid');
  });
  it('a headline about humanitarian aid is not military aid', () => {
    expect(labelsOf('US sends humanitarian aid to Ukraine', 'The shipment holds food and medicine.', 'en')).not.toContain('us-aid');
  });
  it('a Ramstein contact-group meeting on priorities is not US aid', () => {
    expect(
      labelsOf('Allies discuss air defence at Ramstein', 'At the Ukraine Defense Contact Group meeting, the Defense Secretary stressed support for Ukraine’s air defense.', 'en'),
    ).not.toContain('us-aid');
  });
});

describe('defence production by substance', () => {
  it('US-manufactured weapons name where arms come from, not allied output', () => {
    expect(
      labelsOf('Allies pay for US weapons for Ukraine', 'The first US-manufactured weapons bought by European allies will reach Ukraine within weeks.', 'en'),
    ).not.toContain('defense-industry');
  });
});

describe('the fund by substance', () => {
  it('contributions to the older Comprehensive Assistance Package are not the multi-year NATO fund', () => {
    expect(
      labelsOf('NATO chief asks allies for more non-lethal help for Ukraine', 'He urged members to raise yearly contributions to the fund of the Comprehensive Assistance Package for Ukraine.', 'en'),
    ).not.toContain('ukraine-fund');
  });
  it('the new fund with its figure is still the fund', () => {
    expect(labelsOf('NATO proposes a €100bn five-year fund for Ukraine', '', 'en')).toContain('ukraine-fund');
  });
});
