import type { Match } from '#shared/model.ts';

/**
 * Near-duplicate detection: the same story from several outlets (syndicated wire copy), or
 * re-posted with an edited headline, should alert once.
 *
 * Each item becomes the set of word 3-grams ("shingles") of its normalised title and summary.
 * Words come from `Intl.Segmenter`, so any script works, spaced or not; normalisation is NFKC,
 * lower case, combining marks dropped. Two items report the same story when, within the time
 * window, either
 *
 * - their shingle sets overlap with Jaccard similarity ≥ 0.4 (copies with an edited headline
 *   keep most of the wire text), or
 * - the smaller set is ≥ 60 % contained in the larger, has at least 12 shingles and the Jaccard
 *   similarity is still ≥ 0.25 (a copy with an extra sentence or paragraph).
 *
 * Word 3-grams are what keeps different stories apart: two reports about the same fund share
 * words ("NATO", "Ukraine", "100 billion euros") and the odd phrase, but rarely more of their
 * 3-grams than that. Across the 260 labelled items of `eval/dev.jsonl` (many on the same topics)
 * no two different stories exceed Jaccard 0.07 or containment 0.15, so the thresholds leave a wide
 * margin. Short title-only items have few shingles, so only near-identical ones are merged.
 *
 * Matches are few (a poll cycle stores tens, the window holds thousands), so an inverted index
 * from shingle to items gives exact overlap counts in one pass; no MinHash approximation needed.
 */

export const DUPLICATE_THRESHOLDS = {
  jaccard: 0.4,
  containment: 0.6,
  containmentMinShingles: 12,
  containmentMinJaccard: 0.25,
  shingleWords: 3,
} as const;

export interface DuplicateCandidate {
  id: string;
  title: string;
  summary: string;
  publishedAt: string;
  topics: string[];
}

export interface DuplicateFinder {
  /** The id of the first report of the same story within the window, if any (never the item's own id). */
  firstReportOf(item: DuplicateCandidate): string | undefined;
  /** Remembers a match (or a first report another writer claimed) so later items are compared with it too. */
  add(match: KnownReport): void;
  /** The first report a remembered item belongs to (its own id for a first report), if it is remembered. */
  rootOf(id: string): string | undefined;
}

const words = new Intl.Segmenter(undefined, { granularity: 'word' });

/**
 * The words Intl.Segmenter finds in lower-case printable ASCII without underscores: runs of
 * letters and digits, joined across one `.`, `'` or `:` between letters and one `.`, `,`, `;`
 * or `'` between digits (UAX #29, rules WB5–WB12). The segmenter costs about 30 µs a text, this
 * under 1 µs, and most Latin-script text is plain ASCII once its marks are dropped; a test
 * holds the two to the same words. Underscores join by rules this does not model.
 */
const ASCII_WORD = /[a-z0-9]+(?:(?:(?<=[a-z])[.':](?=[a-z])|(?<=[0-9])[.,;'](?=[0-9]))[a-z0-9]+)*/g;
const ASCII_WITHOUT_UNDERSCORE = /^[\x20-\x40\x5b-\x5e\x60-\x7e]*$/;

export function segmentWords(lowerCaseText: string): string[] {
  if (ASCII_WITHOUT_UNDERSCORE.test(lowerCaseText)) return lowerCaseText.match(ASCII_WORD) ?? [];
  const out: string[] = [];
  for (const { segment, isWordLike } of words.segment(lowerCaseText)) if (isWordLike) out.push(segment);
  return out;
}

