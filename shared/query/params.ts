import { z } from 'zod';
import { BadRequestError } from './errors.ts';
import { searchTerms } from './text-search.ts';

/**
 * Parsing and validating the query parameters of the listing endpoints. Every rejection names
 * the parameter and says what was expected, so a client can fix its request without reading
 * the code. An empty value counts as absent, because HTML forms send empty fields.
 */

export const LIMIT_MIN = 1;
export const LIMIT_MAX = 200;
export const LIMIT_DEFAULT = 50;
const TEXT_MAX = 200;
const CURSOR_MAX = 2048;

export type DuplicatesMode = 'collapse' | 'include';

export interface ListFilters {
  topic?: string;
  /** Canonical ISO 8601 (`toISOString()`), inclusive. */
  since?: string;
  /** Canonical ISO 8601 (`toISOString()`), inclusive. */
  until?: string;
  /** The search as given (trimmed); `terms` is what is matched. */
  q?: string;
  terms: string[];
  minScore?: number;
  lang?: string;
  source?: string;
  duplicates: DuplicatesMode;
}

export interface ListParams extends ListFilters {
  limit: number;
  /** Opaque; validated against the filters by the cursor codec. */
  cursor?: string;
}

/** Query parameters as transports deliver them: one value, or several for a repeated name. */
export type RawParams = Readonly<Record<string, string | readonly string[] | undefined>>;

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}:?\d{2}))?$/;
const ISO_EXPECTED = 'expected an ISO 8601 date (2024-04-03) or date-time with a time zone (2024-04-03T09:00:00Z)';
const MIN_TIME = Date.UTC(1900, 0, 1);
const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Parses an ISO 8601 instant to epoch milliseconds. A date without a time is the start of that
 * UTC day for `since` and its last millisecond for `until`, so both ends stay inclusive; a
 * date-time must carry its zone, because guessing the server's zone would shift results.
 */
export function parseIsoInstant(text: string, end: 'start' | 'end'): number | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y), month = Number(mo), day = Number(d);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  let ms: number;
  if (h === undefined) {
    ms = date.getTime() + (end === 'end' ? 86_400_000 - 1 : 0);
  } else {
    const hour = Number(h), minute = Number(mi), second = Number(s ?? '0');
    if (hour > 23 || minute > 59 || second > 59) return undefined;
    const digits = (frac ?? '').padEnd(9, '0');
    const wholeMs = Number(digits.slice(0, 3));
    // Stored times have millisecond precision: a bound between two milliseconds rounds inwards.
    const subMs = Number(digits.slice(3)) > 0 ? (end === 'start' ? 1 : 0) : 0;
    let offsetMinutes = 0;
    if (zone && zone.toUpperCase() !== 'Z') {
      const sign = zone[0] === '-' ? -1 : 1;
      const digitsOnly = zone.slice(1).replace(':', '');
      const oh = Number(digitsOnly.slice(0, 2)), om = Number(digitsOnly.slice(2));
      if (oh > 23 || om > 59) return undefined;
      offsetMinutes = sign * (oh * 60 + om);
    }
    ms = date.getTime() + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + wholeMs + subMs;
  }
  return ms >= MIN_TIME && ms <= MAX_TIME ? ms : undefined;
}

type Ctx = z.core.$RefinementCtx<string>;

function reject(ctx: Ctx, message: string): typeof z.NEVER {
  ctx.issues.push({ code: 'custom', message, input: ctx.value });
  return z.NEVER;
}

const instant = (end: 'start' | 'end') =>
  z.string().transform((value, ctx) => {
    const ms = parseIsoInstant(value.trim(), end);
    return ms === undefined ? reject(ctx, ISO_EXPECTED) : new Date(ms).toISOString();
  });

const boundedText = (what: string) =>
  z.string().transform((value, ctx) => {
    const text = value.trim();
    if (text.length > TEXT_MAX || /[\u0000-\u001f\u007f]/u.test(text)) {
      return reject(ctx, `expected ${what} of at most ${TEXT_MAX} characters, without control characters`);
    }
    return text;
  });

