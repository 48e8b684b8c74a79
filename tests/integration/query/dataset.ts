import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Match } from '#shared/model.ts';
import { toMatchRow } from '#shared/store/match-row.ts';
import { DUPLICATE_COUNT_ATTRIBUTE, KEY, MATCH_SK, MATCHES_PARTITION, ROW, ROW_TYPE_ATTRIBUTE, matchPk, timeSortKey, topicPk } from '#shared/store/table-design.ts';
import { aMatch } from '#tests/support/matches.ts';
import { prng } from '#tests/support/prng.ts';


export const TOPICS = [
  { id: 'ukraine-fund', title: 'The NATO fund for Ukraine' },
  { id: 'nato-mission', title: 'The NATO mission for Ukraine' },
  { id: 'us-aid', title: 'US military aid' },
  { id: 'nato-meetings', title: 'NATO meetings' },
  { id: 'defense-industry', title: 'Defence industry' },
] as const;
export const TOPIC_IDS = TOPICS.map((t) => t.id);

export const SOURCES = ['Outlet A', 'Outlet B', 'Kyiv Daily', 'Berliner Blatt', 'Gazeta W', 'Le Quotidien'];
export const LANGS = ['en', 'de', 'uk', 'pl', 'fr'];
const WORDS = ['fund', 'mission', 'Brüssel', 'Zełenśkyj', 'Stoltenberg', 'ammunition', 'Wiesbaden', 'Congress', 'Ramstein', 'pledge', 'Hungary', 'summit'];

/** Newest possible publication time of the dataset. */
export const END = Date.parse('2024-07-31T23:59:59.999Z');

/**
 * A realistic spread of matches: several topics each, a quarter of them near-duplicates of an
 * earlier first report within two days, some sharing one publication instant (ties broken by id),
 * some on exact day boundaries (for inclusive ranges).
 */
export function makeDataset(count: number, seed = 1): Match[] {
  const rand = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const matches: Match[] = [];
  for (let i = 0; i < count; i++) {
    const id = `q${String(i).padStart(5, '0')}${Math.floor(rand() * 36 ** 4).toString(36).padStart(4, '0')}`;
    let ms: number;
    const shape = rand();
    if (shape < 0.05) ms = Date.UTC(2024, 6, 1 + Math.floor(rand() * 30)); // midnight exactly
    else if (shape < 0.1 && matches.length > 0) ms = Date.parse(matches[matches.length - 1]!.publishedAt); // a tie
    else ms = END - Math.floor(rand() * 60 * 86_400_000);
    const topics = [...new Set([pick(TOPIC_IDS), ...(rand() < 0.5 ? [pick(TOPIC_IDS)] : []), ...(rand() < 0.2 ? [pick(TOPIC_IDS)] : [])])].sort();
    const score = Math.round((0.3 + rand() * 0.7) * 1000) / 1000;
    const words = [pick(WORDS), pick(WORDS), pick(WORDS)];
    const publishedAt = new Date(ms).toISOString();
    const match = aMatch({
      id,
      title: `Update ${i}: ${words[0]} and ${words[1]}`,
      summary: `About ${words[2]}.`,
      source: pick(SOURCES),
      lang: pick(LANGS),
      publishedAt,
      fetchedAt: publishedAt,
      storedAt: publishedAt,
      topics,
      score,
      scores: Object.fromEntries(topics.map((t) => [t, score])),
      evidence: Object.fromEntries(topics.map((t) => [t, [words[0]!]])),
    });
    if (rand() < 0.25) {
      const original = matches.findLast((m) => !m.duplicateOf && Math.abs(Date.parse(m.publishedAt) - ms) < 2 * 86_400_000);
      if (original) match.duplicateOf = original.id;
    }
    matches.push(match);
  }
  return matches;
}

/**
 * How many near-duplicates each first report has: what the poll cycle's `ADD duplicateCount :one`
 * leaves on the first report's rows after storing them all.
 */
export function duplicateCounts(matches: readonly Match[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of matches) if (m.duplicateOf) counts.set(m.duplicateOf, (counts.get(m.duplicateOf) ?? 0) + 1);
  return counts;
}

/**
 * The rows the store writes for a match, batch-written directly so thousands seed in seconds:
 * the match row and one topic row per topic, each carrying `duplicateCount` when the match has
 * near-duplicates (the counter is absent until the first one is stored, as `ADD` leaves it).
 */
export function rowsOf(match: Match, duplicateCount = 0): Record<string, unknown>[] {
  const row = {
    ...toMatchRow(match, Math.floor(Date.parse(match.publishedAt) / 1000) + 10 * 365 * 86_400),
    ...(duplicateCount > 0 ? { [DUPLICATE_COUNT_ATTRIBUTE]: duplicateCount } : {}),
  };
  return [
    {
      ...row,
      [KEY.pk]: matchPk(match.id),
      [KEY.sk]: MATCH_SK,
      [KEY.gsi1pk]: MATCHES_PARTITION,
      [KEY.gsi1sk]: timeSortKey(match.publishedAt, match.id),
      [ROW_TYPE_ATTRIBUTE]: ROW.match,
    },
    ...match.topics.map((topic) => ({
      ...row,
      [KEY.pk]: topicPk(topic),
      [KEY.sk]: timeSortKey(match.publishedAt, match.id),
      [ROW_TYPE_ATTRIBUTE]: ROW.topicEntry,
    })),
  ];
}

export async function seed(doc: DynamoDBDocumentClient, tableName: string, matches: readonly Match[], parallel = 16): Promise<void> {
  const counts = duplicateCounts(matches);
  const rows = matches.flatMap((m) => rowsOf(m, counts.get(m.id) ?? 0));
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < rows.length; i += 25) batches.push(rows.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      let pending = batches[next++]!.map((Item) => ({ PutRequest: { Item } }));
      while (pending.length > 0) {
        const result = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
        pending = (result.UnprocessedItems?.[tableName] ?? []) as typeof pending;
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

/** Newest first, exactly as the sort keys order them. */
export function newestFirst(a: Match, b: Match): number {
  const ka = timeSortKey(a.publishedAt, a.id);
  const kb = timeSortKey(b.publishedAt, b.id);
  return ka < kb ? 1 : ka > kb ? -1 : 0;
}
