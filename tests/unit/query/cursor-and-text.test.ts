import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '#shared/query/cursor.ts';
import { parseListParams } from '#shared/query/params.ts';
import { foldText, matchesTerms, searchTerms } from '#shared/query/text-search.ts';
import { BadRequestError } from '#shared/query/errors.ts';

const params = (raw: Record<string, string>) => parseListParams(raw, ['us-aid', 'ukraine-fund']);
const topicKey = { pk: 'TOPIC#us-aid', sk: '2024-04-03T09:00:00.000Z#abc' };
const allKey = { pk: 'ITEM#abc', sk: 'ITEM', gsi1pk: 'MATCHES', gsi1sk: '2024-04-03T09:00:00.000Z#abc' };

describe('listing cursors', () => {
  it('round-trips a key for the same filters and partition', () => {
    const f = params({ topic: 'us-aid', q: 'fund' });
    expect(decodeCursor(encodeCursor(f, topicKey), f, { kind: 'topic', topic: 'us-aid' })).toEqual(topicKey);
    const all = params({ since: '2024-04-01' });
    expect(decodeCursor(encodeCursor(all, allKey), all, { kind: 'all' })).toEqual(allKey);
  });

  it('is bound to the filters: another search, topic or time range is refused', () => {
    const f = params({ topic: 'us-aid', q: 'fund' });
    const cursor = encodeCursor(f, topicKey);
    expect(() => decodeCursor(cursor, params({ topic: 'us-aid', q: 'aid' }), { kind: 'topic', topic: 'us-aid' })).toThrow(BadRequestError);
    expect(() => decodeCursor(cursor, params({ topic: 'ukraine-fund', q: 'fund' }), { kind: 'topic', topic: 'ukraine-fund' })).toThrow(BadRequestError);
    // Same words in another case and accents are the same filter.
    expect(decodeCursor(cursor, params({ topic: 'us-aid', q: 'FÜND' }), { kind: 'topic', topic: 'us-aid' })).toEqual(topicKey);
  });

  it('refuses keys shaped for another partition, extra fields, or outside the time range', () => {
    const f = params({});
    const forge = (k: Record<string, unknown>) => () => decodeCursor(encodeCursor(f, k as Record<string, string>), f, { kind: 'all' });
    expect(forge({ pk: 'FEED#https://x', sk: 'STATE', gsi1pk: 'FEEDS', gsi1sk: 'https://x' })).toThrow(BadRequestError);
    expect(forge({ ...allKey, pk: 'ITEM#other' })).toThrow(BadRequestError);
    expect(forge({ ...allKey, extra: 'x' })).toThrow(BadRequestError);
    expect(forge(topicKey)).toThrow(BadRequestError);
    const ranged = params({ until: '2024-04-02' });
    expect(() => decodeCursor(encodeCursor(ranged, allKey), ranged, { kind: 'all' })).toThrow(BadRequestError);
    for (const junk of ['e30', 'bnVsbA', Buffer.from('{"v":1,"h":1,"k":[]}').toString('base64url'), '____']) {
      expect(() => decodeCursor(junk, f, { kind: 'all' })).toThrow(BadRequestError);
    }
  });
});

describe('text search', () => {
  it('ignores case and diacritics, including letters NFKD cannot split', () => {
    expect(foldText('Zełenśkyj in BRÜSSEL, Øresund, Straße')).toBe('zelenskyj in brussel, oresund, strasse');
    expect(matchesTerms(searchTerms('brussel zelenskyj'), 'Zełenśkyj', 'arrives in Brüssel')).toBe(true);
    expect(matchesTerms(searchTerms('brussel kyiv'), 'Zełenśkyj', 'arrives in Brüssel')).toBe(false);
    expect(matchesTerms(searchTerms('Київ'), 'Візит до Києва')).toBe(false);
    expect(matchesTerms(searchTerms('Київ'), 'Візит до Київ')).toBe(true);
  });
});
