/**
 * Seeded fuzzing of parseFeed + normaliseEntry: random bodies and mutations of valid RSS 2.0,
 * RSS 1.0 and Atom documents. Every case must either give well-formed output or throw
 * FeedParseError. The seed is fixed so that a failure names a reproducible case.
 */
import { describe, expect, it } from 'vitest';
import type { NewsItem, ParsedFeed } from '#shared/model.ts';
import { FeedParseError, parseFeed } from '#shared/feed/parse-feed.ts';
import { normaliseEntry } from '#shared/feed/normalise-entry.ts';
import { prng } from '#tests/support/prng.ts';

const FEED = { url: 'https://fuzz.example/feed.xml', name: 'Fuzz Outlet' };
const FETCHED_AT = '2024-06-12T12:00:00.000Z';
const UNSAFE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSAFE_OR_BREAK = /[\t\n\r]/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ITEM_KEYS = new Set(['id', 'title', 'summary', 'link', 'source', 'feedUrl', 'publishedAt', 'fetchedAt', 'lang', 'categories']);
const ENTRY_KEYS = new Set(['guid', 'link', 'title', 'summary', 'published', 'categories', 'author']);


type Random = ReturnType<typeof prng>;
const int = (random: Random, max: number) => Math.floor(random() * max);
const pick = <T>(random: Random, values: readonly T[]): T => values[int(random, values.length)]!;

const RSS2 = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Fuzz &amp; Co</title><link>https://fuzz.example/</link><language>en-us</language>
<item><title>NATO fund &lt;b&gt;agreed&lt;/b&gt;</title><link>https://fuzz.example/a/1?utm_source=rss&amp;x=1</link>
<guid isPermaLink="false">a-1</guid><pubDate>Wed, 12 Jun 2024 08:30:00 GMT</pubDate><category>Defence</category><dc:subject>NATO</dc:subject>
<description><![CDATA[<p>Ministers &amp; aid <a href="/x">more</a></p>]]></description><content:encoded><![CDATA[<div>Full</div>]]></content:encoded></item>
<item><title>Second</title><guid>https://fuzz.example/a/2</guid><dc:date>2024-06-12T09:00:00+02:00</dc:date><description>Plain</description></item>
</channel></rss>`;

const RSS1 = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://rdf.example/"><title>RDF</title><link>https://rdf.example/</link><dc:language>de</dc:language></channel>
<item rdf:about="https://rdf.example/s/7"><title>Fonds</title><link>https://rdf.example/s/7</link><description>Text &amp; mehr</description><dc:date>2024-06-11T17:00:00Z</dc:date><dc:subject>NATO</dc:subject></item>
</rdf:RDF>`;

