import { describe, expect, it } from 'vitest';
import { parseIsoInstant, parseListParams, parseUpdateId } from '#shared/query/params.ts';
import { BadRequestError } from '#shared/query/errors.ts';

const TOPICS = ['ukraine-fund', 'us-aid'];
const parse = (raw: Record<string, string | string[]>) => parseListParams(raw, TOPICS);
const rejection = (raw: Record<string, string | string[]>) => {
  try {
    parse(raw);
  } catch (err) {
    if (err instanceof BadRequestError) return { parameter: err.parameter, message: err.message };
    throw err;
  }
  throw new Error('accepted');
};

describe('listing parameters', () => {
  it('defaults to 50 items with duplicates collapsed', () => {
    expect(parse({})).toEqual({ terms: [], duplicates: 'collapse', limit: 50 });
  });

  it('accepts every parameter in its documented form', () => {
    expect(parse({ topic: 'us-aid', since: '2024-04-03', until: '2024-04-03T12:00:00+02:00', q: ' Brüssel  Fund ', minScore: '0.75', lang: 'DE', source: 'Outlet A', limit: '200', duplicates: 'include' })).toEqual({
      topic: 'us-aid',
      since: '2024-04-03T00:00:00.000Z',
      until: '2024-04-03T10:00:00.000Z',
      q: 'Brüssel  Fund',
      terms: ['brussel', 'fund'],
      minScore: 0.75,
      lang: 'de',
      source: 'Outlet A',
      limit: 200,
      duplicates: 'include',
    });
  });

  it.each([
    [{ limit: '0' }, 'limit', 'expected an integer from 1 to 200'],
    [{ limit: '201' }, 'limit', 'expected an integer from 1 to 200'],
    [{ limit: '1.5' }, 'limit', 'expected an integer from 1 to 200'],
    [{ topic: 'nope' }, 'topic', 'expected one of: ukraine-fund, us-aid'],
    [{ minScore: '1.01' }, 'minScore', 'expected a number from 0 to 1'],
    [{ minScore: '-0' }, 'minScore', 'expected a number from 0 to 1'],
    [{ lang: 'eng' }, 'lang', 'expected a two-letter language code such as "en"'],
    [{ duplicates: 'all' }, 'duplicates', 'expected "collapse" or "include"'],
    [{ since: '2024-02-30' }, 'since', expect.stringContaining('ISO 8601')],
    [{ since: '2024-04-03T10:00:00' }, 'since', expect.stringContaining('time zone')],
    [{ until: 'yesterday' }, 'until', expect.stringContaining('ISO 8601')],
    [{ since: '2024-04-04', until: '2024-04-03' }, 'until', 'expected a time at or after since'],
    [{ cursor: 'not a cursor!' }, 'cursor', expect.stringContaining('nextCursor')],
    [{ q: 'x'.repeat(201) }, 'q', expect.stringContaining('200 characters')],
    [{ limit: ['5', '6'] }, 'limit', 'given more than once; expected a single value'],
    [{ sort: 'asc' }, 'sort', expect.stringContaining('unknown parameter')],
    [JSON.parse('{"__proto__":"x"}'), '__proto__', expect.stringContaining('unknown parameter')],
  ])('rejects %j naming %s', (raw, parameter, message) => {
    expect(rejection(raw as Record<string, string>)).toEqual({ parameter, message });
  });

  it('treats empty values as absent, as HTML forms send them', () => {
    expect(parse({ topic: '', limit: '', q: '   ' })).toEqual({ terms: [], duplicates: 'collapse', limit: 50 });
  });
});

describe('ISO 8601 instants', () => {
  it('makes a date-only bound cover its whole UTC day', () => {
    expect(new Date(parseIsoInstant('2024-04-03', 'start')!).toISOString()).toBe('2024-04-03T00:00:00.000Z');
    expect(new Date(parseIsoInstant('2024-04-03', 'end')!).toISOString()).toBe('2024-04-03T23:59:59.999Z');
  });

  it('applies offsets and rounds sub-millisecond bounds inwards', () => {
    expect(new Date(parseIsoInstant('2024-04-03T00:30:00-01:30', 'start')!).toISOString()).toBe('2024-04-03T02:00:00.000Z');
    expect(new Date(parseIsoInstant('2024-04-03T00:00:00.0001Z', 'start')!).toISOString()).toBe('2024-04-03T00:00:00.001Z');
    expect(new Date(parseIsoInstant('2024-04-03T00:00:00.0009Z', 'end')!).toISOString()).toBe('2024-04-03T00:00:00.000Z');
  });

  it('refuses impossible dates, times, offsets and out-of-range years', () => {
    for (const text of ['2023-02-29', '2024-04-03T24:00:00Z', '2024-04-03T10:60Z', '2024-04-03T10:00+24:00', '1899-12-31', '2024-4-3', '2024-04-03T10:00:00.000+0000x']) {
      expect(parseIsoInstant(text, 'start'), text).toBeUndefined();
    }
    expect(parseIsoInstant('2024-02-29', 'start')).toBe(Date.UTC(2024, 1, 29));
  });
});

describe('update ids', () => {
  it('passes printable ids through and refuses empty, control characters and huge ones', () => {
    expect(parseUpdateId('../../etc/passwd')).toBe('../../etc/passwd');
    for (const bad of [undefined, '', 'a\u0000b', 'x'.repeat(513)]) expect(() => parseUpdateId(bad)).toThrow(BadRequestError);
  });
});
