import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoopbackServer, type LoopbackServer } from '#tests/integration/fetch/loopback-server.ts';
import { expectRefusal, runFundwatch } from '#tests/support/cli-process.ts';

/**
 * `fundwatch feeds add URL` end to end: the real CLI in a child process discovers feeds on
 * pages served by real HTTP servers on 127.0.0.1, through the hardened fetcher and the
 * config's fetch rules.
 */

const RSS = (title: string, language = 'en-us') =>
  `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>${title}</title><link>https://alliance.example/</link><language>${language}</language><item><title>One</title><link>https://alliance.example/1</link></item></channel></rss>`;
const ATOM = (title?: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">${title ? `<title>${title}</title>` : ''}<id>urn:x</id><updated>2024-01-01T00:00:00Z</updated></feed>`;

const SITE_PAGE = `<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Alliance Press &amp; Partners</title>
<!-- <link rel="alternate" type="application/rss+xml" href="/commented-out.xml"> -->
<script>document.write('<link rel="alternate" type="application/rss+xml" href="/from-script.xml">')</script>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" hreflang="fr" href="/fr/">
<link data-note="a > inside a value" rel="alternate" type="application/rss+xml" title="Alliance Desk &amp; Wire" href="feeds/main.xml">
<LINK REL="Alternate" TYPE="application/atom+xml; charset=utf-8" HREF="/site/feeds/atom.xml">
<link rel=alternate type=application/feed+json href=feeds/main.json title="Alliance JSON">
<link rel="alternate" type="application/rss+xml" href="./feeds/main.xml#again" title="The same feed again">
</head>
<body><link rel="alternate" type="application/rss+xml" href="/in-body.xml"></body></html>`;

function send(res: ServerResponse, type: string, body: string | Buffer): void {
  res.writeHead(200, { 'content-type': type });
  res.end(body);
}

function redirect(res: ServerResponse, status: number, location: string): void {
  res.writeHead(status, { location });
  res.end();
}

let root: string;
let site: LoopbackServer;
let blog: LoopbackServer;
let empty: LoopbackServer;
/** Only ever asked by the test that must not reach it. */
let guarded: LoopbackServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fundwatch-feeds-add-'));
  [site, blog, empty, guarded] = await Promise.all([startLoopbackServer(), startLoopbackServer(), startLoopbackServer(), startLoopbackServer()]);

  site.route('/moved', (_req, res) => redirect(res, 301, '/site/'));
  site.route('/site/', (_req, res) => send(res, 'text/html; charset=utf-8', SITE_PAGE));
  site.route('/direct.xml', (_req, res) => send(res, 'application/rss+xml', RSS('Direct Wire', 'en-GB')));
  site.route('/json-only/', (_req, res) =>
    send(res, 'text/html', '<html><head><link rel="alternate" type="application/feed+json" href="/feed.json"></head></html>'),
  );
  site.route('/huge/', (_req, res) => send(res, 'text/html', `<html><head><title>big</title></head><body>${'x'.repeat(200_000)}</body></html>`));
  site.route('/loop-a', (_req, res) => redirect(res, 302, '/loop-b'));
  site.route('/loop-b', (_req, res) => redirect(res, 302, '/loop-a'));

  // A blog that announces no feed: found at common paths, one of them reached twice.
  blog.route('/', (_req, res) => send(res, 'text/html', '<!DOCTYPE html><html><head><title>Kyiv Notes</title></head><body>posts</body></html>'));
  blog.route('/feed', (_req, res) => redirect(res, 301, '/feed/'));
  blog.route('/feed/', (_req, res) => send(res, 'application/rss+xml', RSS('Kyiv Notes', 'uk')));
  blog.route('/rss.xml', (_req, res) => redirect(res, 302, '/feed/'));
  blog.route('/atom.xml', (_req, res) => send(res, 'application/atom+xml', ATOM()));
  blog.route('/index.xml', (_req, res) => send(res, 'text/html', '<html><head><title>not a feed</title></head></html>'));

  empty.route('/', (_req, res) => send(res, 'text/html', '<html><head><title>Nothing here</title></head><body></body></html>'));
  guarded.route('/', (_req, res) => send(res, 'application/rss+xml', RSS('Internal')));
});
afterAll(async () => {
  await Promise.all([site.close(), blog.close(), empty.close(), guarded.close(), rm(root, { recursive: true, force: true })]);
});

