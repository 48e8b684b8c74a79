import { createHash } from 'node:crypto';
import { KEY, MATCH_SK, MATCHES_PARTITION, matchPk, topicPk } from '#shared/store/table-design.ts';
import { BadRequestError } from './errors.ts';
import type { ListFilters } from './params.ts';
import type { Partition, RowKey } from './ports.ts';

/**
 * Listing cursors: base64url of `{ v, h, k }` where `k` is the DynamoDB key to continue after and
 * `h` a hash of the filters. The hash stops a cursor from being replayed with other filters
 * (which would skip or repeat items); the strict shape check stops a hand-made cursor from
 * pointing the Query into another partition (feed state, alert claims) or outside the time
 * range, where DynamoDB would answer with an error instead of a page.
 */

const CURSOR_VERSION = 1;
const INVALID = 'expected the nextCursor value of a previous response with the same filters';
/** `<canonical ISO time>#<id>`; the id part is bounded like ids in paths. */
const TIME_KEY = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)#([^\u0000-\u001f\u007f]{1,512})$/u;

export function filtersHash(filters: ListFilters): string {
  const canonical = JSON.stringify([
    filters.topic ?? null,
    filters.since ?? null,
    filters.until ?? null,
    filters.terms,
    filters.minScore ?? null,
    filters.lang ?? null,
    filters.source?.toLowerCase() ?? null,
    filters.duplicates,
  ]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}

export function encodeCursor(filters: ListFilters, key: RowKey): string {
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, h: filtersHash(filters), k: key }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, filters: ListFilters, partition: Partition): RowKey {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new BadRequestError('cursor', INVALID);
  }
  if (!isPlainObject(payload) || !hasExactly(payload, ['v', 'h', 'k'])) throw new BadRequestError('cursor', INVALID);
  if (payload.v !== CURSOR_VERSION || payload.h !== filtersHash(filters)) throw new BadRequestError('cursor', INVALID);
  const key = payload.k;
  if (!isPlainObject(key)) throw new BadRequestError('cursor', INVALID);
  const valid = partition.kind === 'topic' ? topicKey(key, partition.topic) : allKey(key);
  if (!valid) throw new BadRequestError('cursor', INVALID);
  const time = TIME_KEY.exec(valid[partition.kind === 'topic' ? KEY.sk : KEY.gsi1sk]!)![1]!;
  if ((filters.since && time < filters.since) || (filters.until && time > filters.until)) {
    throw new BadRequestError('cursor', INVALID);
  }
  return valid;
}

function topicKey(key: Record<string, unknown>, topic: string): RowKey | undefined {
  if (!hasExactly(key, [KEY.pk, KEY.sk])) return undefined;
  const { [KEY.pk]: pk, [KEY.sk]: sk } = key;
  if (pk !== topicPk(topic) || typeof sk !== 'string' || !TIME_KEY.test(sk)) return undefined;
  return { [KEY.pk]: pk, [KEY.sk]: sk };
}

function allKey(key: Record<string, unknown>): RowKey | undefined {
  if (!hasExactly(key, [KEY.pk, KEY.sk, KEY.gsi1pk, KEY.gsi1sk])) return undefined;
  const { [KEY.pk]: pk, [KEY.sk]: sk, [KEY.gsi1pk]: gpk, [KEY.gsi1sk]: gsk } = key;
  if (sk !== MATCH_SK || gpk !== MATCHES_PARTITION || typeof gsk !== 'string') return undefined;
  const parts = TIME_KEY.exec(gsk);
  if (!parts || pk !== matchPk(parts[2]!)) return undefined;
  return { [KEY.pk]: pk, [KEY.sk]: sk, [KEY.gsi1pk]: gpk, [KEY.gsi1sk]: gsk };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasExactly(value: Record<string, unknown>, keys: readonly string[]): boolean {
  const own = Object.keys(value);
  return own.length === keys.length && keys.every((k) => Object.hasOwn(value, k));
}
