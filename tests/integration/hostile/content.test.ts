import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPollCycle } from '#shared/pipeline/poll-cycle.ts';
import { createTestTable, type TestTable } from '#tests/support/dynamo.ts';
import { realPollDeps } from '#tests/support/poll-deps.ts';
import {
  STORY_TITLE,
  hostileConfig,
  rssDocument,
  rssItem,
  runBesideHealthy,
  sendXml,
  startLoopbackServer,
  storedMatchesOf,
  storyItem,
  type LoopbackServer,
} from '#tests/support/hostile-server.ts';

/**
 * Hostile feed bodies: what the server sends is a 200, and the danger is in the document. Each
 * case runs a whole poll cycle beside a healthy feed that must still be fetched and stored.
 */

let server: LoopbackServer;
let table: TestTable;

beforeAll(async () => {
  [server, table] = await Promise.all([startLoopbackServer('127.0.0.1'), createTestTable('hostile-content')]);
});
afterAll(async () => {
  await server?.close();
});

const serve = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  server.route(path, (_req, res) => sendXml(res, body, headers));

describe('documents that are not feeds', () => {
  it('reports truncated XML as a parse failure', async () => {
    const whole = rssDocument([storyItem('truncated-1'), storyItem('truncated-2')]);
    serve('/truncated.xml', whole.slice(0, whole.indexOf('<title>', whole.indexOf('truncated-2')) + 12));
    const r = await runBesideHealthy(server, table, 'truncated', { path: '/truncated.xml' });
    expect(r.hostile).toMatchObject({ outcome: 'failed', error: 'parse', status: 200 });
    expect(r.hostile.message).toMatch(/^malformed XML at line \d+, column \d+: /);
    expect(r.storedFromHostile).toEqual([]);
  });

  it('reports an HTML page instead of a feed', async () => {
    serve('/html.xml', '<!DOCTYPE html><html><head><title>News</title></head><body><h1>Our news</h1></body></html>', {
      'content-type': 'text/html; charset=utf-8',
    });
    const r = await runBesideHealthy(server, table, 'html', { path: '/html.xml' });
    expect(r.hostile).toMatchObject({ outcome: 'failed', error: 'parse' });
    expect(r.hostile.message).toBe('looks like an HTML page, not RSS or Atom');
  });

  it('reports a login wall in words a person can act on', async () => {
    server.route('/members.xml', (_req, res) => res.writeHead(302, { location: '/login' }).end());
    serve(
      '/login',
      '<!doctype html><html><body><form action="/session" method="post"><h2>Sign in</h2>' +
        '<input name="username"><input type="password" name="password"><button>Log in</button></form></body></html>',
      { 'content-type': 'text/html' },
    );
    const r = await runBesideHealthy(server, table, 'login', { path: '/members.xml' });
    expect(r.hostile).toMatchObject({ outcome: 'failed', error: 'parse' });
    expect(r.hostile.message).toMatch(/^looks like a login page .* the feed may need authentication$/);
  });

  it('refuses a billion-laughs document without expanding it', async () => {
    const entities = ['<!ENTITY lol "lol">'];
    for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
    const doc = `<?xml version="1.0"?>\n<!DOCTYPE rss [${entities.join('')}]>\n${rssDocument([storyItem('laughs', { title: '&lol9;' })], { prolog: '' }).replace('&amp;lol9;', '&lol9;')}`;
    serve('/laughs.xml', doc);
    const started = Date.now();
    const r = await runBesideHealthy(server, table, 'laughs', { path: '/laughs.xml' });
    expect(r.hostile).toMatchObject({ outcome: 'failed', error: 'parse' });
    expect(r.hostile.message).toBe('DOCTYPE with entity declarations refused');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('documents that try the parser', () => {
  it('keeps __proto__ and constructor elements from polluting Object.prototype', async () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    const evil =
      '<__proto__><polluted>yes</polluted><isAdmin>true</isAdmin></__proto__>' +
      '<constructor><prototype><polluted>yes</polluted></prototype></constructor>';
    const body = rssDocument(
      `<item>${evil}<guid>urn:fundwatch-test:proto</guid><title>${STORY_TITLE}</title>` +
        `<__proto__>x</__proto__><category>__proto__</category><link>https://desk.example/proto</link></item>`,
      { channelExtra: evil },
    );
    serve('/proto.xml', body);
    const r = await runBesideHealthy(server, table, 'proto', { path: '/proto.xml' });
    expect(r.hostile).toMatchObject({ outcome: 'fetched', entries: 1, stored: 1 });
    const stored = r.storedFromHostile[0]!;
    expect(stored.title).toBe(STORY_TITLE);
    expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(Object.keys(await table.store.getMatch(stored.id) ?? {})).not.toContain('polluted');
  });

  it('caps 10,000 items at fetch.maxItemsPerFeed', async () => {
    const items: string[] = [];
    for (let i = 0; i < 10_000; i++) items.push(rssItem({ guid: `urn:fundwatch-test:many:${i}`, title: STORY_TITLE }));
    serve('/many.xml', rssDocument(items.join('')));
    const r = await runBesideHealthy(server, table, 'many', { path: '/many.xml' }, { limits: { maxItemsPerFeed: 25, maxBytes: 4 * 1024 * 1024 } });
    expect(r.hostile).toMatchObject({ outcome: 'fetched', entries: 25, newEntries: 25 });
    expect(r.hostile.stored).toBe(25);
    expect(await storedMatchesOf(table, r.hostileUrl)).toHaveLength(25);
    const state = (await table.store.getFeedStates([r.hostileUrl])).get(r.hostileUrl);
    expect(state?.itemCount).toBe(25);
    expect(state?.seen).toHaveLength(25);
  });

  it('caps a 1 MB title', async () => {
    const title = `${STORY_TITLE} ${'and more words '.repeat(70_000)}`;
    expect(title.length).toBeGreaterThan(1_000_000);
    serve('/long-title.xml', rssDocument([storyItem('long-title', { title })]));
    const r = await runBesideHealthy(server, table, 'long-title', { path: '/long-title.xml' }, { limits: { maxBytes: 2 * 1024 * 1024 } });
    expect(r.hostile).toMatchObject({ outcome: 'fetched', stored: 1 });
    const [stored] = await storedMatchesOf(table, r.hostileUrl);
    expect(stored?.title.length).toBeLessThanOrEqual(300);
    expect(stored?.title.startsWith(STORY_TITLE)).toBe(true);
    expect(stored?.title.endsWith('…')).toBe(true);
  });

  it('stores no control or bidi-override characters', async () => {
    const dirty = `\u001b[31mNATO\u0007 allies back\u0000 Stoltenberg's \u202e€100 billion\u202c five-year\u0085 fund\u009b for Ukraine's\u000b military support\u0008`;
    // C0 controls are not allowed in XML 1.0, so a real feed sends them as raw bytes anyway.
    serve('/control.xml', rssDocument([storyItem('control', { title: dirty, description: `Brussels\u0001 \u2066weighed\u2069 the fund.` })]));
    const r = await runBesideHealthy(server, table, 'control', { path: '/control.xml' });
    const unsafe = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
    expect(r.hostile.outcome, r.hostile.message).toBe('fetched');
    const stored = await storedMatchesOf(table, r.hostileUrl);
    expect(stored).toHaveLength(1);
    for (const match of stored) {
      expect(match.title).not.toMatch(unsafe);
      expect(match.summary).not.toMatch(unsafe);
      expect(match.source).not.toMatch(unsafe);
    }
    expect(stored[0]!.title).toContain("allies back Stoltenberg's €100 billion five-year fund for Ukraine's military support");
  });

  it('stores items with invalid or far-future dates at the fetch time', async () => {
    // Garbage, impossible fields, a year JavaScript accepts but ISO consumers do not, and a date
    // years ahead (which would pin the item to the top of every listing).
    const dates = ['yesterday-ish', 'Mon, 99 Foo 2024 25:61:00 GMT', '2024-13-45T99:99:99Z', '-271821-04-19T00:00:00Z', 'Thu, 01 Jan 2099 00:00:00 GMT'];
    serve('/bad-dates.xml', rssDocument(dates.map((pubDate, i) => storyItem(`bad-date-${i}`, { pubDate }))));
    const r = await runBesideHealthy(server, table, 'bad-dates', { path: '/bad-dates.xml' });
    expect(r.hostile).toMatchObject({ outcome: 'fetched', stored: dates.length });
    const stored = await storedMatchesOf(table, r.hostileUrl);
    expect(stored).toHaveLength(dates.length);
    for (const match of stored) {
      expect(match.publishedAt).toBe(match.fetchedAt);
      // The fetch time is the feed's own start within this cycle.
      expect(match.fetchedAt >= r.cycle.startedAt && match.fetchedAt <= r.cycle.finishedAt).toBe(true);
    }
  });

  it('gives items without links or GUIDs stable ids: a second cycle stores nothing new', async () => {
    const items = [
      { title: STORY_TITLE, description: 'First item, no link and no guid.' },
      { title: 'NATO chief proposes five-year, €100bn fund for Ukraine', description: 'Second item, no link and no guid.' },
      { description: `${STORY_TITLE}: a title-less item.` },
    ];
    serve('/no-ids.xml', rssDocument(items)); // no ETag: every cycle gets the whole body again
    const first = await runBesideHealthy(server, table, 'no-ids', { path: '/no-ids.xml' });
    expect(first.hostile).toMatchObject({ outcome: 'fetched', entries: 3 });
    expect(first.hostile.stored).toBeGreaterThanOrEqual(2);
    const storedFirst = await storedMatchesOf(table, first.hostileUrl);
    expect(new Set(storedFirst.map((m) => m.id)).size).toBe(storedFirst.length);

    const config = hostileConfig([{ url: first.hostileUrl, name: 'Hostile no-ids' }]);
    const second = await runPollCycle(config, realPollDeps(table.store));
    expect(second.feeds[0]).toMatchObject({ outcome: 'fetched', status: 200, entries: 3, newEntries: 0, stored: 0 });
    expect(second.stored).toEqual([]);
    // Even with the seen-list gone (a lost feed state), the ids alone keep the writes idempotent.
    await table.store.saveFeedState({ url: first.hostileUrl, name: 'Hostile no-ids', consecutiveFailures: 0 });
    const third = await runPollCycle(config, realPollDeps(table.store));
    expect(third.feeds[0]).toMatchObject({ outcome: 'fetched', newEntries: 3, stored: 0 });
    expect((await storedMatchesOf(table, first.hostileUrl)).map((m) => m.id).sort()).toEqual(storedFirst.map((m) => m.id).sort());
  });
});

describe('character sets', () => {
  const accented = `${STORY_TITLE} — Brüssel, Kyjiw, «Zusage»`;
  const ukrainian = 'Пентагон оголосив новий пакет військової допомоги Україні';

  const cases: { name: string; title: string; topic: string; body: () => Buffer; contentType: string }[] = [
    {
      name: 'missing charset (UTF-8, declared nowhere)',
      title: accented,
      topic: 'ukraine-fund',
      contentType: 'application/rss+xml',
      body: () => Buffer.from(rssDocument([storyItem('cs-missing', { title: accented })], { prolog: '<?xml version="1.0"?>' })),
    },
    {
      name: 'an unknown charset label in the header (the prolog is right)',
      title: ukrainian,
      topic: 'us-aid',
      contentType: 'application/rss+xml; charset=x-no-such-charset',
      body: () =>
        iconv.encode(
          rssDocument([storyItem('cs-unknown', { title: ukrainian })], { prolog: '<?xml version="1.0" encoding="windows-1251"?>' }),
          'windows-1251',
        ),
    },
    {
      name: 'a UTF-8 BOM that contradicts the header',
      title: accented,
      topic: 'ukraine-fund',
      contentType: 'text/xml; charset=iso-8859-1',
      body: () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(rssDocument([storyItem('cs-bom', { title: accented })]))]),
    },
    {
      name: 'UTF-16LE with a BOM',
      title: accented,
      topic: 'ukraine-fund',
      contentType: 'application/xml',
      body: () =>
        Buffer.concat([
          Buffer.from([0xff, 0xfe]),
          iconv.encode(rssDocument([storyItem('cs-utf16le', { title: accented })], { prolog: '<?xml version="1.0" encoding="UTF-16"?>' }), 'utf-16le'),
        ]),
    },
    {
      name: 'UTF-16BE with a BOM',
      title: ukrainian,
      topic: 'us-aid',
      contentType: 'application/xml',
      body: () =>
        Buffer.concat([
          Buffer.from([0xfe, 0xff]),
          iconv.encode(rssDocument([storyItem('cs-utf16be', { title: ukrainian })], { prolog: '<?xml version="1.0" encoding="UTF-16"?>' }), 'utf-16be'),
        ]),
    },
    {
      name: 'windows-1251 declared only in the XML prolog',
      title: ukrainian,
      topic: 'us-aid',
      contentType: 'application/rss+xml',
      body: () =>
        iconv.encode(
          rssDocument([storyItem('cs-1251', { title: ukrainian })], { prolog: '<?xml version="1.0" encoding="windows-1251"?>' }),
          'windows-1251',
        ),
    },
  ];

  it.each(cases)('decodes $name', async ({ name, title, topic, body, contentType }) => {
    const id = `cs-${cases.findIndex((c) => c.name === name)}`;
    serve(`/${id}.xml`, body(), { 'content-type': contentType });
    const r = await runBesideHealthy(server, table, id, { path: `/${id}.xml` });
    expect(r.hostile.outcome, r.hostile.message).toBe('fetched');
    const stored = await storedMatchesOf(table, r.hostileUrl);
    expect(stored.map((m) => m.title)).toEqual([title]);
    expect(stored[0]!.topics).toContain(topic);
  });
});
