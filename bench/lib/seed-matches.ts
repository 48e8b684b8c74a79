import type { Match } from '#shared/model.ts';
import { toMatchRow } from '#shared/store/match-row.ts';
import { DUPLICATE_COUNT_ATTRIBUTE, KEY, MATCH_SK, MATCHES_PARTITION, ROW, ROW_TYPE_ATTRIBUTE, matchPk, timeSortKey, topicPk } from '#shared/store/table-design.ts';
import type { DevExample } from './feeds.ts';
import { prng } from '#tests/support/prng.ts';

/** Seed data for the query scenario: matches and the rows the store writes for them. Pure. */

const SOURCES = ['Reuters', 'AP', 'Kyiv Independent', 'DW', 'Le Monde', 'Politico Europe', 'Defense News', 'tagesschau.de'];

/**
 * `count` matches, newest first (index 0 is the newest), arriving at a steady `perDay`.
 *
 * About a quarter are near-duplicates, shaped the way the pipeline stores them: a duplicate is
 * a later report whose `duplicateOf` names the **first report** of its story (an older match
 * published a few steps before, itself not a duplicate, well inside the 72 h window). A
 * duplicate never points across a seeding boundary (`boundaries`, e.g. [10_000]), so the table
 * at each measured size is consistent on its own.
 */
export function makeMatches(dev: readonly DevExample[], count: number, options: { newestMs: number; perDay: number; seed: number; boundaries?: readonly number[] }): Match[] {
  const relevant = dev.filter((d) => d.labels.length > 0);
  const rand = prng(options.seed);
  const stepMs = 86_400_000 / options.perDay;
  const out: Match[] = [];
  for (let i = 0; i < count; i++) {
    const d = relevant[Math.floor(rand() * relevant.length)]!;
    const ms = Math.round(options.newestMs - i * stepMs - rand() * stepMs);
    const publishedAt = new Date(ms).toISOString();
    const score = Math.round((0.4 + rand() * 0.6) * 1000) / 1000;
    const id = `b${i.toString(36).padStart(6, '0')}${Math.floor(rand() * 36 ** 6).toString(36).padStart(6, '0')}`;
    out.push({
      id,
      title: d.title,
      summary: d.summary.replace(/<[^>]+>/g, ''),
      link: `https://news.example.com/${i}`,
      source: SOURCES[i % SOURCES.length]!,
      feedUrl: `https://news.example.com/feed${i % 40}.xml`,
      publishedAt,
      fetchedAt: publishedAt,
      storedAt: publishedAt,
      ...(d.lang ? { lang: d.lang } : {}),
      categories: ['World'],
      topics: [...d.labels].sort(),
      score,
      scores: Object.fromEntries(d.labels.map((t) => [t, score])),
      evidence: Object.fromEntries(d.labels.map((t) => [t, [`rule:${t}`, d.title.split(' ').slice(0, 3).join(' ')]])),
    });
  }
  // Oldest first, as the pipeline sees them: a match may become a duplicate of an older first report.
  const boundaries = [...(options.boundaries ?? [])].sort((a, b) => a - b);
  const bucket = (i: number) => boundaries.filter((b) => b <= i).length;
  for (let i = count - 1; i >= 0; i--) {
    if (rand() >= 0.25) continue;
    const candidates: number[] = [];
    for (let j = i + 1; j <= i + 3 && j < count; j++) if (!out[j]!.duplicateOf && bucket(j) === bucket(i)) candidates.push(j);
    if (candidates.length === 0) continue;
    out[i]!.duplicateOf = out[candidates[Math.floor(rand() * candidates.length)]!]!.id;
  }
  return out;
}

/** How many stored duplicates name each first report (only first reports that have any). */
export function duplicateCounts(matches: readonly Match[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of matches) if (m.duplicateOf) counts.set(m.duplicateOf, (counts.get(m.duplicateOf) ?? 0) + 1);
  return counts;
}

/**
 * The rows the store writes for one match: the match row (also in `gsi1`) and one row per
 * topic, with the same attributes. A first report with duplicates carries a numeric
 * `duplicateCount` on all of them (the store keeps that counter on the first report's rows).
 */
export function rowsOf(match: Match, duplicateCount = 0): Record<string, unknown>[] {
  const row: Record<string, unknown> = { ...toMatchRow(match, Math.floor(Date.parse(match.publishedAt) / 1000) + 365 * 86_400) };
  for (const key of Object.keys(row)) if (row[key] === undefined) delete row[key];
  if (duplicateCount > 0) row[DUPLICATE_COUNT_ATTRIBUTE] = duplicateCount;
  return [
    { ...row, [KEY.pk]: matchPk(match.id), [KEY.sk]: MATCH_SK, [KEY.gsi1pk]: MATCHES_PARTITION, [KEY.gsi1sk]: timeSortKey(match.publishedAt, match.id), [ROW_TYPE_ATTRIBUTE]: ROW.match },
    ...match.topics.map((topic) => ({ ...row, [KEY.pk]: topicPk(topic), [KEY.sk]: timeSortKey(match.publishedAt, match.id), [ROW_TYPE_ATTRIBUTE]: ROW.topicEntry })),
  ];
}

