import { describe, expect, it } from 'vitest';
import { FeedParseError, parseFeed } from '#shared/feed/parse-feed.ts';

const RSS2 = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel>
    <title>Defence Desk</title>
    <link>https://news.example.org/</link>
    <language>en-GB</language>
    <item>
      <title>NATO ministers back &lt;b&gt;€100bn&lt;/b&gt; fund</title>
      <link>https://news.example.org/a/1?utm_source=rss</link>
      <guid isPermaLink="false">article-1</guid>
      <pubDate>Wed, 12 Jun 2024 08:30:00 GMT</pubDate>
      <category>Defence</category>
      <category domain="https://news.example.org/tags">Ukraine</category>
      <dc:subject>NATO</dc:subject>
      <description><![CDATA[<p>Ministers met in Brussels &amp; agreed.</p>]]></description>
      <content:encoded><![CDATA[<p>The full article.</p>]]></content:encoded>
      <author>desk@news.example.org (Defence Desk)</author>
    </item>
    <item>
      <title>Second</title>
      <guid>https://news.example.org/a/2</guid>
      <dc:date>2024-06-12T09:00:00+02:00</dc:date>
      <description><![CDATA[<img src="x.jpg">]]></description>
      <content:encoded><![CDATA[<p>Only the full content has text.</p>]]></content:encoded>
    </item>
  </channel>
</rss>`;

const RSS1 = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://rdf.example.org/">
    <title>RDF Outlet</title>
    <link>https://rdf.example.org/</link>
    <dc:language>de</dc:language>
  </channel>
  <item rdf:about="https://rdf.example.org/story/7">
    <title>Ukraine-Fonds der NATO</title>
    <link>https://rdf.example.org/story/7</link>
    <description>Die Minister beraten.</description>
    <dc:date>2024-06-11T17:00:00Z</dc:date>
    <dc:subject>Verteidigung</dc:subject>
  </item>
</rdf:RDF>`;

const ATOM = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr-FR">
  <title type="text">Atom Outlet</title>
  <link rel="self" href="https://atom.example.org/feed.xml"/>
  <link rel="alternate" href="https://atom.example.org/"/>
  <id>tag:atom.example.org,2024:feed</id>
  <updated>2024-06-12T10:00:00Z</updated>
  <entry>
    <title type="html">Mission de l&amp;#8217;OTAN</title>
    <link rel="edit" href="https://atom.example.org/api/1"/>
    <link rel="alternate" type="text/html" href="https://atom.example.org/2024/06/mission"/>
    <id>tag:atom.example.org,2024:1</id>
    <published>2024-06-12T07:00:00+02:00</published>
    <updated>2024-06-12T09:00:00+02:00</updated>
    <category term="otan" label="OTAN"/>
    <category term="ukraine" scheme="https://atom.example.org/tags"/>
    <author><name>Claire</name></author>
    <summary type="html">&lt;p&gt;Une mission pour coordonner l’aide.&lt;/p&gt;</summary>
  </entry>
  <entry>
    <title>XHTML content only</title>
    <link href="https://atom.example.org/2024/06/xhtml"/>
    <id>tag:atom.example.org,2024:2</id>
    <published>garbage</published>
    <updated>2024-06-12T11:00:00Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>First paragraph.</p><p>Second <em>one</em>.</p></div></content>
  </entry>
