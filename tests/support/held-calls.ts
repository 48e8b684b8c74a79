/**
 * A stand-in for an async dependency whose calls stay open until the test releases them, so a
 * test can see what a caller does while its calls are in flight. `answer` decides each call's
 * outcome when it is released: a value, or an Error to reject with.
 */
export function heldCalls<A extends unknown[], R>(answer: (...args: A) => R | Error) {
  const calls: A[] = [];
  const open: (() => void)[] = [];
  const call = (...args: A) =>
    new Promise<R>((resolve, reject) => {
      calls.push(args);
      open.push(() => {
        const outcome = answer(...args);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      });
    });
  /** Releases the open calls oldest first, letting each one's continuations run before the next. */
  const releaseAll = async () => {
    while (open.length > 0) {
      open.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { calls, call, releaseAll };
}
