import { describe, expect, it } from 'vitest';
import { createLimiter } from '#shared/pipeline/concurrency.ts';

/** A task that stays running until released, recording when it started. */
function gate() {
  const started: string[] = [];
  const release = new Map<string, () => void>();
  const task = (name: string) => () =>
    new Promise<string>((resolve) => {
      started.push(name);
      release.set(name, () => resolve(name));
    });
  const settle = () => new Promise((r) => setImmediate(r));
  return { started, release: (name: string) => release.get(name)!(), task, settle };
}

describe('a limiter', () => {
  it('runs at most `concurrency` tasks at once, in the order offered', async () => {
    const g = gate();
    const limiter = createLimiter({ concurrency: 2, perKey: 10 });
    const done = ['a', 'b', 'c', 'd'].map((name) => limiter.run(name, g.task(name)));
    await g.settle();
    expect(g.started).toEqual(['a', 'b']);
    g.release('b');
    await g.settle();
    expect(g.started).toEqual(['a', 'b', 'c']);
    g.release('a');
    g.release('c');
    await g.settle();
    g.release('d');
    expect(await Promise.all(done)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('holds back a key at its limit and lets other keys go first', async () => {
    const g = gate();
    const limiter = createLimiter({ concurrency: 3, perKey: 1 });
    const done = [
      limiter.run('host-1', g.task('1a')),
      limiter.run('host-1', g.task('1b')),
      limiter.run('host-2', g.task('2a')),
    ];
    await g.settle();
    expect(g.started).toEqual(['1a', '2a']);
    g.release('1a');
    await g.settle();
    expect(g.started).toEqual(['1a', '2a', '1b']);
    g.release('1b');
    g.release('2a');
    await Promise.all(done);
  });

  it('passes a failure to its caller and frees the slot', async () => {
    const limiter = createLimiter({ concurrency: 1, perKey: 1 });
    const failing = limiter.run('k', () => Promise.reject(new Error('boom')));
    const throwing = limiter.run('k', () => {
      throw new Error('sync boom');
    });
    const after = limiter.run('k', async () => 'ran');
    await expect(failing).rejects.toThrow('boom');
    await expect(throwing).rejects.toThrow('sync boom');
    expect(await after).toBe('ran');
  });

  it('starts the next task before the finished one\'s caller goes on', async () => {
    // A poll cycle parses and classifies a feed right after its fetch returns: the next fetch
    // must already be on its way by then, not wait for that work.
    const limiter = createLimiter({ concurrency: 1, perKey: 1 });
    const started: string[] = [];
    const first = limiter.run('k', async () => void started.push('first'));
    const second = limiter.run('k', async () => void started.push('second'));
    await first;
    expect(started).toEqual(['first', 'second']);
    await second;
  });

  it('starts the next task before a failed one\'s caller hears of the failure', async () => {
    const limiter = createLimiter({ concurrency: 1, perKey: 1 });
    const started: string[] = [];
    let startedWhenHeard: string[] = [];
    const failing = limiter.run('k', () => Promise.reject(new Error('boom'))).catch((err: Error) => {
      startedWhenHeard = [...started];
      return err.message;
    });
    const next = limiter.run('k', async () => void started.push('next'));
    expect(await failing).toBe('boom');
    expect(startedWhenHeard).toEqual(['next']);
    await next;
  });
});
