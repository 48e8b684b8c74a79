import { describe, expect, it } from 'vitest';
import { feedUrlKey, mergeFeeds } from '#shared/config/feed-list-merge.ts';
import { candidateOfOutline } from '#shared/config/opml-import.ts';
import { OPML_LIMITS, OpmlError, readOpml } from '#shared/config/opml-read.ts';
import { writeOpml } from '#shared/config/opml-write.ts';

const opml = (body: string, head = '<head><title>t</title></head>') => Buffer.from(`<opml version="2.0">${head}<body>${body}</body></opml>`);

describe('readOpml', () => {
  it('reads attribute names in any case, title before text, and an outline with both an xmlUrl and children as a feed', () => {
    const doc = readOpml(
      opml(
        '<outline TEXT="Folder"><outline text="T" title="Title wins" XMLURL="https://a.example/rss" HtmlUrl="https://a.example/" Type="RSS"/>' +
          '<outline text="Feed folder" xmlUrl="https://b.example/rss"><outline text="Child" xmlUrl="https://c.example/rss"/></outline></outline>',
      ),
    );
    expect(doc.entries.map(({ title, xmlUrl, htmlUrl, type, folders }) => ({ title, xmlUrl, htmlUrl, type, folders }))).toEqual([
      { title: 'Title wins', xmlUrl: 'https://a.example/rss', htmlUrl: 'https://a.example/', type: 'rss', folders: ['Folder'] },
      { title: 'Feed folder', xmlUrl: 'https://b.example/rss', htmlUrl: undefined, type: undefined, folders: ['Folder'] },
      { title: 'Child', xmlUrl: 'https://c.example/rss', htmlUrl: undefined, type: undefined, folders: ['Folder', 'Feed folder'] },
    ]);
  });

  it('keeps outlines outside <body> and folders without feeds out of the entries', () => {
    const doc = readOpml(opml('<outline text="Empty folder"><outline text="Inner empty"></outline></outline>', '<head><outline text="x" xmlUrl="https://h.example/"/></head>'));
    expect(doc.entries.map((e) => e.title)).toEqual(['Inner empty']);
  });

  it('decodes entities once more (double escaping), keeps angle brackets, drops control and bidi characters', () => {
    const [entry] = readOpml(opml('<outline text="A &amp;amp; B &amp;#39;C&amp;#39; &lt;D&gt;&#x202E; \u0007E  &#9;F" xmlUrl="https://a.example/rss"/>')).entries;
    expect(entry?.title).toBe("A & B 'C' <D> E F");
  });

  it('reads a CDATA head title and bare ampersands in URLs', () => {
    const doc = readOpml(opml('<outline text="x" xmlUrl="https://a.example/rss?a=1&b=2"/>', '<head><title><![CDATA[Mine & yours]]></title></head>'));
    expect(doc.title).toBe('Mine & yours');
    expect(doc.entries[0]?.xmlUrl).toBe('https://a.example/rss?a=1&b=2');
  });

  it('applies its limits: bytes, outlines, depth', () => {
    const limits = { ...OPML_LIMITS, maxBytes: 200, maxOutlines: 2, maxDepth: 4 };
    expect(() => readOpml(Buffer.alloc(201, 0x20), limits)).toThrow(new OpmlError('the file is 201 bytes; OPML files over 200 bytes are refused'));
    expect(() => readOpml(opml('<outline/><outline/><outline/>'), limits)).toThrow('more than 2 outlines: refused');
    expect(() => readOpml(opml('<outline><outline><outline/></outline></outline>'), limits)).toThrow('outlines nested more than 4 deep');
    expect(readOpml(opml('<outline><outline/></outline>'), limits).entries).toHaveLength(1);
  });

  it('numbers each outline by the line its start tag begins on', () => {
    const doc = readOpml(Buffer.from('<opml>\n<body>\n<outline\n  text="a"\n  xmlUrl="https://a.example/rss"/>\n<outline text="b" xmlUrl="https://b.example/rss"/></body></opml>'));
    expect(doc.entries.map((e) => e.line)).toEqual([3, 6]);
  });

  it('reports malformed XML with a 1-based line', () => {
    expect(() => readOpml(Buffer.from('<opml>\n<body>\n<outline text="a">\n</body>'))).toThrow(/^malformed XML at line 4, column \d+: Unexpected close tag$/);
  });
});

