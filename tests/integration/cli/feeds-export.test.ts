import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOpml } from '#shared/config/opml-read.ts';
import { expectRefusal, runFundwatch } from '#tests/support/cli-process.ts';

/**
 * `fundwatch feeds export` end to end, and the round trip: what it writes, `feeds import` reads
 * back into an empty config as the same feeds.
 */

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fundwatch-feeds-export-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const FEEDS = [
  { url: 'https://www.defensenews.com/arc/outboundfeeds/rss/?outputType=xml&lang=en', name: `Tom & Jerry's "Defence" <Daily>`, language: 'en' },
  { url: 'https://kyivindependent.com/news-archive/rss/', name: 'The Kyiv Independent' },
  { url: 'https://www.pravda.com.ua/rss/', name: 'Українська правда', language: 'uk' },
  { url: 'http://127.0.0.1:8089/europe-desk.atom', name: 'Europe Desk' },
];

async function workdir(): Promise<string> {
  const dir = await mkdtemp(join(root, 'case-'));
  await writeFile(join(dir, 'fundwatch.config.json'), JSON.stringify({ feeds: FEEDS, alerts: { maxAgeHours: 24 } }));
  return dir;
}

describe.concurrent('fundwatch feeds export', () => {
  it('writes OPML 2.0 to standard output: head with title and an RFC 822 date, one escaped outline per feed', async () => {
    const dir = await workdir();
    const run = await runFundwatch(['feeds', 'export'], dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual(['<?xml version="1.0" encoding="UTF-8"?>', '<opml version="2.0">', '  <head>', '    <title>fundwatch feeds</title>']);
    const date = /^ {4}<dateCreated>(.+)<\/dateCreated>$/.exec(lines[4]!)?.[1];
    expect(date).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(Math.abs(Date.parse(date!) - Date.now())).toBeLessThan(60_000);
    expect(lines.filter((line) => line.includes('<outline'))).toEqual([
      '    <outline type="rss" text="Tom &amp; Jerry\'s &quot;Defence&quot; &lt;Daily&gt;" title="Tom &amp; Jerry\'s &quot;Defence&quot; &lt;Daily&gt;" xmlUrl="https://www.defensenews.com/arc/outboundfeeds/rss/?outputType=xml&amp;lang=en" language="en"/>',
      '    <outline type="rss" text="The Kyiv Independent" title="The Kyiv Independent" xmlUrl="https://kyivindependent.com/news-archive/rss/"/>',
      '    <outline type="rss" text="Українська правда" title="Українська правда" xmlUrl="https://www.pravda.com.ua/rss/" language="uk"/>',
      '    <outline type="rss" text="Europe Desk" title="Europe Desk" xmlUrl="http://127.0.0.1:8089/europe-desk.atom"/>',
    ]);
    // Well-formed XML that a strict parser reads back to the same values.
    const parsed = readOpml(Buffer.from(run.stdout));
    expect(parsed.title).toBe('fundwatch feeds');
    expect(parsed.entries.map((e) => [e.xmlUrl, e.title, e.type, e.language])).toEqual(
      FEEDS.map((f) => [f.url, f.name, 'rss', f.language]),
    );
  });

  it('--out writes the file and says so on stderr, keeping standard output empty', async () => {
    const dir = await workdir();
    const run = await runFundwatch(['feeds', 'export', '--out', 'mine.opml'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('wrote 4 feeds to mine.opml\n');
    expect(readOpml(await readFile(join(dir, 'mine.opml'))).entries).toHaveLength(4);
  });

  it('round trip: export, then import into an empty config, gives the same feeds', async () => {
    const source = await workdir();
    expect((await runFundwatch(['feeds', 'export', '--out', join(root, 'round-trip.opml')], source)).code).toBe(0);
    const target = await mkdtemp(join(root, 'empty-'));
    await writeFile(join(target, 'fundwatch.config.json'), '{ "feeds": [] }');
    const run = await runFundwatch(['feeds', 'import', join(root, 'round-trip.opml')], target);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(target, 'fundwatch.config.json'), 'utf8'))).toEqual({ feeds: FEEDS });
  });

  it('refuses a config that does not validate, as run would', async () => {
    const dir = await mkdtemp(join(root, 'bad-'));
    await writeFile(join(dir, 'fundwatch.config.json'), JSON.stringify({ feeds: [] }));
    const run = await runFundwatch(['feeds', 'export'], dir);
    expectRefusal(run, /^fundwatch: fundwatch\.config\.json is not a valid fundwatch config:\n {2}- \$\.feeds: expected at least one feed\n$/);
    expect(run.stdout).toBe('');
  });
});
