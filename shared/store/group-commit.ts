/**
 * Group commit for DynamoDB's batch calls. Callers hand in groups of writes (one feed's new
 * matches, its topic rows, its state); while `maxInFlight` requests are out, new groups wait and
 * then leave together, up to `maxItems` to a request. Under light load every group goes at once,
 * alone; when many feeds finish together their writes share requests instead of each paying a
 * round trip.
 *
 * A group is never split across requests unless it is larger than `maxItems` on its own. A
 * request that fails for a shared batch is sent again group by group, so one caller's bad write
 * fails that caller only, as if nobody had shared its request, except when it failed for
 * throttling (after the SDK's own retries): that is the table's rate, not any one write, and
 * sending the groups one by one would only add requests to a table already over it.
 */
export type GroupCommit<T, R> = (items: T[]) => Promise<R[]>;

interface Waiting<T, R> {
  items: T[];
  resolve: (results: R[]) => void;
  reject: (err: unknown) => void;
}

export function createGroupCommit<T, R>(options: {
  maxItems: number;
  maxInFlight: number;
  /** Writes at most `maxItems` items and answers one result per item, in order. */
  send: (items: T[]) => Promise<R[]>;
}): GroupCommit<T, R> {
  const queue: Waiting<T, R>[] = [];
  let inFlight = 0;

  const sendAll = async (items: T[]): Promise<R[]> => {
    const results: R[] = [];
    for (let i = 0; i < items.length; i += options.maxItems) results.push(...(await options.send(items.slice(i, i + options.maxItems))));
    return results;
  };

  const settle = async (group: Waiting<T, R>) => {
    try {
      group.resolve(await sendAll(group.items));
    } catch (err) {
      group.reject(err);
    }
  };

  const dispatch = async (groups: Waiting<T, R>[]) => {
    if (groups.length === 1) return settle(groups[0]!);
    let results: R[];
    try {
      results = await sendAll(groups.flatMap((g) => g.items));
    } catch (err) {
      if (isThrottling(err)) for (const group of groups) group.reject(err);
      else await Promise.all(groups.map(settle));
      return;
    }
    let offset = 0;
    for (const group of groups) {
      group.resolve(results.slice(offset, offset + group.items.length));
      offset += group.items.length;
    }
  };

  const pump = () => {
    while (inFlight < options.maxInFlight && queue.length > 0) {
      const groups = [queue.shift()!];
      let size = groups[0]!.items.length;
      while (queue.length > 0 && size + queue[0]!.items.length <= options.maxItems) {
        size += queue[0]!.items.length;
        groups.push(queue.shift()!);
      }
      inFlight++;
      void dispatch(groups).finally(() => {
        inFlight--;
        pump();
      });
    }
  };

  return (items) => {
    if (items.length === 0) return Promise.resolve([]);
    return new Promise<R[]>((resolve, reject) => {
      queue.push({ items, resolve, reject });
      pump();
    });
  };
}

/** DynamoDB's throttling errors, by name (the SDK's classes carry no throttling flag of their own). */
const THROTTLING_ERRORS = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);

function isThrottling(err: unknown): boolean {
  const e = err as { name?: string; $retryable?: { throttling?: boolean } } | undefined;
  return THROTTLING_ERRORS.has(e?.name ?? '') || e?.$retryable?.throttling === true;
}
