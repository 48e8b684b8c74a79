/**
 * Counts a cycle's stored near-duplicates on their first reports while the cycle runs, instead
 * of in a pass after the last feed, so the counter writes overlap the fetching.
 *
 * A count is written once its first report is known to be stored (stored by an earlier cycle,
 * or by this one: `stored(id)` says so), since the update only counts on rows that exist. Copies
 * that arrive while a count for the same first report is being written are added up and written
 * together next, so a story syndicated to many feeds costs a few counter writes, not one per
 * copy. `settle()` writes whatever is left (a first report whose own feed failed to store it is
 * tried anyway, and finds nothing to count on) and returns a warning per count left short.
 *
 * A first report stored by this cycle had no count before it, so every write for it also carries
 * the total so far (`total`): its rows can be written whole with that count instead of updated
 * one by one. The total includes writes that failed, so the next write mends them (and takes
 * back their warnings).
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
  /** `total` is given for a first report stored by this cycle: every copy counted on it so far, `by` included. */
  write: (firstId: string, by: number, total?: number) => Promise<void>;
}): DuplicateCounts {
  const pending = new Map<string, number>();
  const writing = new Map<string, Promise<void>>();
  // Keyed by the first reports stored by this cycle only: the count written so far on each.
  const totals = new Map<string, number>();
  // By first report, so a later write of a total (which includes what failed) can clear it.
  const warnings = new Map<string, string[]>();

  const flush = (firstId: string, force = false) => {
    const by = pending.get(firstId);
    if (!by || writing.has(firstId) || !(force || options.isStored(firstId))) return;
    pending.delete(firstId);
    const before = totals.get(firstId);
    const total = before === undefined ? undefined : before + by;
    if (total !== undefined) totals.set(firstId, total);
    const done = options
      .write(firstId, by, total)
      .then(
        () => {
          if (total !== undefined) warnings.delete(firstId);
        },
        (err: unknown) => {
          const short = `duplicate count of ${firstId} left ${by} short: ${err instanceof Error ? err.message : String(err)}`;
          warnings.set(firstId, [...(warnings.get(firstId) ?? []), short]);
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
      if (!totals.has(id)) totals.set(id, 0);
      flush(id);
    },
    async settle() {
      for (;;) {
        for (const firstId of [...pending.keys()]) flush(firstId, true);
        if (writing.size === 0) return [...warnings.values()].flat();
        await Promise.all([...writing.values()]);
      }
    },
  };
}
