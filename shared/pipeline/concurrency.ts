/**
 * Runs tasks with a global limit and a per-key limit (one host must not get more than a few
 * requests at once, however many of its feeds are due).
 */
export async function runBounded<T>(
  tasks: readonly T[],
  options: { concurrency: number; perKey: number; keyOf: (task: T) => string },
  run: (task: T) => Promise<void>,
): Promise<void> {
  const active = new Map<string, number>();
  const waiting = [...tasks];
  let running = 0;
  return new Promise((resolve, reject) => {
    let failed = false;
    const pump = () => {
      if (failed) return;
      if (waiting.length === 0 && running === 0) return resolve();
      for (let i = 0; i < waiting.length && running < options.concurrency; ) {
        const task = waiting[i]!;
        const key = options.keyOf(task);
        if ((active.get(key) ?? 0) >= options.perKey) {
          i++;
          continue;
        }
        waiting.splice(i, 1);
        running++;
        active.set(key, (active.get(key) ?? 0) + 1);
        run(task)
          .then(
            () => undefined,
            (err: unknown) => {
              failed = true;
              reject(err);
            },
          )
          .finally(() => {
            running--;
            active.set(key, (active.get(key) ?? 1) - 1);
            pump();
          });
      }
    };
    pump();
  });
}
