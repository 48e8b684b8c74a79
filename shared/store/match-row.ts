import type { Match } from '#shared/model.ts';
import { TTL_ATTRIBUTE } from './table-design.ts';

/**
 * The stored attributes of a match, the same in the match row, its topic rows and the stream
 * image. Reading copies only known fields, so a row written by a newer version or edited by
 * hand cannot smuggle in anything else.
 */
export function toMatchRow(match: Match, expiresAt: number): Record<string, unknown> {
  return {
    id: match.id,
    title: match.title,
    summary: match.summary,
    link: match.link,
    source: match.source,
    feedUrl: match.feedUrl,
    publishedAt: match.publishedAt,
    fetchedAt: match.fetchedAt,
    storedAt: match.storedAt,
    lang: match.lang,
    categories: match.categories,
    topics: match.topics,
    score: match.score,
    scores: match.scores,
    evidence: match.evidence,
    duplicateOf: match.duplicateOf,
    alertSuppressed: match.alertSuppressed,
    [TTL_ATTRIBUTE]: expiresAt,
  };
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

function numberRecord(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) if (typeof v === 'number') out[key] = v;
  }
  return out;
}

function stringListRecord(value: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) out[key] = strings(v);
  }
  return out;
}

export function fromMatchRow(row: Record<string, unknown>): Match {
  const suppressed = str(row.alertSuppressed);
  const match: Match = {
    id: str(row.id) ?? '',
    title: str(row.title) ?? '',
    summary: str(row.summary) ?? '',
    source: str(row.source) ?? '',
    feedUrl: str(row.feedUrl) ?? '',
    publishedAt: str(row.publishedAt) ?? '',
    fetchedAt: str(row.fetchedAt) ?? '',
    storedAt: str(row.storedAt) ?? '',
    categories: strings(row.categories),
    topics: strings(row.topics),
    score: typeof row.score === 'number' ? row.score : 0,
    scores: numberRecord(row.scores),
    evidence: stringListRecord(row.evidence),
  };
  const link = str(row.link);
  if (link) match.link = link;
  const lang = str(row.lang);
  if (lang) match.lang = lang;
  const duplicateOf = str(row.duplicateOf);
  if (duplicateOf) match.duplicateOf = duplicateOf;
  if (suppressed === 'stale' || suppressed === 'duplicate') match.alertSuppressed = suppressed;
  return match;
}