const ATOM = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr"><title>Atom</title><link rel="alternate" href="https://atom.example/"/>
<entry><title type="html">Mission &amp;amp; OTAN</title><link rel="alternate" href="/2024/m"/><id>tag:atom.example,2024:1</id>
<published>2024-06-12T07:00:00+02:00</published><updated>2024-06-12T09:00:00+02:00</updated><category term="otan" label="OTAN"/>
<author><name>C</name></author><summary type="html">&lt;p&gt;Aide&lt;/p&gt;</summary>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Un</p><p>Deux</p></div></content></entry>
<entry><title>Two</title><link href="https://atom.example/2"/><id>2</id><updated>2024-06-12T11:00:00Z</updated></entry>
</feed>`;

const SEEDS = [RSS2, RSS1, ATOM];
const INJECTIONS = [
  '&lol;', '&#0;', '&#1;', '&#x110000;', '&#xD800;', '&nbsp;', '&', '&amp;', '&#', '<!ENTITY x "y">', '<!DOCTYPE x [<!ENTITY a "b">]>',
  '<![CDATA[', ']]>', '<!--', '-->', '<__proto__><polluted>1</polluted></__proto__>', '<constructor><prototype><polluted>1</polluted></prototype></constructor>',
  '<item>', '</item>', '<entry>', '</entry>', '<link>', '<link href="javascript:alert(1)"/>', '<link/>', '<title/>', '<category term="__proto__"/>',
  '<pubDate>garbage</pubDate>', '<published>not-a-date</published>', '<updated>99999-01-01</updated>', '\u0000', '\u0007', '\u001b[31m', '\u202e',
  '\ud800', '\uffff', '\ufeff', '<?xml version="1.0"?>', '<html>', '<script>', '<p <p <p', 'x'.repeat(3_000), '<a href="', '"', "'", '>',
];

function randomString(random: Random, length: number): string {
  const alphabet = ['<', '>', '&', ';', '/', '"', '=', ' ', 'a', 'r', 's', 'x', '!', '?', '[', ']', '#', '-', '\n', 'é', '€', '\u0000', '\u0085', '😀'];
  let out = '';
  for (let i = 0; i < length; i += 1) {
    out += random() < 0.7 ? pick(random, alphabet) : String.fromCharCode(int(random, 0x3000));
  }
  return out;
}

function mutate(random: Random, doc: string, maxSteps: number): string {
  let text = doc;
  const steps = 1 + int(random, maxSteps);
  for (let step = 0; step < steps; step += 1) {
    const at = int(random, text.length + 1);
    switch (int(random, 7)) {
      case 0: // truncation
        text = text.slice(0, at);
        break;
      case 1: { // character flips
        const chars = text.split('');
        for (let n = 0; n < 1 + int(random, 8) && chars.length > 0; n += 1) {
          chars[int(random, chars.length)] = String.fromCharCode(int(random, 0x80));
        }
        text = chars.join('');
        break;
      }
      case 2: { // tag deletion
        const tags = [...text.matchAll(/<[^<>]{1,200}>/g)];
        const tag = tags.length > 0 ? pick(random, tags) : undefined;
        if (tag) text = text.slice(0, tag.index) + text.slice(tag.index + tag[0].length);
        break;
      }
      case 3: { // duplication of a span
        const length = int(random, 400);
        text = text.slice(0, at) + text.slice(at, at + length).repeat(1 + int(random, 3)) + text.slice(at);
        break;
      }
      case 4: // entity and construct injection
        text = text.slice(0, at) + pick(random, INJECTIONS) + text.slice(at);
        break;
      case 5: // random junk
        text = text.slice(0, at) + randomString(random, int(random, 40)) + text.slice(at);
        break;
      default: { // many items, to exercise the entry cap
        const items = [...text.matchAll(/<(item|entry)\b[\s\S]*?<\/\1>/g)];
        const item = items.length > 0 ? pick(random, items) : undefined;
        if (item) text = text.replace(item[0], item[0].repeat(2 + int(random, 30)));
      }
    }
  }
  return text;
}

function checkFeed(feed: ParsedFeed, label: string): void {
  expect(Object.getPrototypeOf(feed), label).toBe(Object.prototype);
  expect(Array.isArray(feed.entries), label).toBe(true);
  expect(feed.entries.length, label).toBeLessThanOrEqual(50);
  for (const key of ['title', 'link', 'language'] as const) {
    const value = feed[key];
    if (value !== undefined) {
      expect(typeof value, label).toBe('string');
      expect(UNSAFE.test(value), `${label}: feed.${key}`).toBe(false);
    }
  }
  for (const entry of feed.entries) {
    expect(Object.getPrototypeOf(entry), label).toBe(Object.prototype);
    for (const key of Object.keys(entry)) expect(ENTRY_KEYS.has(key), `${label}: entry key ${key}`).toBe(true);
    expect(Array.isArray(entry.categories), label).toBe(true);
    for (const value of [entry.guid, entry.link, entry.title, entry.summary, entry.published, entry.author, ...entry.categories]) {
      if (value === undefined) continue;
      expect(typeof value, label).toBe('string');
      expect(UNSAFE.test(value), `${label}: ${JSON.stringify(value.slice(0, 80))}`).toBe(false);
    }
    if (entry.title !== undefined) expect(entry.title.length, label).toBeLessThanOrEqual(1_000);
    if (entry.summary !== undefined) expect(entry.summary.length, label).toBeLessThanOrEqual(20_000);
  }
}

function checkItem(item: NewsItem, label: string): void {
  expect(Object.getPrototypeOf(item), label).toBe(Object.prototype);
  for (const key of Object.keys(item)) expect(ITEM_KEYS.has(key), `${label}: item key ${key}`).toBe(true);
  expect(item.id, label).toMatch(/^[0-9a-f]{24}$/);
  expect(typeof item.title, label).toBe('string');
  expect(item.title.length, label).toBeGreaterThan(0);
  expect(item.title.length, label).toBeLessThanOrEqual(300);
  expect(typeof item.summary, label).toBe('string');
  expect(item.summary.length, label).toBeLessThanOrEqual(1_000);
  expect(item.source, label).toBe(FEED.name);
  expect(item.feedUrl, label).toBe(FEED.url);
  expect(item.fetchedAt, label).toBe(FETCHED_AT);
  expect(item.publishedAt, label).toMatch(ISO);
  expect(Date.parse(item.publishedAt), label).toBeLessThanOrEqual(Date.parse(FETCHED_AT) + 86_400_000);
  if (item.link !== undefined) {
    expect(item.link, label).toMatch(/^https?:\/\/[^\s]+$/);
  }
  if (item.lang !== undefined) expect(item.lang, label).toMatch(/^[a-z]{2}$/);
  expect(Array.isArray(item.categories), label).toBe(true);
  expect(item.categories.length, label).toBeLessThanOrEqual(20);
  for (const value of [item.title, item.summary, item.link ?? '', ...item.categories]) {
    expect(typeof value, label).toBe('string');
    expect(UNSAFE.test(value) || UNSAFE_OR_BREAK.test(value), `${label}: ${JSON.stringify(value.slice(0, 80))}`).toBe(false);
  }
  for (const category of item.categories) {
    expect(category.length, label).toBeGreaterThan(0);
    expect(category.length, label).toBeLessThanOrEqual(100);
  }
}

interface Tally { parsed: number; refused: number; items: number }

async function runCase(body: string, label: string, tally: Tally): Promise<void> {
  let feed: ParsedFeed;
  try {
    feed = await parseFeed(body, { maxEntries: 50 });
  } catch (error) {
    expect(error, `${label}: ${String(error)}`).toBeInstanceOf(FeedParseError);
    expect((error as Error).message.length, label).toBeGreaterThan(0);
    expect(UNSAFE.test((error as Error).message), label).toBe(false);
    tally.refused += 1;
    return;
  }
  tally.parsed += 1;
  checkFeed(feed, label);
  for (const entry of feed.entries) {
    const item = normaliseEntry(entry, { ...FEED, language: feed.language }, FETCHED_AT);
    if (item === undefined) continue;
    tally.items += 1;
    checkItem(item, label);
  }
}

describe('parseFeed + normaliseEntry fuzz', () => {
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

  it('survives mutations of valid RSS 2.0, RSS 1.0 and Atom documents', async () => {
    const random = prng(0x5eed_f33d);
    const tally: Tally = { parsed: 0, refused: 0, items: 0 };
    for (let i = 0; i < 1_800; i += 1) {
      const seed = SEEDS[i % SEEDS.length]!;
      // Single mutations mostly still parse and exercise normalisation; stacked ones mostly do not.
      await runCase(mutate(random, seed, i % 2 === 0 ? 1 : 4), `mutation case ${i}`, tally);
    }
    // Both outcomes must actually occur, or the fuzz is not exercising anything.
    expect(tally.parsed).toBeGreaterThan(300);
    expect(tally.refused).toBeGreaterThan(500);
    expect(tally.items).toBeGreaterThan(1_000);
  }, 30_000);

  it('survives random bodies', async () => {
    const random = prng(0xbad_c0de);
    const tally: Tally = { parsed: 0, refused: 0, items: 0 };
    for (let i = 0; i < 1_200; i += 1) {
      const prefix = pick(random, ['', '<rss version="2.0"><channel><item><title>', '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>', '\ufeff', '<?xml version="1.0"?>']);
      await runCase(prefix + randomString(random, int(random, 600)), `random case ${i}`, tally);
    }
    expect(tally.refused).toBeGreaterThan(600);
  }, 30_000);

  it('survives random content inside a well-formed frame', async () => {
    const random = prng(0xf4a3e);
    const tally: Tally = { parsed: 0, refused: 0, items: 0 };
    for (let i = 0; i < 800; i += 1) {
      const field = () => `<![CDATA[${randomString(random, int(random, 300)).replaceAll(']]>', '')}]]>`;
      const body = `<rss version="2.0"><channel><language>${field()}</language><item><title>${field()}</title>` +
        `<link>${field()}</link><guid>${field()}</guid><pubDate>${field()}</pubDate><category>${field()}</category>` +
        `<description>${field()}</description></item></channel></rss>`;
      await runCase(body, `frame case ${i}`, tally);
    }
    expect(tally.parsed).toBe(800);
    expect(tally.items).toBeGreaterThan(700);
  }, 30_000);

  it('leaves Object.prototype untouched', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
  });
});