export function normaliseWords(text: string): string[] {
  const normal = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[’‘`´]/g, "'");
  return segmentWords(normal).map((word) => word.replace(/'s$/, ''));
}

export function shingles(title: string, summary: string): Set<string> {
  const tokens = [...normaliseWords(title), ...normaliseWords(summary)];
  const k = DUPLICATE_THRESHOLDS.shingleWords;
  const out = new Set<string>();
  if (tokens.length < k) {
    if (tokens.length > 0) out.add(tokens.join(' '));
    return out;
  }
  for (let i = 0; i + k <= tokens.length; i++) out.add(tokens.slice(i, i + k).join(' '));
  return out;
}

export interface Similarity {
  jaccard: number;
  containment: number;
  smaller: number;
}

export function similarity(a: Set<string>, b: Set<string>): Similarity {
  let inter = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const s of small) if (large.has(s)) inter++;
  return measure(inter, a.size, b.size);
}

function measure(inter: number, sizeA: number, sizeB: number): Similarity {
  const union = sizeA + sizeB - inter;
  const smaller = Math.min(sizeA, sizeB);
  return {
    jaccard: union === 0 ? 0 : inter / union,
    containment: smaller === 0 ? 0 : inter / smaller,
    smaller,
  };
}

export function isSameStory(s: Similarity): boolean {
  const t = DUPLICATE_THRESHOLDS;
  if (s.jaccard >= t.jaccard) return true;
  return s.containment >= t.containment && s.smaller >= t.containmentMinShingles && s.jaccard >= t.containmentMinJaccard;
}

interface Entry {
  id: string;
  /** The first report this entry points to: its own id, or its `duplicateOf`. */
  root: string;
  publishedMs: number;
  size: number;
}

/** What the finder remembers: a stored match, or a claimed first report (no `duplicateOf`). */
export type KnownReport = DuplicateCandidate & Pick<Match, 'duplicateOf'>;

export function createDuplicateFinder(recent: readonly KnownReport[], options: { windowHours: number }): DuplicateFinder {
  const windowMs = options.windowHours * 3_600_000;
  const entries: Entry[] = [];
  const byId = new Map<string, number>();
  const index = new Map<string, number[]>();
  // The poll cycle asks about a match and then adds it: its shingles are worked out once.
  const shingled = new WeakMap<DuplicateCandidate, Set<string>>();
  const shinglesOf = (item: DuplicateCandidate) => {
    let set = shingled.get(item);
    if (!set) shingled.set(item, (set = shingles(item.title, item.summary)));
    return set;
  };

  const add = (match: KnownReport) => {
    if (byId.has(match.id)) return;
    const set = shinglesOf(match);
    const position = entries.length;
    entries.push({
      id: match.id,
      root: match.duplicateOf ?? match.id,
      publishedMs: Date.parse(match.publishedAt),
      size: set.size,
    });
    byId.set(match.id, position);
    for (const s of set) {
      const postings = index.get(s);
      if (postings) postings.push(position);
      else index.set(s, [position]);
    }
  };

  // Oldest first, so when two stored items tie the earlier one is the first report.
  [...recent].sort((a, b) => a.publishedAt.localeCompare(b.publishedAt)).forEach(add);

  return {
    add,
    rootOf: (id) => {
      const position = byId.get(id);
      return position === undefined ? undefined : entries[position]!.root;
    },
    firstReportOf(item) {
      const set = shinglesOf(item);
      if (set.size === 0) return undefined;
      const published = Date.parse(item.publishedAt);
      const overlap = new Map<number, number>();
      for (const s of set) {
        for (const position of index.get(s) ?? []) overlap.set(position, (overlap.get(position) ?? 0) + 1);
      }
      let best: { entry: Entry; score: number } | undefined;
      for (const [position, inter] of overlap) {
        const entry = entries[position]!;
        if (entry.id === item.id) continue;
        if (!(Math.abs(entry.publishedMs - published) <= windowMs)) continue;
        const s = measure(inter, set.size, entry.size);
        if (!isSameStory(s)) continue;
        const score = Math.max(s.jaccard, s.containment * 0.9);
        if (
          !best ||
          score > best.score ||
          (score === best.score && entry.publishedMs < best.entry.publishedMs)
        ) {
          best = { entry, score };
        }
      }
      if (!best) return undefined;
      return best.entry.root === item.id ? best.entry.id : best.entry.root;
    },
  };
}
