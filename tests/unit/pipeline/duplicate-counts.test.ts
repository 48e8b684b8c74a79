import { describe, expect, it } from 'vitest';
import { createDuplicateCounts } from '#shared/pipeline/duplicate-counts.ts';
import { heldCalls } from '#tests/support/held-calls.ts';

/** Counter writes that stay open until released, recorded as `id+by`. */
function heldWrites(fail: (id: string) => boolean = () => false) {
  const held = heldCalls((id: string, _by: number, _total?: number) => (fail(id) ? new Error('throttled') : undefined));
  return {
    get writes() {
      return held.calls.map(([id, by]) => `${id}+${by}`);
    },
    /** The totals handed with each write, `-` where none was (a first report of an earlier cycle). */
    get totals() {
      return held.calls.map(([id, , total]) => `${id}=${total ?? '-'}`);
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

  it('hands the running total with each write for a first report stored by this cycle, and none for an older one', async () => {
    let shakyAnswers = 0;
    const held = heldWrites((id) => id === 'shaky' && ++shakyAnswers === 1);
    const stored = new Set<string>(['old']);
    const counts = createDuplicateCounts({ isStored: (id) => stored.has(id), write: held.write });
    counts.add('old');
    counts.add('shaky');
    counts.add('shaky');
    stored.add('shaky');
    counts.stored('shaky');
    await held.releaseAll();
    counts.add('shaky');
    await held.releaseAll();
    counts.add('old');
    const warnings = counts.settle();
    await held.releaseAll();
    // The first write for `shaky` failed; the next one's total still includes its two copies,
    // so nothing is left short.
    expect(await warnings).toEqual([]);
    expect(held.totals).toEqual(['old=-', 'shaky=2', 'shaky=3', 'old=-']);
  });
});
