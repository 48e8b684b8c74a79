import { describe, expect, it } from 'vitest';
import Parser from 'rss-parser';
import { renderJsonFeed, renderRss, xmlEscape } from '#shared/query/feeds-output.ts';
import { toUpdateView } from '#shared/query/views.ts';
import { aMatch } from '#tests/support/matches.ts';

const ctx = { title: 'T & co', description: 'D', selfUrl: 'https://h.example/updates.rss?a=1&b=2', homeUrl: 'https://h.example/' };

describe('feed rendering', () => {
  it('escapes markup and drops characters XML 1.0 forbids', () => {
    expect(xmlEscape('<a href="x">&\'\u0000\u001b\uFFFF ok')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos; ok');
  });

  it('writes RSS 2.0 that parses back with every required element', async () => {
    const items = [aMatch({ id: 'a', title: 'A <b>bold</b> & more', topics: ['us-aid', 'ukraine-fund'] }), aMatch({ id: 'b', link: 'ftp://x/y' })].map(toUpdateView);
    const xml = renderRss(items, { ...ctx, nextUrl: 'https://h.example/updates.rss?cursor=abc' });
    const feed = await new Parser({ customFields: { item: ['source'] } }).parseString(xml);
    expect(feed).toMatchObject({ title: 'T & co', link: 'https://h.example/', description: 'D' });
    expect(feed.items[0]).toMatchObject({ title: 'A <b>bold</b> & more', guid: 'a', categories: ['us-aid', 'ukraine-fund'], link: 'https://news.example.org/a' });
    expect(feed.items[1]!.link).toBeUndefined();
    expect(xml).toContain('<atom:link href="https://h.example/updates.rss?a=1&amp;b=2" rel="self" type="application/rss+xml"/>');
    expect(xml).toContain('<pubDate>Wed, 03 Apr 2024 09:00:00 GMT</pubDate>');
  });

  it('writes JSON Feed 1.1 items with the required and the documented fields', () => {
    const feed = renderJsonFeed([toUpdateView(aMatch({ id: 'a', lang: 'de', duplicateOf: 'z' }))], ctx);
    expect(feed).toMatchObject({ version: 'https://jsonfeed.org/version/1.1', title: 'T & co', feed_url: ctx.selfUrl, home_page_url: ctx.homeUrl });
    expect(feed.next_url).toBeUndefined();
    expect(feed.items[0]).toMatchObject({ id: 'a', url: 'https://news.example.org/a', content_text: expect.any(String), date_published: '2024-04-03T09:00:00.000Z', tags: ['ukraine-fund'], language: 'de', _fundwatch: { duplicateOf: 'z' } });
  });
});
