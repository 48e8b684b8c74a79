import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/load.ts';
import { expectRefusal, runFundwatch } from '#tests/support/cli-process.ts';

/**
 * `fundwatch feeds import FILE.opml` end to end: the real CLI in a child process, OPML files in
 * the shapes Inoreader, Feedly, Miniflux and FreshRSS export (fixtures/opml), and hostile files
 * that must leave the config byte for byte as it was.
 */

const FIXTURES = resolve('fixtures/opml');
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fundwatch-feeds-import-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh working directory, with a config in it when one is given. */
async function workdir(config?: unknown): Promise<string> {
  const dir = await mkdtemp(join(root, 'case-'));
  if (config !== undefined) await writeFile(join(dir, 'fundwatch.config.json'), `${JSON.stringify(config, null, 2)}\n`);
  return dir;
}

async function feedsIn(dir: string, name = 'fundwatch.config.json'): Promise<unknown> {
  return (JSON.parse(await readFile(join(dir, name), 'utf8')) as { feeds: unknown }).feeds;
}

const reportLines = (stdout: string) => stdout.trimEnd().split('\n');

describe.concurrent('fundwatch feeds import: real exports', () => {
  it('Inoreader: nested folders flattened, entities decoded, into a config that did not exist yet', async () => {
    const dir = await workdir();
    const run = await runFundwatch(['feeds', 'import', join(FIXTURES, 'inoreader.opml')], dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(await feedsIn(dir)).toEqual([
      { url: 'https://www.defensenews.com/arc/outboundfeeds/rss/?outputType=xml', name: 'Defense News' },
      { url: 'https://breakingdefense.com/feed/', name: 'Breaking Defense' },
      { url: 'https://www.nato.int/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml', name: 'NATO News & Updates' },
      { url: 'https://www.euronews.com/rss?level=vertical&name=my-europe', name: "Euronews 'Europe'" },
      { url: 'https://kyivindependent.com/news-archive/rss/', name: 'The Kyiv Independent' },
    ]);
    const lines = reportLines(run.stdout);
    expect(lines[0]).toBe('added          line 8   Defense News — https://www.defensenews.com/arc/outboundfeeds/rss/?outputType=xml');
    expect(lines.at(-1)).toBe('5 added, 0 already there, 0 rejected; fundwatch.config.json now lists 5 feeds');
    // What it wrote is a config `run` accepts.
    expect((await loadConfig(join(dir, 'fundwatch.config.json'))).feeds).toHaveLength(5);
  });

  it('Feedly: double-escaped and HTML entities in titles, the same feed twice (http and https, utm_*) added once', async () => {
    const dir = await workdir();
    const run = await runFundwatch(['feeds', 'import', join(FIXTURES, 'feedly.opml')], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(await feedsIn(dir)).toEqual([
      { url: 'http://feeds.bbci.co.uk/news/world/rss.xml', name: 'BBC News - World' },
      { url: 'https://www.reutersagency.com/feed/?best-topics=political-general&post_type=best', name: 'Reuters & Partners' },
      { url: 'https://www.lemonde.fr/international/rss_full.xml', name: 'Le Monde édition internationale' },
    ]);
    expect(reportLines(run.stdout)).toContain(
      'already there  line 13  BBC News - World (again) — https://feeds.bbci.co.uk/news/world/rss.xml?utm_source=feedly (same feed as line 8, added above)',
    );
  });

  it('Miniflux: no type attribute, an empty title (text used), namespaced extra attributes ignored', async () => {
    const dir = await workdir();
    const run = await runFundwatch(['feeds', 'import', join(FIXTURES, 'miniflux.opml')], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(await feedsIn(dir)).toEqual([
      { url: 'https://www.kyivpost.com/feed', name: 'Kyiv Post' },
      { url: 'https://www.politico.eu/feed/', name: 'Politico Europe' },
      { url: 'https://warontherocks.com/feed/', name: 'War on the Rocks' },
    ]);
  });

  it('FreshRSS: languages kept as two-letter codes, and every outline that is no feed rejected with its reason', async () => {
    const dir = await workdir();
    const run = await runFundwatch(['feeds', 'import', join(FIXTURES, 'freshrss.opml')], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(await feedsIn(dir)).toEqual([
      { url: 'https://www.lemonde.fr/rss/une.xml', name: 'Le Monde.fr - Actualités et Infos en France et dans le monde', language: 'fr' },
      { url: 'https://rss.dw.com/rdf/rss-en-all', name: 'Deutsche Welle', language: 'en' },
    ]);
    const rejected = reportLines(run.stdout).filter((line) => line.startsWith('rejected'));
    expect(rejected).toEqual([
      'rejected       line 11  Some ministry news page — https://ministry.example/news: type="HTML+XPath": a web page scraped by FreshRSS, not a feed',
      'rejected       line 14  Think tank homepage: htmlUrl without xmlUrl: a web page, not a feed (https://thinktank.example/)',
      'rejected       line 15  Local file — file:///home/me/feed.xml: file: URLs are not fetched: only http and https',
      'rejected       line 16  Broken — http://exa mple.com/rss: "http://exa mple.com/rss" is not a valid URL',
    ]);
    expect(reportLines(run.stdout).at(-1)).toBe('2 added, 0 already there, 4 rejected; fundwatch.config.json now lists 2 feeds');
  });

  it('an ISO-8859-1 prolog and a UTF-8 BOM are decoded as declared', async () => {
    const dir = await workdir();
    const latin1 = await runFundwatch(['feeds', 'import', join(FIXTURES, 'latin1.opml')], dir);
    expect(latin1.code, latin1.stderr).toBe(0);
    const bom = await runFundwatch(['feeds', 'import', join(FIXTURES, 'bom.opml')], dir);
    expect(bom.code, bom.stderr).toBe(0);
    expect(await feedsIn(dir)).toEqual([
      { url: 'https://francais.example/rss.xml', name: "Français à l'étranger" },
      { url: 'https://merkur.example/feed', name: 'Münchner Merkur' },
      { url: 'https://www.pravda.com.ua/rss/', name: 'Українська правда', language: 'uk' },
    ]);
  });

  it("keeps the config's other settings and feeds, finds a feed it already has under another spelling, and --config names the file", async () => {
    const config = {
      feeds: [{ url: 'HTTPS://Feeds.BBCI.co.uk/news/world/rss.xml#top', name: 'BBC World', intervalMinutes: 30 }],
      fetch: { allowPrivateHosts: ['127.0.0.1'], timeoutMs: 5000 },
      subscriptions: [{ email: 'analyst@example.org', topics: ['ukraine-fund'] }],
    };
    const dir = await workdir();
    await writeFile(join(dir, 'mine.json'), JSON.stringify(config));
    const run = await runFundwatch(['feeds', 'import', join(FIXTURES, 'feedly.opml'), '--config', 'mine.json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const written = await readFile(join(dir, 'mine.json'), 'utf8');
    expect(written).toBe(
      `${JSON.stringify(
        {
          ...config,
          feeds: [
            ...config.feeds,
            { url: 'https://www.reutersagency.com/feed/?best-topics=political-general&post_type=best', name: 'Reuters & Partners' },
            { url: 'https://www.lemonde.fr/international/rss_full.xml', name: 'Le Monde édition internationale' },
          ],
        },
        null,
        2,
      )}\n`,
    );
    expect(reportLines(run.stdout)[0]).toBe(
      'already there  line 8   BBC News - World — http://feeds.bbci.co.uk/news/world/rss.xml (listed as "BBC World")',
    );
  });

  it('importing the same file again changes nothing, byte for byte', async () => {
    const dir = await workdir();
    expect((await runFundwatch(['feeds', 'import', join(FIXTURES, 'inoreader.opml')], dir)).code).toBe(0);
    const before = await readFile(join(dir, 'fundwatch.config.json'));
    const again = await runFundwatch(['feeds', 'import', join(FIXTURES, 'inoreader.opml')], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(reportLines(again.stdout).at(-1)).toBe('0 added, 5 already there, 0 rejected; fundwatch.config.json not changed');
    expect(await readFile(join(dir, 'fundwatch.config.json'))).toEqual(before);
  });

  it('a file with no feed at all does not create a config', async () => {
    const dir = await workdir();
    await writeFile(join(dir, 'links.opml'), '<opml version="2.0"><head/><body><outline text="Home" htmlUrl="https://example.org/"/></body></opml>');
    const run = await runFundwatch(['feeds', 'import', 'links.opml'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(reportLines(run.stdout).at(-1)).toBe('0 added, 0 already there, 1 rejected; fundwatch.config.json not changed');
    expect(existsSync(join(dir, 'fundwatch.config.json'))).toBe(false);
  });

  it('3,000 outlines in 30 folders, with entities in every title', async () => {
    const folders = Array.from({ length: 30 }, (_, f) => {
      const feeds = Array.from(
        { length: 100 },
        (_, i) => `      <outline type="rss" text="Desk ${f}-${i} &amp; Co" title="Desk ${f}-${i} &amp; Co" xmlUrl="https://news${f}.example/feed/${i}.xml"/>`,
      );
      return `    <outline text="Folder ${f}">\n${feeds.join('\n')}\n    </outline>`;
    });
    const dir = await workdir();
    await writeFile(join(dir, 'big.opml'), `<?xml version="1.0"?>\n<opml version="2.0">\n  <head><title>big</title></head>\n  <body>\n${folders.join('\n')}\n  </body>\n</opml>\n`);
    const run = await runFundwatch(['feeds', 'import', 'big.opml'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(reportLines(run.stdout).at(-1)).toBe('3000 added, 0 already there, 0 rejected; fundwatch.config.json now lists 3000 feeds');
    const feeds = (await loadConfig(join(dir, 'fundwatch.config.json'))).feeds;
    expect(feeds).toHaveLength(3000);
    expect(feeds[2999]).toEqual({ url: 'https://news29.example/feed/99.xml', name: 'Desk 29-99 & Co' });
  });
});

describe.concurrent('fundwatch feeds import: refused files leave the config byte-identical', () => {
  const existing = { feeds: [{ url: 'https://kept.example/rss', name: 'Kept' }], alerts: { maxAgeHours: 24 } };

  async function refused(name: string, content: string | Buffer, message: RegExp): Promise<void> {
    const dir = await workdir(existing);
    const before = await readFile(join(dir, 'fundwatch.config.json'));
    await writeFile(join(dir, name), content);
    const run = await runFundwatch(['feeds', 'import', name], dir);
    expectRefusal(run, message);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('fundwatch.config.json was not changed');
    expect(run.stdout).toBe('');
    expect(await readFile(join(dir, 'fundwatch.config.json'))).toEqual(before);
  }

  const outline = (i: number) => `<outline text="F${i}" xmlUrl="https://f${i}.example/rss"/>`;

  it('a billion-laughs DOCTYPE', () =>
    refused(
      'laughs.opml',
      `<?xml version="1.0"?>\n<!DOCTYPE opml [\n<!ENTITY lol "lol">\n<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n<opml version="2.0"><head/><body><outline text="&lol3;" xmlUrl="https://a.example/rss"/></body></opml>`,
      /^fundwatch: laughs\.opml: a DOCTYPE with entity declarations is refused/,
    ));

  it('an external DTD (XXE)', () =>
    refused(
      'xxe.opml',
      `<?xml version="1.0"?>\n<!DOCTYPE opml SYSTEM "file:///etc/passwd">\n<opml version="2.0"><head/><body>${outline(1)}</body></opml>`,
      /^fundwatch: xxe\.opml: a DOCTYPE with a DTD is refused: OPML needs none/,
    ));

  it('a file over 5 MiB', () =>
    refused(
      'huge.opml',
      `<opml version="2.0"><head/><body>${outline(1)}<!--${'x'.repeat(5 * 1024 * 1024)}--></body></opml>`,
      /^fundwatch: huge\.opml: the file is \d+ bytes; OPML files over 5242880 bytes are refused/,
    ));

  it('more than 10,000 outlines', () =>
    refused(
      'many.opml',
      `<opml version="2.0"><head/><body>${Array.from({ length: 10_001 }, (_, i) => outline(i)).join('')}</body></opml>`,
      /^fundwatch: many\.opml: more than 10000 outlines: refused/,
    ));

  it('outlines nested deeper than 64', () =>
    refused(
      'deep.opml',
      `<opml version="2.0"><head/><body>${'<outline text="d">'.repeat(70)}${'</outline>'.repeat(70)}</body></opml>`,
      /^fundwatch: deep\.opml: outlines nested more than 64 deep/,
    ));

  it('malformed XML after good outlines: nothing of it is imported', () =>
    refused(
      'broken.opml',
      `<opml version="2.0"><head/><body>\n${outline(1)}\n${outline(2)}\n<outline text="x" xmlUrl="https://x.example/rss">\n</body></opml>`,
      /^fundwatch: broken\.opml: malformed XML at line 5, column \d+: /,
    ));

  it('an RSS feed, an HTML page, JSON, an empty file and binary bytes: not OPML', async () => {
    await Promise.all([
      refused('feed.opml', '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>', /: not OPML: the root element is <rss>/),
      refused('page.opml', '<!DOCTYPE html><html><head><title>Feeds</title></head><body></body></html>', /: not OPML: looks like an HTML page/),
      refused('list.opml', '{"feeds": ["https://a.example/rss"]}', /: not OPML: looks like JSON/),
      refused('empty.opml', '', /: not OPML: the file is empty/),
      refused('binary.opml', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0x00, 0x41]), /: not OPML: the file does not start with a tag/),
      refused('nobody.opml', '<opml version="2.0"><head><title>x</title></head></opml>', /: not OPML: <opml> has no <body>/),
    ]);
  });

  it('a config that is not valid itself is refused before the OPML file is read, and not rewritten', async () => {
    const dir = await workdir({ ...existing, fetchh: {} });
    const before = await readFile(join(dir, 'fundwatch.config.json'));
    await copyFile(join(FIXTURES, 'feedly.opml'), join(dir, 'feedly.opml'));
    const run = await runFundwatch(['feeds', 'import', 'feedly.opml'], dir);
    expectRefusal(run, /^fundwatch: fundwatch\.config\.json is not a valid fundwatch config:\n {2}- \$: unknown key "fetchh"\n$/);
    expect(await readFile(join(dir, 'fundwatch.config.json'))).toEqual(before);
  });
});
