import type { DuplicateFinder, KnownReport } from '#shared/alerts/near-duplicates.ts';
import type { FirstReportRef, StoryClaim, StoryLog, StoryLogSlot } from '#shared/store/ports.ts';

/**
 * Decides which copy of a story is its first report, so that a story alerts once whatever order
 * its copies arrive in: from many feeds at once in one cycle, or from two pollers (overlapping
 * cycles, parallel workers) on one table. Timing in one process cannot decide that; the database
 * does, through the story log (`StoryLog`).
 *
 * An item that matches no known report is a *candidate*: before it is stored, it must win a slot
 * of the log. Slot n is written once, with a conditional put, and a writer takes slot n only
 * after it has read every slot before n and found none of the same story. A writer that loses
 * slot n reads what won it: a candidate that turns out to be a copy of a claimed first report
 * becomes that report's duplicate, the others try slot n + 1. So no two claimed first reports
 * are copies of each other, however the writers interleave.
 *
 * In one process, candidates claim one slot at a time: those that arrive while a claim is out
 * share the next slot (one conditional put, one row, for many first reports). An item that
 * matches a candidate still being claimed waits for it and follows it: a duplicate of the
 * candidate if it won, of the report it lost to otherwise.
 *
 * Similarity is not transitive: copies A and C that each resemble B but not each other are one
 * story only through B. Arrival order still decides such chains (A first, then C, then B: two
 * first reports); pairs of copies that resemble each other are exact.
 */
export interface StoryArbiter {
  /**
   * Registers `match` at once (later items are compared with it before this resolves) and
   * resolves to the id of its first report, or to undefined when it is a first report itself.
   * Rejects when the log could not be written: the item must not be stored then.
   */
  decide(match: KnownReport & Pick<StoryClaim, 'topics'>): Promise<string | undefined>;
  /** The keys of a first report's rows, when this cycle knows them (stored, claimed or read from the log). */
  firstReport(id: string): FirstReportRef | undefined;
}

/** Slots claimed this long ago are read at the start of a cycle: longer than any cycle runs. */
export const CLAIM_LOOKBACK_MS = 60 * 60_000;
/** Claims in one slot: a row of about 25 × 600 bytes, well under DynamoDB's 400 KB. */
const MAX_CLAIMS_PER_SLOT = 25;
/** Lost slots in a row before a claim gives up (each loss means another writer made progress). */
const MAX_LOST_SLOTS = 200;

interface Waiting {
  match: StoryClaim;
  /** How many claims read from the log this candidate has been compared with. */
  compared: number;
  resolve: (firstReport: string | undefined) => void;
  reject: (err: unknown) => void;
}

export async function createStoryArbiter(options: {
  log: StoryLog;
  finder: DuplicateFinder;
  /** Builds a finder over the first reports another writer claimed, to compare lost candidates with them. */
  finderOf: (reports: readonly KnownReport[]) => DuplicateFinder;
  /** First reports already stored (the cycle's recent matches), by id. */
  stored: ReadonlyMap<string, FirstReportRef>;
  now: () => Date;
}): Promise<StoryArbiter> {
  const { log, finder } = options;
  const refs = new Map<string, FirstReportRef>(options.stored);
  const decisions = new Map<string, Promise<string | undefined>>();
  // Every claim read from the log during the cycle, in order: a candidate decided before some
  // of them were read must still be compared with those before it may claim a slot.
  const learned: StoryClaim[] = [];
  let tail = 0;
  const remember = (slots: StoryLogSlot[]) => {
    for (const slot of slots) {
      tail = Math.max(tail, slot.seq);
      for (const claim of slot.claims) {
        if (!refs.has(claim.id)) refs.set(claim.id, claim);
        finder.add(claim);
        learned.push(claim);
      }
    }
  };

  remember(await log.readStoryClaims({ claimedSince: new Date(options.now().getTime() - CLAIM_LOOKBACK_MS).toISOString() }));

  /** Settles a waiting candidate that a claim read since its decision already covers; true when it did. */
  const settledByLearned = (w: Waiting): boolean => {
    const fresh = learned.slice(w.compared);
    w.compared = learned.length;
    if (fresh.length === 0) return false;
    // The same item, claimed through another poller's feed: a first report either way.
    if (fresh.some((c) => c.id === w.match.id)) return (w.resolve(undefined), true);
    const first = options.finderOf(fresh).firstReportOf(w.match);
    if (first === undefined) return false;
    w.resolve(first);
    return true;
  };

  const queue: Waiting[] = [];
  let claiming = false;

  const claimAll = async () => {
    if (claiming) return;
    claiming = true;
    try {
      while (queue.length > 0) await claimSlot(queue.splice(0, MAX_CLAIMS_PER_SLOT));
    } finally {
      claiming = false;
    }
  };

  const claimSlot = async (waiting: Waiting[]) => {
    let batch = waiting;
    try {
      for (let lost = 0; ; lost++) {
        batch = batch.filter((w) => !settledByLearned(w));
        if (batch.length === 0) return;
        if (lost > MAX_LOST_SLOTS) throw new Error(`the story log moved on ${lost} times while claiming ${batch.length} first report(s)`);
        const slot: StoryLogSlot = { seq: tail + 1, claimedAt: options.now().toISOString(), claims: batch.map((w) => w.match) };
        if (await log.appendStoryClaims(slot)) {
          tail = slot.seq;
          for (const w of batch) w.resolve(undefined);
          return;
        }
        // Another writer took the slot: what it claimed was decided without our candidates, so
        // they are compared with it (at the top of the loop) before the next slot is tried.
        remember(await log.readStoryClaims({ afterSeq: tail }));
      }
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  };

  const claim = (match: StoryClaim) =>
    new Promise<string | undefined>((resolve, reject) => {
      queue.push({ match, compared: learned.length, resolve, reject });
      void claimAll();
    });

  return {
    decide(match) {
      const known = decisions.get(match.id);
      if (known) return known;
      let decision: Promise<string | undefined>;
      const root = finder.rootOf(match.id);
      if (root !== undefined) {
        // Stored or claimed before (a retry of an item whose feed failed after the claim).
        decision = Promise.resolve(root === match.id ? undefined : root);
      } else {
        const local = finder.firstReportOf(match);
        finder.add({ ...match, duplicateOf: local });
        const pending = local === undefined ? undefined : decisions.get(local);
        // The same item can come through another poller's feed and win its story there: then it
        // is its own first report, not a duplicate of itself.
        const unlessSelf = (first: string) => (first === match.id ? undefined : first);
        if (local === undefined) decision = claim(match);
        else if (pending) decision = pending.then((first) => unlessSelf(first ?? local));
        else decision = Promise.resolve(local);
      }
      decisions.set(match.id, decision);
      void decision.then((first) => {
        if (first === undefined && !refs.has(match.id)) refs.set(match.id, match);
      }, () => undefined);
      return decision;
    },
    firstReport: (id) => refs.get(id),
  };
}