</feed>`;

function allStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(allStrings);
  return [];
}

async function parseError(xml: string): Promise<FeedParseError> {
  const error = await parseFeed(xml).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(FeedParseError);
  expect((error as FeedParseError).name).toBe('FeedParseError');
  return error as FeedParseError;
}

describe('parseFeed: formats', () => {
  it('reads RSS 2.0 channel and items with categories, dc:subject, guid and description', async () => {
    const feed = await parseFeed(RSS2);
    expect(feed.title).toBe('Defence Desk');
    expect(feed.link).toBe('https://news.example.org/');
    expect(feed.language).toBe('en-GB');
    expect(feed.entries).toHaveLength(2);
    const [first, second] = feed.entries;
    expect(first).toEqual({
      guid: 'article-1',
      link: 'https://news.example.org/a/1?utm_source=rss',
      title: 'NATO ministers back <b>€100bn</b> fund',
      summary: '<p>Ministers met in Brussels &amp; agreed.</p>',
      published: 'Wed, 12 Jun 2024 08:30:00 GMT',
      categories: ['Defence', 'Ukraine', 'NATO'],
      author: 'desk@news.example.org (Defence Desk)',
    });
    // A permalink guid stands in for the missing <link>; dc:date is the date.
    expect(second?.link).toBe('https://news.example.org/a/2');
    expect(second?.published).toBe('2024-06-12T09:00:00+02:00');
    // The description has no visible text, so content:encoded is the summary.
    expect(second?.summary).toBe('<p>Only the full content has text.</p>');
  });

  it('reads RSS 1.0 (RDF) with dc:language, dc:date and dc:subject', async () => {
    const feed = await parseFeed(RSS1);
    expect(feed.title).toBe('RDF Outlet');
    expect(feed.language).toBe('de');
    expect(feed.entries).toEqual([
      {
        guid: 'https://rdf.example.org/story/7',
        link: 'https://rdf.example.org/story/7',
        title: 'Ukraine-Fonds der NATO',
        summary: 'Die Minister beraten.',
        published: '2024-06-11T17:00:00Z',
        categories: ['Verteidigung'],
      },
    ]);
  });

  it('reads Atom 1.0: alternate link, category terms, xml:lang, author, html summary, xhtml content', async () => {
    const feed = await parseFeed(ATOM);
    expect(feed.title).toBe('Atom Outlet');
    expect(feed.link).toBe('https://atom.example.org/');
    expect(feed.language).toBe('fr-FR');
    const [first, second] = feed.entries;
    expect(first).toEqual({
      guid: 'tag:atom.example.org,2024:1',
      link: 'https://atom.example.org/2024/06/mission',
      title: 'Mission de l&#8217;OTAN',
      summary: '<p>Une mission pour coordonner l’aide.</p>',
      published: '2024-06-12T07:00:00+02:00',
      categories: ['otan', 'ukraine'],
      author: 'Claire',
    });
    expect(second?.link).toBe('https://atom.example.org/2024/06/xhtml');
    expect(second?.summary).toContain('First paragraph.');
    expect(second?.summary).toContain('Second');
    // A garbled <published> falls back to <updated> instead of losing the feed or the date.
    expect(second?.published).toBe('2024-06-12T11:00:00Z');
  });

  it('accepts an <rss> root without a version, and undeclared HTML entities and bare ampersands', async () => {
    const feed = await parseFeed(
      '<rss><channel><title>Caf&eacute; &amp; Co</title><item><title>A&nbsp;B &mdash; C</title>' +
        '<link>https://x.example/a?b=1&c=2</link></item></channel></rss>',
    );
    expect(feed.title).toBe('Café & Co');
    expect(feed.entries[0]?.title).toBe('A B — C');
    expect(feed.entries[0]?.link).toBe('https://x.example/a?b=1&c=2');
  });

  it('keeps entries without links or GUIDs, and an Atom <link> without attributes does not sink the feed', async () => {
    const feed = await parseFeed(
      '<feed xmlns="http://www.w3.org/2005/Atom"><entry><link>https://odd.example/1</link><title>t1</title></entry>' +
        '<entry><title>no link, no id</title></entry></feed>',
    );
    expect(feed.entries).toEqual([
      { link: 'https://odd.example/1', title: 't1', categories: [] },
      { title: 'no link, no id', categories: [] },
    ]);
  });
});

describe('parseFeed: refusals', () => {
  it('refuses an empty body', async () => {
    expect((await parseError('')).message).toMatch(/empty body/);
    expect((await parseError('\ufeff  \n ')).message).toMatch(/empty body/);
  });

  it('refuses a truncated document with line and column', async () => {
    const truncated = RSS2.slice(0, RSS2.indexOf('</item>') - 20);
    const error = await parseError(truncated);
    expect(error.message).toMatch(/^malformed XML at line \d+, column \d+: /);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('refuses mismatched tags as malformed XML', async () => {
    const error = await parseError('<rss version="2.0"><channel><title>a</titel></channel></rss>');
    expect(error.message).toMatch(/^malformed XML at line 1, column \d+: Unexpected close tag/);
  });

  it('recognises an HTML page', async () => {
    const html = '<!DOCTYPE html>\n<html lang="en"><head><title>News</title></head><body><p>Hi</p></body></html>';
    expect((await parseError(html)).message).toBe('looks like an HTML page, not RSS or Atom');
    expect((await parseError('<html><body>x</body></html>')).message).toBe('looks like an HTML page, not RSS or Atom');
  });

  it('recognises a login wall', async () => {
    const login =
      '<!doctype html><html><head><title>Sign in to continue</title></head><body>' +
      '<form method="post"><input name="user"><input type="password" name="pw"></form></body></html>';
    expect((await parseError(login)).message).toMatch(/^looks like a login page .*not RSS or Atom/);
  });

  it('refuses a billion-laughs DOCTYPE before parsing', async () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
      Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('') +
      ']><rss version="2.0"><channel><title>&lol9;</title></channel></rss>';
    expect((await parseError(laughs)).message).toBe('DOCTYPE with entity declarations refused');
    const xxe = '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel><title>&xxe;</title></channel></rss>';
    expect((await parseError(xxe)).message).toBe('DOCTYPE with entity declarations refused');
  });

  it('accepts a DOCTYPE without entity declarations', async () => {
    const feed = await parseFeed(
      '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">' +
        '<rss version="0.91"><channel><title>Old</title><item><title>x</title></item></channel></rss>',
    );
    expect(feed.entries).toHaveLength(1);
  });

  it('names JSON, plain text and foreign XML roots', async () => {
    expect((await parseError('{"items": []}')).message).toBe('looks like JSON, not RSS or Atom');
    expect((await parseError('Service Unavailable')).message).toMatch(/^not XML/);
    expect((await parseError('<?xml version="1.0"?><note><to>x</to></note>')).message).toBe('not RSS or Atom: the root element is <note>');
    expect((await parseError('<rss version="2.0"></rss>')).message).toBe('RSS document without a <channel>');
  });
});

describe('parseFeed: hostile content', () => {
  it('does not let __proto__ or constructor elements and attributes pollute anything', async () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    const xml =
      '<rss version="2.0" __proto__="x" constructor="y"><channel><__proto__><polluted>yes</polluted></__proto__>' +
      '<constructor><prototype><polluted>yes</polluted></prototype></constructor><title>T</title>' +
      '<item __proto__="z"><__proto__><polluted>yes</polluted></__proto__><constructor><prototype><polluted>yes</polluted></prototype></constructor>' +
      '<title>__proto__</title><category>constructor</category><category>__proto__</category><guid>constructor</guid></item>' +
      '</channel></rss>';
    const feed = await parseFeed(xml);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    const [entry] = feed.entries;
    expect(Object.getPrototypeOf(entry)).toBe(Object.prototype);
    expect(Object.keys(entry!).sort()).toEqual(['categories', 'guid', 'title']);
    expect(entry).toEqual({ guid: 'constructor', title: '__proto__', categories: ['constructor', '__proto__'] });
    expect(Object.keys(feed).sort()).toEqual(['entries', 'title']);
  });

  it('keeps only the first maxEntries of 10,000 items', async () => {
    const items = Array.from({ length: 10_000 }, (_, i) => `<item><title>Item ${i}</title><guid>g-${i}</guid></item>`).join('');
    const xml = `<rss version="2.0"><channel><title>Big</title>${items}</channel></rss>`;
    const capped = await parseFeed(xml);
    expect(capped.entries).toHaveLength(500);
    expect(capped.entries[0]?.title).toBe('Item 0');
    expect(capped.entries[499]?.title).toBe('Item 499');
    const few = await parseFeed(xml, { maxEntries: 3 });
    expect(few.entries.map((e) => e.guid)).toEqual(['g-0', 'g-1', 'g-2']);
  });

  it('caps a 1 MB title and an oversized summary', async () => {
    const xml = `<rss version="2.0"><channel><item><title>${'A'.repeat(1_000_000)}</title><description>${'b '.repeat(100_000)}</description></item></channel></rss>`;
    const [entry] = (await parseFeed(xml)).entries;
    expect(entry?.title).toHaveLength(1_000);
    expect(entry?.summary?.length).toBeLessThanOrEqual(20_000);
  });

  it('keeps control characters out of every field', async () => {
    const xml =
      '<rss version="2.0"><channel><title>T\u0007itle</title><item><title>Bell\u0007 &#x1b;[31mred \u0085next\u202eevil</title>' +
      '<link>https://c.example/\u0001a</link><guid>g\u0000\u0008</guid><category>c\u001fat</category>' +
      '<description>x\u0002y</description></item></channel></rss>';
    const feed = await parseFeed(xml.replace('&#x1b;', '\u001b'));
    const strings = allStrings(feed);
    expect(strings.length).toBeGreaterThan(5);
    for (const text of strings) expect(text).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(feed.entries[0]?.title).toBe('Bell [31mred nextevil');
    expect(feed.entries[0]?.guid).toBe('g');
  });

  it('refuses forbidden numeric character references quietly instead of failing the feed', async () => {
    const feed = await parseFeed('<rss version="2.0"><channel><item><title>a&#1;b&#0;c</title></item></channel></rss>');
    expect(feed.entries[0]?.title).toBe('abc');
  });
});
