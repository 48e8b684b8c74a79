import { describe, expect, it } from 'vitest';
import { createGroupCommit } from '#shared/store/group-commit.ts';
import { heldCalls } from '#tests/support/held-calls.ts';

/** A `send` that holds every request until released and records what each carried. */
function recordingSend(fail: (items: string[]) => boolean = () => false) {
  const held = heldCalls((items: string[]) => (fail(items) ? new Error(`rejected ${items.join(',')}`) : items.map((i) => `ok:${i}`)));
  return {
    get requests() {
      return held.calls.map(([items]) => items);
    },
    send: held.call,
    releaseAll: held.releaseAll,
  };
}

describe('group commit', () => {
  it('sends a group at once while a request slot is free', async () => {
    const rec = recordingSend();
    const commit = createGroupCommit({ maxItems: 25, maxInFlight: 2, send: rec.send });
    const a = commit(['a1', 'a2']);
    const b = commit(['b1']);
    expect(rec.requests).toEqual([['a1', 'a2'], ['b1']]);
    await rec.releaseAll();
    expect(await a).toEqual(['ok:a1', 'ok:a2']);
    expect(await b).toEqual(['ok:b1']);
  });

  it('lets groups that wait for a slot share the next request, whole, up to maxItems, each getting its own results', async () => {
    const rec = recordingSend();
    const commit = createGroupCommit({ maxItems: 4, maxInFlight: 1, send: rec.send });
    const first = commit(['a']);
    const waiting = [commit(['b1', 'b2']), commit(['c1']), commit(['d1', 'd2'])];
    expect(rec.requests).toEqual([['a']]);
    await rec.releaseAll();
    // b and c fit in one request of 4; d would not fit beside them and goes next.
    expect(rec.requests).toEqual([['a'], ['b1', 'b2', 'c1'], ['d1', 'd2']]);
    expect(await first).toEqual(['ok:a']);
    expect(await Promise.all(waiting)).toEqual([['ok:b1', 'ok:b2'], ['ok:c1'], ['ok:d1', 'ok:d2']]);
  });

  it('splits only a group larger than maxItems, in order', async () => {
    const rec = recordingSend();
    const commit = createGroupCommit({ maxItems: 2, maxInFlight: 1, send: rec.send });
    const big = commit(['x1', 'x2', 'x3']);
    await rec.releaseAll();
    expect(rec.requests).toEqual([['x1', 'x2'], ['x3']]);
    expect(await big).toEqual(['ok:x1', 'ok:x2', 'ok:x3']);
  });

  it('sends a failed shared request again group by group, so only the bad group fails', async () => {
    const rec = recordingSend((items) => items.includes('bad'));
    const commit = createGroupCommit({ maxItems: 25, maxInFlight: 1, send: rec.send });
    const first = commit(['a']);
    const good = commit(['g1', 'g2']);
    const bad = commit(['bad']);
    const settled = Promise.allSettled([first, good, bad]);
    await rec.releaseAll();
    const [a, g, b] = await settled;
    expect(rec.requests).toEqual([['a'], ['g1', 'g2', 'bad'], ['g1', 'g2'], ['bad']]);
    expect(a).toEqual({ status: 'fulfilled', value: ['ok:a'] });
    expect(g).toEqual({ status: 'fulfilled', value: ['ok:g1', 'ok:g2'] });
    expect(b).toMatchObject({ status: 'rejected', reason: new Error('rejected bad') });
  });

  it('fails every group of a shared request refused for throttling, without sending them one by one', async () => {
    const throttled = Object.assign(new Error('Throughput exceeds the current capacity of your table'), {
      name: 'ProvisionedThroughputExceededException',
    });
    const held = heldCalls<[string[]], string[]>((items) => (items.length > 1 ? throttled : items.map((i) => `ok:${i}`)));
    const commit = createGroupCommit({ maxItems: 25, maxInFlight: 1, send: held.call });
    const settled = Promise.allSettled([commit(['a']), commit(['b']), commit(['c'])]);
    await held.releaseAll();
    expect(held.calls.map(([items]) => items)).toEqual([['a'], ['b', 'c']]);
    expect((await settled).map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
  });

  it('answers an empty group without a request', async () => {
    const rec = recordingSend();
    const commit = createGroupCommit({ maxItems: 25, maxInFlight: 1, send: rec.send });
    expect(await commit([])).toEqual([]);
    expect(rec.requests).toEqual([]);
  });
});