describe('candidateOfOutline', () => {
  it('turns an xmlUrl into a candidate and says why anything else is not a feed', () => {
    expect(candidateOfOutline({ line: 3, folders: [], xmlUrl: 'https://a.example/rss', title: 'A', language: 'de-AT' })).toEqual({
      url: 'https://a.example/rss',
      name: 'A',
      language: 'de-AT',
      source: 'line 3',
    });
    expect(candidateOfOutline({ line: 4, folders: [], title: 'B' })).toMatchObject({ outcome: 'rejected', reason: 'no xmlUrl: not a feed' });
    expect(candidateOfOutline({ line: 5, folders: [], type: 'link', htmlUrl: 'https://c.example/' })).toMatchObject({
      outcome: 'rejected',
      reason: 'type="link": a link, not a feed',
    });
  });
});

describe('mergeFeeds', () => {
  const existing = [{ url: 'https://www.nato.int/rss.xml', name: 'NATO' }];

  it('adds new feeds, finds known ones under another spelling, and rejects what the config could not hold', () => {
    const { added, lines } = mergeFeeds(existing, [
      { url: 'HTTP://WWW.NATO.INT:80/rss.xml?utm_campaign=x#top', name: 'NATO again' },
      { url: ' https://a.example/feed ', name: 'A', language: 'EN-gb' },
      { url: 'https://a.example/feed?fbclid=1', name: 'A twice' },
      { url: 'https://b.example/feed', language: 'english' },
      { url: 'https://user:secret@c.example/feed', name: 'C' },
      { url: 'gopher://d.example/', name: 'D' },
      { outcome: 'rejected', reason: 'passed through', source: 'line 9' },
    ]);
    expect(added).toEqual([
      { url: 'https://a.example/feed', name: 'A', language: 'en' },
      { url: 'https://b.example/feed', name: 'b.example' },
    ]);
    expect(lines.map((line) => line.outcome)).toEqual(['already-there', 'added', 'already-there', 'added', 'rejected', 'rejected', 'rejected']);
    expect(lines[0]).toMatchObject({ sameAs: existing[0] });
    expect(lines[0]).not.toHaveProperty('addedFrom');
    expect(lines[2]).toMatchObject({ addedFrom: 'this run' });
    expect(lines[3]).toMatchObject({
      notes: ['no title: named after its host', 'language "english" dropped: the config takes two-letter codes'],
    });
    expect(lines[4]).toMatchObject({ reason: 'feed URLs with credentials are not supported' });
    expect(lines[5]).toMatchObject({ reason: 'gopher: URLs are not fetched: only http and https' });
    expect(lines[6]).toMatchObject({ reason: 'passed through', source: 'line 9' });
  });

  it('keys feed URLs without scheme, tracking parameters or fragment, but keeps real query parameters apart', () => {
    expect(feedUrlKey('http://a.example/rss?utm_source=x#f')).toBe(feedUrlKey('https://A.example/rss'));
    expect(feedUrlKey('https://a.example/rss?lang=fr')).not.toBe(feedUrlKey('https://a.example/rss?lang=en'));
  });
});

describe('writeOpml', () => {
  it('escapes what XML needs escaped, in text and attributes, and drops what XML cannot carry', () => {
    const text = writeOpml([{ url: 'https://a.example/rss?a=1&b="2"', name: 'Tab\there\nnewline <b> & \u0001bell', language: 'fr' }], {
      title: 'Mine & <yours>',
      dateCreated: new Date(Date.UTC(2024, 1, 12, 10, 0, 0)),
    });
    expect(text).toContain('<title>Mine &amp; &lt;yours&gt;</title>');
    expect(text).toContain('<dateCreated>Mon, 12 Feb 2024 10:00:00 GMT</dateCreated>');
    expect(text).toContain(
      '<outline type="rss" text="Tab&#9;here&#10;newline &lt;b&gt; &amp; bell" title="Tab&#9;here&#10;newline &lt;b&gt; &amp; bell" xmlUrl="https://a.example/rss?a=1&amp;b=&quot;2&quot;" language="fr"/>',
    );
    const [entry] = readOpml(Buffer.from(text)).entries;
    expect(entry).toMatchObject({ xmlUrl: 'https://a.example/rss?a=1&b="2"', type: 'rss', language: 'fr' });
  });
});
