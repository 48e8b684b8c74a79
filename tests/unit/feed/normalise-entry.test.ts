import { describe, expect, it } from 'vitest';
import type { ParsedEntry } from '#shared/model.ts';
import { languageCode, normaliseEntry } from '#shared/feed/normalise-entry.ts';
import { parseFeed } from '#shared/feed/parse-feed.ts';
import { itemId } from '#shared/feed/item-identity.ts';

const FEED = { url: 'https://news.example.org/feeds/world.xml', name: 'News Example' };
const FETCHED_AT = '2024-06-12T12:00:00.000Z';

function normalise(entry: Partial<ParsedEntry>, feed: Partial<typeof FEED & { language: string }> = {}) {
  return normaliseEntry({ categories: [], ...entry }, { ...FEED, ...feed }, FETCHED_AT);
}

describe('normaliseEntry', () => {
  it('builds a complete NewsItem with plain text, canonical link and id', () => {
    const item = normalise(
      {
        guid: 'article-1',
        link: '/2024/06/fund?utm_source=rss&id=4#top',
        title: 'NATO &amp;amp; the <b>€100bn</b> fund &#8217;plan&#8217;',
        summary: '<p>Ministers&nbsp;met.</p><script>track()</script><p>They agreed &mdash; mostly.</p>',
        published: 'Wed, 12 Jun 2024 08:30:00 GMT',
        categories: ['<b>Defence</b>', 'defence', 'Ukraine &amp; Russia', '  '],
      },
      { language: 'en-GB' },
    );
    expect(item).toEqual({
      id: itemId({ guid: 'article-1', feedUrl: FEED.url }),
      title: 'NATO & the €100bn fund ’plan’',
      summary: 'Ministers met. They agreed — mostly.',
      link: 'https://news.example.org/2024/06/fund?id=4',
      source: 'News Example',
      feedUrl: FEED.url,
      publishedAt: '2024-06-12T08:30:00.000Z',
      fetchedAt: FETCHED_AT,
      lang: 'en',
      categories: ['Defence', 'Ukraine & Russia'],
    });
  });

  it('returns undefined for an entry with neither title nor summary', () => {
    expect(normalise({ link: 'https://ex.org/a' })).toBeUndefined();
    expect(normalise({ title: '<img src="x">', summary: '  &nbsp; ' })).toBeUndefined();
  });

  it('gives a title-less entry the start of its summary as title', () => {
    const item = normalise({ summary: `<p>${'word '.repeat(200)}</p>` });
    expect(item?.title.length).toBeLessThanOrEqual(300);
    expect(item?.title).toMatch(/^word word .*word…$/);
  });

  it('cuts a long summary at a word boundary with an ellipsis', () => {
    const item = normalise({ title: 't', summary: 'alpha beta gamma '.repeat(200) });
    expect(item!.summary.length).toBeLessThanOrEqual(1_000);
    expect(item!.summary.endsWith('…')).toBe(true);
    expect(item!.summary).toMatch(/(alpha|beta|gamma)…$/);
  });

  it('keeps the id across re-polls with an edited headline', () => {
    const first = normalise({ guid: 'g-77', title: 'Draft headline', summary: 'a' });
    const second = normalise({ guid: 'g-77', title: 'Final headline', summary: 'b' });
    expect(second?.id).toBe(first?.id);
    const byLink1 = normalise({ link: 'https://ex.org/s?utm_campaign=x', title: 'one' });
    const byLink2 = normalise({ link: 'https://ex.org/s', title: 'two' });
    expect(byLink2?.id).toBe(byLink1?.id);
  });

  it('omits link and lang when there is none', () => {
    const item = normalise({ title: 'T', link: 'javascript:alert(1)' });
    expect(item).toBeDefined();
    expect('link' in item!).toBe(false);
    expect('lang' in item!).toBe(false);
  });

  it('caps and dedupes categories', () => {
    const categories = Array.from({ length: 60 }, (_, i) => `tag ${i % 30}`);
    const item = normalise({ title: 'T', categories: [...categories, 'x'.repeat(500)] });
    expect(item?.categories).toHaveLength(20);
    expect(new Set(item?.categories.map((c) => c.toLowerCase())).size).toBe(20);
  });
});

describe('normaliseEntry dates', () => {
  it.each([
    ['Wed, 12 Jun 2024 08:30:00 GMT', '2024-06-12T08:30:00.000Z'],
    ['Wed, 12 Jun 2024 10:30:00 +0200', '2024-06-12T08:30:00.000Z'],
    ['Wed, 12 Jun 2024 10:30:00 CEST', '2024-06-12T08:30:00.000Z'],
    ['Wed, 12 Jun 2024 04:30:00 EDT', '2024-06-12T08:30:00.000Z'],
    ['2024-06-12T08:30:00Z', '2024-06-12T08:30:00.000Z'],
    ['2024-06-12T10:30:00+02:00', '2024-06-12T08:30:00.000Z'],
    ['2024-06-13T11:00:00Z', '2024-06-13T11:00:00.000Z'],
  ])('parses %s', (published, expected) => {
    expect(normalise({ title: 'T', published })?.publishedAt).toBe(expected);
  });

  it.each([
    ['missing', undefined],
    ['invalid', 'yesterday-ish'],
    ['impossible', '2024-13-45T99:00:00Z'],
    ['more than a day ahead', '2024-06-13T12:00:01Z'],
    ['far future', 'Sat, 01 Jan 2150 00:00:00 GMT'],
    ['six-digit year', '+275760-09-13T00:00:00Z'],
  ])('uses the fetch time when the date is %s', (_case, published) => {
    expect(normalise({ title: 'T', published })?.publishedAt).toBe(FETCHED_AT);
  });
});

describe('languageCode', () => {
  it.each([
    ['en', 'en'], ['en-GB', 'en'], ['EN_us', 'en'], [' de ', 'de'], ['fr-FR', 'fr'],
    ['english', undefined], ['e', undefined], ['', undefined], [undefined, undefined],
  ])('%s → %s', (input, expected) => {
    expect(languageCode(input)).toBe(expected);
  });
});

describe('parseFeed + normaliseEntry', () => {
  it('turns an Atom entry with categories into a NewsItem', async () => {
    const feed = await parseFeed(
      '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr"><title>F</title>' +
        '<entry><id>tag:f,2024:1</id><title type="html">L&amp;#8217;OTAN &amp;amp; l&amp;#8217;Ukraine</title>' +
        '<link rel="alternate" href="articles/1?xtor=RSS-1"/><updated>2024-06-12T06:00:00Z</updated>' +
        '<category term="OTAN"/><category term="otan"/><summary>Texte</summary></entry></feed>',
    );
    const item = normaliseEntry(feed.entries[0]!, { url: 'https://f.example/rss/', name: 'F', language: feed.language }, FETCHED_AT);
    expect(item).toMatchObject({
      title: 'L’OTAN & l’Ukraine',
      summary: 'Texte',
      link: 'https://f.example/rss/articles/1',
      publishedAt: '2024-06-12T06:00:00.000Z',
      lang: 'fr',
      categories: ['OTAN'],
    });
  });

  it('is fast on crafted markup that makes naive tag stripping quadratic', async () => {
    const hostile = `<item><title>x</title><description><![CDATA[${'<p <!-- '.repeat(2_500)}]]></description></item>`.repeat(200);
    const feed = await parseFeed(`<rss version="2.0"><channel>${hostile}</channel></rss>`);
    const items = feed.entries.map((entry) => normaliseEntry(entry, FEED, FETCHED_AT));
    expect(items).toHaveLength(200);
    for (const item of items) expect(item?.title).toBe('x');
  });
});