const LOOPBACK_FETCH = { allowPrivateHosts: ['127.0.0.1'], maxBytes: 65_536, timeoutMs: 5_000 };

async function workdir(config: unknown = { feeds: [], fetch: LOOPBACK_FETCH }): Promise<string> {
  const dir = await mkdtemp(join(root, 'case-'));
  await writeFile(join(dir, 'fundwatch.config.json'), `${JSON.stringify(config, null, 2)}\n`);
  return dir;
}

async function feedsIn(dir: string): Promise<unknown> {
  return (JSON.parse(await readFile(join(dir, 'fundwatch.config.json'), 'utf8')) as { feeds: unknown }).feeds;
}

describe.concurrent('fundwatch feeds add: discovery', () => {
  it('a page with several <link>s, reached through a redirect: lists them (hrefs resolved against the final URL) and asks to choose', async () => {
    const dir = await workdir();
    const before = await readFile(join(dir, 'fundwatch.config.json'));
    const run = await runFundwatch(['feeds', 'add', `${site.origin}/moved`], dir);
    const s = site.origin;
    expect(run.stdout).toBe(
      [
        `${s}/site/ links to 3 feeds:`,
        `  1. Alliance Desk & Wire — ${s}/site/feeds/main.xml (RSS)`,
        `  2. Alliance Press & Partners — ${s}/site/feeds/atom.xml (Atom)`,
        `  3. Alliance JSON — ${s}/site/feeds/main.json (JSON Feed) — not added: fundwatch polls RSS and Atom only`,
        '',
      ].join('\n'),
    );
    expectRefusal(run, /^fundwatch: 2 feeds found: choose one with --pick N, or add them all with --all\n$/);
    expect(run.code).toBe(2);
    expect(await readFile(join(dir, 'fundwatch.config.json'))).toEqual(before);
  });

  it('--pick N adds that one; --all adds every polled one', async () => {
    const [pickDir, allDir] = await Promise.all([workdir(), workdir()]);
    const [pick, all] = await Promise.all([
      runFundwatch(['feeds', 'add', `${site.origin}/site/`, '--pick', '2'], pickDir),
      runFundwatch(['feeds', 'add', `${site.origin}/site/`, '--all'], allDir),
    ]);
    expect(pick.code, pick.stderr).toBe(0);
    expect(await feedsIn(pickDir)).toEqual([{ url: `${site.origin}/site/feeds/atom.xml`, name: 'Alliance Press & Partners' }]);
    expect(pick.stdout.trimEnd().split('\n').slice(-2)).toEqual([
      `added          Alliance Press & Partners — ${site.origin}/site/feeds/atom.xml`,
      '1 added, 0 already there, 0 rejected; fundwatch.config.json now lists 1 feed',
    ]);
    expect(all.code, all.stderr).toBe(0);
    expect(await feedsIn(allDir)).toEqual([
      { url: `${site.origin}/site/feeds/main.xml`, name: 'Alliance Desk & Wire' },
      { url: `${site.origin}/site/feeds/atom.xml`, name: 'Alliance Press & Partners' },
    ]);
  });

  it('--pick of a JSON Feed or past the end of the list is refused', async () => {
    const dir = await workdir();
    const [json, past, both] = await Promise.all([
      runFundwatch(['feeds', 'add', `${site.origin}/site/`, '--pick', '3'], dir),
      runFundwatch(['feeds', 'add', `${site.origin}/site/`, '--pick', '9'], dir),
      runFundwatch(['feeds', 'add', `${site.origin}/site/`, '--pick', '1', '--all'], dir),
    ]);
    expectRefusal(json, /^fundwatch: --pick 3: that is a JSON Feed; fundwatch polls RSS and Atom only\n$/);
    expectRefusal(past, /^fundwatch: --pick 9: the list has 3 feeds\n$/);
    expectRefusal(both, /option '--pick <n>' cannot be used with option '--all'/);
    expect(await feedsIn(dir)).toEqual([]);
  });

  it('a URL that is itself a feed is added as it is, with its title and language', async () => {
    const dir = await workdir();
    const run = await runFundwatch(['feeds', 'add', `${site.origin}/direct.xml`], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe(`${site.origin}/direct.xml is itself a feed:`);
    expect(await feedsIn(dir)).toEqual([{ url: `${site.origin}/direct.xml`, name: 'Direct Wire', language: 'en' }]);

    const again = await runFundwatch(['feeds', 'add', `${site.origin}/direct.xml`], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('already there  Direct Wire');
    expect(again.stdout.trimEnd().split('\n').at(-1)).toBe('0 added, 1 already there, 0 rejected; fundwatch.config.json not changed');
  });

  it('a page with no <link>: the common paths that are feeds, a permanent redirect followed, two paths to one feed counted once', async () => {
    const dir = await workdir();
    const listed = await runFundwatch(['feeds', 'add', `${blog.origin}/`], dir);
    expect(listed.code).toBe(2);
    expect(listed.stdout).toBe(
      [
        `${blog.origin}/ links to no feed; found at common paths:`,
        `  1. Kyiv Notes — ${blog.origin}/feed/ (RSS)`,
        `  2. Kyiv Notes — ${blog.origin}/atom.xml (Atom)`,
        '',
      ].join('\n'),
    );
    const probed = new Set(blog.requests.map((r) => r.path));
    for (const path of ['/feed', '/rss', '/rss.xml', '/atom.xml', '/feed.xml', '/index.xml']) expect(probed).toContain(path);

    const all = await runFundwatch(['feeds', 'add', `${blog.origin}/`, '--all'], dir);
    expect(all.code, all.stderr).toBe(0);
    expect(await feedsIn(dir)).toEqual([
      { url: `${blog.origin}/feed/`, name: 'Kyiv Notes', language: 'uk' },
      { url: `${blog.origin}/atom.xml`, name: 'Kyiv Notes' },
    ]);
  });

  it('a site with no feed anywhere, or JSON Feeds only: a clear error, the config untouched', async () => {
    const dir = await workdir();
    const before = await readFile(join(dir, 'fundwatch.config.json'));
    const [none, jsonOnly] = await Promise.all([
      runFundwatch(['feeds', 'add', `${empty.origin}/`], dir),
      runFundwatch(['feeds', 'add', `${site.origin}/json-only/`], dir),
    ]);
    expectRefusal(none, new RegExp(`^fundwatch: no feed found at ${empty.origin}/: it links to none, and none of /feed, /rss, /rss\\.xml, /atom\\.xml, /feed\\.xml, /index\\.xml is one\\n$`));
    expect(none.code).toBe(1);
    expectRefusal(jsonOnly, /^fundwatch: only JSON Feeds found at .+; fundwatch polls RSS and Atom only\n$/);
    expect(await readFile(join(dir, 'fundwatch.config.json'))).toEqual(before);
  });
});

describe.concurrent('fundwatch feeds add: hostile pages', () => {
  it('an oversized page stops at fetch.maxBytes', async () => {
    const dir = await workdir();
    const run = await runFundwatch(['feeds', 'add', `${site.origin}/huge/`], dir);
    expectRefusal(run, /^fundwatch: could not fetch .+\/huge\/: body exceeded 65536 bytes/);
    expect(run.code).toBe(1);
    expect(await feedsIn(dir)).toEqual([]);
  });

  it('a redirect loop is cut', async () => {
    const dir = await workdir();
    const run = await runFundwatch(['feeds', 'add', `${site.origin}/loop-a`], dir);
    expectRefusal(run, /^fundwatch: could not fetch .+\/loop-a: redirect loop: .+\/loop-b redirects back to .+\/loop-a\n$/);
  });

  it('a private address without fetch.allowPrivateHosts is never connected to', async () => {
    const dir = await workdir({ feeds: [{ url: 'https://kept.example/rss', name: 'Kept' }] });
    const before = await readFile(join(dir, 'fundwatch.config.json'));
    const run = await runFundwatch(['feeds', 'add', `${guarded.origin}/`], dir);
    expectRefusal(run, /^fundwatch: could not fetch http:\/\/127\.0\.0\.1:\d+\/: 127\.0\.0\.1 refused: loopback address not in fetch\.allowPrivateHosts\n$/);
    expect(guarded.connections()).toBe(0);
    expect(await readFile(join(dir, 'fundwatch.config.json'))).toEqual(before);
  });
});
