import { describe, expect, it } from 'vitest';
import { createDuplicateCounts } from '#shared/pipeline/duplicate-counts.ts';
import { heldCalls } from '#tests/support/held-calls.ts';

/** Counter writes that stay open until released, recorded as `id+by`. */
function heldWrites(fail: (id: string) => boolean = () => false) {
  const held = heldCalls((id: string, _by: number) => (fail(id) ? new Error('throttled') : undefined));
  return {
    get writes() {
      return held.calls.map(([id, by]) => `${id}+${by}`);
    },
    write: held.call,
    releaseAll: held.releaseAll,
  };
}

describe('duplicate counts during a cycle', () => {
  it('counts at once on a first report stored by an earlier cycle', async () => {
    const held = heldWrites();
    const counts = createDuplicateCounts({ isStored: (id) => id === 'old', write: held.write });
    counts.add('old');
    expect(held.writes).toEqual(['old+1']);
    await held.releaseAll();
    expect(await counts.settle()).toEqual([]);
    expect(held.writes).toEqual(['old+1']);
  });

  it('waits until a first report of this cycle is stored, then writes all its copies at once', async () => {
    const held = heldWrites();
    const stored = new Set<string>();
    const counts = createDuplicateCounts({ isStored: (id) => stored.has(id), write: held.write });
    counts.add('new');
    counts.add('new');
    expect(held.writes).toEqual([]);
    stored.add('new');
    counts.stored('new');
    expect(held.writes).toEqual(['new+2']);
    await held.releaseAll();
    await counts.settle();
    expect(held.writes).toEqual(['new+2']);
  });

  it('adds up copies that arrive while a count is being written and writes them together next', async () => {
    const held = heldWrites();
    const counts = createDuplicateCounts({ isStored: () => true, write: held.write });
    counts.add('story');
    counts.add('story');
    counts.add('story');
    expect(held.writes).toEqual(['story+1']);
    await held.releaseAll();
    expect(held.writes).toEqual(['story+1', 'story+2']);
    await counts.settle();
  });

  it('writes what is left when the cycle ends, and reports a count it could not write', async () => {
    const held = heldWrites((id) => id === 'flaky');
    const counts = createDuplicateCounts({ isStored: (id) => id === 'flaky', write: held.write });
    counts.add('never-stored');
    counts.add('flaky');
    const settled = counts.settle();
    await held.releaseAll();
    expect(await settled).toEqual(['duplicate count of flaky left 1 short: throttled']);
    expect([...held.writes].sort()).toEqual(['flaky+1', 'never-stored+1']);
  });

  it('only ever adds: a failed write is reported, and later copies add only themselves', async () => {
    let shakyAnswers = 0;
    const held = heldWrites((id) => id === 'shaky' && ++shakyAnswers === 1);
    const counts = createDuplicateCounts({ isStored: () => true, write: held.write });
    counts.add('shaky');
    await held.releaseAll();
    counts.add('shaky');
    const warnings = counts.settle();
    await held.releaseAll();
    expect(held.writes).toEqual(['shaky+1', 'shaky+1']);
    expect(await warnings).toEqual(['duplicate count of shaky left 1 short: throttled']);
  });
});
