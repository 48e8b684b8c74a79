/**
 * Slots for work that waits on something shared: at most `concurrency` tasks at once, and at
 * most `perKey` of them with the same key (one host must not get more than a few requests at
 * once, however many of its feeds are due). Tasks start in the order they were offered, except
 * that one whose key is at its limit lets later ones with other keys go first.
 */
export interface Limiter {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

export function createLimiter(options: { concurrency: number; perKey: number }): Limiter {
  const active = new Map<string, number>();
  const waiting: { key: string; start: () => void }[] = [];
  let running = 0;

  const pump = () => {
    for (let i = 0; i < waiting.length && running < options.concurrency; ) {
      const next = waiting[i]!;
      if ((active.get(next.key) ?? 0) >= options.perKey) {
        i++;
        continue;
      }
      waiting.splice(i, 1);
      running++;
      active.set(next.key, (active.get(next.key) ?? 0) + 1);
      next.start();
    }
  };

  return {
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        waiting.push({
          key,
          start: () => {
            // The slot is handed on before the caller hears back: a caller that goes on to
            // parse and classify what it fetched must not keep the next fetch waiting for that.
            const release = () => {
              running--;
              const left = (active.get(key) ?? 1) - 1;
              if (left === 0) active.delete(key);
              else active.set(key, left);
              pump();
            };
            const settled = Promise.resolve().then(task);
            // Reactions run in the order they were added: the release before the caller's.
            settled.then(release, release);
            settled.then(resolve, reject);
          },
        });
        pump();
      });
    },
  };
}