function schemaFor(topicIds: readonly string[]) {
  const topicList = topicIds.join(', ');
  return z.strictObject({
    topic: z
      .string()
      .transform((value, ctx) => (topicIds.includes(value) ? value : reject(ctx, `expected one of: ${topicList}`)))
      .optional(),
    since: instant('start').optional(),
    until: instant('end').optional(),
    q: boundedText('search text').optional(),
    minScore: z
      .string()
      .transform((value, ctx) => {
        const n = /^(?:\d{1,3}(?:\.\d{0,12})?|\.\d{1,12})$/.test(value) ? Number(value) : NaN;
        return n >= 0 && n <= 1 ? n : reject(ctx, 'expected a number from 0 to 1');
      })
      .optional(),
    lang: z
      .string()
      .transform((value, ctx) => (/^[A-Za-z]{2}$/.test(value) ? value.toLowerCase() : reject(ctx, 'expected a two-letter language code such as "en"')))
      .optional(),
    source: boundedText('a source name').optional(),
    limit: z
      .string()
      .transform((value, ctx) => {
        const n = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
        return n >= LIMIT_MIN && n <= LIMIT_MAX ? n : reject(ctx, `expected an integer from ${LIMIT_MIN} to ${LIMIT_MAX}`);
      })
      .optional(),
    cursor: z
      .string()
      .transform((value, ctx) =>
        value.length <= CURSOR_MAX && /^[A-Za-z0-9_-]+$/.test(value)
          ? value
          : reject(ctx, 'expected the nextCursor value of a previous response'),
      )
      .optional(),
    duplicates: z
      .string()
      .transform((value, ctx) => (value === 'collapse' || value === 'include' ? value : reject(ctx, 'expected "collapse" or "include"')))
      .optional(),
  });
}

export const LIST_PARAMETER_NAMES = ['topic', 'since', 'until', 'q', 'minScore', 'lang', 'source', 'limit', 'cursor', 'duplicates'] as const;

/** Validates the listing parameters; throws `BadRequestError` naming the first bad one. */
export function parseListParams(raw: RawParams, topicIds: readonly string[]): ListParams {
  // No prototype, so a parameter named __proto__ is just an unknown key, not a prototype write.
  const single: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const values = typeof value === 'string' ? [value] : value;
    if (values.length > 1) throw new BadRequestError(name, 'given more than once; expected a single value');
    const only = values[0];
    if (only !== undefined && only !== '') single[name] = only;
  }
  const result = schemaFor(topicIds).safeParse(single);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      throw new BadRequestError(String(issue.keys[0]), `unknown parameter; expected one of: ${LIST_PARAMETER_NAMES.join(', ')}`);
    }
    throw new BadRequestError(String(issue.path[0] ?? 'query'), issue.message);
  }
  const p = result.data;
  if (p.since && p.until && p.since > p.until) throw new BadRequestError('until', 'expected a time at or after since');
  const terms = p.q ? searchTerms(p.q) : [];
  const params: ListParams = { terms, duplicates: p.duplicates ?? 'collapse', limit: p.limit ?? LIMIT_DEFAULT };
  if (p.topic !== undefined) params.topic = p.topic;
  if (p.since !== undefined) params.since = p.since;
  if (p.until !== undefined) params.until = p.until;
  if (p.q && terms.length > 0) params.q = p.q;
  if (p.minScore !== undefined) params.minScore = p.minScore;
  if (p.lang !== undefined) params.lang = p.lang;
  if (p.source) params.source = p.source;
  if (p.cursor !== undefined) params.cursor = p.cursor;
  return params;
}

/** Ids are hashes today; anything printable up to a DynamoDB-safe length is looked up, the rest refused. */
export function parseUpdateId(id: string | undefined): string {
  if (!id || id.length > 512 || /[\u0000-\u001f\u007f]/u.test(id)) {
    throw new BadRequestError('id', 'expected an update id of 1 to 512 printable characters');
  }
  return id;
}
