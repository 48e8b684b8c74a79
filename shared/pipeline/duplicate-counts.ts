/**
 * Counts a cycle's stored near-duplicates on their first reports while the cycle runs, instead
 * of in a pass after the last feed, so the counter writes overlap the fetching.
 *
 * A count is written once its first report is known to be stored (stored by an earlier cycle,
 * or by this one: `stored(id)` says so), since the update only counts on rows that exist. Copies
 * that arrive while a count for the same first report is being written are added up and written
 * together next, so a story syndicated to many feeds costs a few counter writes, not one per
 * copy. `settle()` writes whatever is left (a first report whose own feed failed to store it is
 * tried anyway: it may be another poller's, still being stored) and returns a warning per count
 * left short.
 *
 * Every write adds to the count (never sets it), so counts that several pollers write for one
 * first report at once add up exactly.
 */
export interface DuplicateCounts {
  /** A near-duplicate of `firstId` was stored. */
  add(firstId: string): void;
  /** `id` was stored this cycle: counts waiting for it can be written. */
  stored(id: string): void;
  settle(): Promise<string[]>;
}

export function createDuplicateCounts(options: {
  isStored: (id: string) => boolean;
  write: (firstId: string, by: number) => Promise<void>;
}): DuplicateCounts {
  const pending = new Map<string, number>();
  const writing = new Map<string, Promise<void>>();
  const warnings: string[] = [];

  const flush = (firstId: string, force = false) => {
    const by = pending.get(firstId);
    if (!by || writing.has(firstId) || !(force || options.isStored(firstId))) return;
    pending.delete(firstId);
    const done = options
      .write(firstId, by)
      .then(
        () => undefined,
        (err: unknown) => {
          warnings.push(`duplicate count of ${firstId} left ${by} short: ${err instanceof Error ? err.message : String(err)}`);
        },
      )
      .finally(() => {
        writing.delete(firstId);
        flush(firstId);
      });
    writing.set(firstId, done);
  };

  return {
    add(firstId) {
      pending.set(firstId, (pending.get(firstId) ?? 0) + 1);
      flush(firstId);
    },
    stored(id) {
      flush(id);
    },
    async settle() {
      for (;;) {
        for (const firstId of [...pending.keys()]) flush(firstId, true);
        if (writing.size === 0) return [...warnings];
        await Promise.all([...writing.values()]);
      }
    },
  };
}
