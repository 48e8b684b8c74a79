import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { Logger } from '@aws-lambda-powertools/logger';
import type { FeedState, Match } from '#shared/model.ts';
import { loadTopicPack } from '#shared/classify/topic-pack.ts';
import { createDynamoQueryService } from '#shared/query/create.ts';
import { PAGE_CSP } from '#shared/query/static-assets.ts';
import { createTestTable } from '#tests/support/dynamo.ts';
import { aMatch } from '#tests/support/matches.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '#tests/support/chromium.ts';
import { listedIds, openPageSession, startPageServer, waitForList, type PageSession } from '#tests/support/web-page.ts';

/**
 * The web page in headless Chromium against `fundwatch serve`'s own server (startApiServer)
 * running the query Lambda's handler on a seeded DynamoDB Local table, as an analyst uses it.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PAGE_SIZE = 20;

const TOPIC_IDS = ['ukraine-fund', 'nato-mission', 'defense-industry', 'us-aid', 'nato-meetings'];
const SOURCES = [
  { name: 'Outlet A', lang: 'en' },
  { name: 'Kyiv Daily', lang: 'uk' },
  { name: 'Berliner Blatt', lang: 'de' },
];

/** Whole hours before now, so every match falls in the chart's default 30-day range. */
const NOW = Math.floor(Date.now() / HOUR) * HOUR;
const at = (hoursAgo: number) => new Date(NOW - hoursAgo * HOUR).toISOString();

function seedMatches(): Match[] {
  const matches: Match[] = [];
  // 44 ordinary first reports over 11 days, one every 6 hours, topics rotating (some with two).
  for (let i = 0; i < 44; i++) {
    const topics = [...new Set([TOPIC_IDS[i % 5]!, ...(i % 3 === 0 ? [TOPIC_IDS[(i + 2) % 5]!] : [])])];
    const source = SOURCES[i % 3]!;
    matches.push(
      aMatch({
        id: `m${String(i).padStart(3, '0')}`,
        title: `Report ${i} on ${topics.join(' and ')}`,
        summary: `Routine coverage number ${i}.`,
        source: source.name,
        lang: source.lang,
        feedUrl: `https://${source.name.toLowerCase().replace(/ /g, '-')}.example.org/feed.xml`,
        publishedAt: at(3 + i * 6),
        topics,
        score: 0.5 + (i % 5) / 10,
        scores: Object.fromEntries(topics.map((t) => [t, 0.5 + (i % 5) / 10])),
        evidence: Object.fromEntries(topics.map((t) => [t, ['rule:routine']])),
      }),
    );
  }
  // A story reported first by Outlet A, then by three others: one collapsed entry with +3.
  matches.push(
    aMatch({
      id: 'story',
      title: 'NATO agrees a 100-billion-euro fund for Ukraine',
      summary: 'Allies back a five-year fund of 100 billion euros, Stoltenberg said in Brussels.',
      publishedAt: at(1),
      topics: ['ukraine-fund', 'nato-meetings'],
      score: 0.97,
      scores: { 'ukraine-fund': 0.97, 'nato-meetings': 0.8 },
      evidence: {
        'ukraine-fund': ["rule:alliance-fund-for-ukraine", "concept:multi-year ← 'five-year'", "concept:fund-amount ← '100 billion euros'"],
        'nato-meetings': ["concept:brussels ← 'Brussels'"],
      },
    }),
  );
  for (let d = 0; d < 3; d++) {
    matches.push(
      aMatch({
        id: `story-dup-${d}`,
        title: `Allies agree 100bn fund for Ukraine (${SOURCES[d]!.name})`,
        summary: 'The same story, reported again.',
        source: SOURCES[d]!.name,
        publishedAt: at(0.5 - d * 0.1),
        topics: ['ukraine-fund'],
        duplicateOf: 'story',
      }),
    );
  }
  // Text from feeds is untrusted: it must reach the page as text.
  matches.push(
    aMatch({
      id: 'hostile',
      title: 'Fund <img src=x onerror="window.__pwned=1"> & <b>bold</b>',
      summary: '<script>window.__pwned=2</script> fund',
      link: 'javascript:window.__pwned=3',
      publishedAt: at(2),
      topics: ['us-aid'],
    }),
  );
  return matches;
}

const FEEDS: FeedState[] = [
  {
    url: 'https://outlet-a.example.org/feed.xml',
    name: 'Outlet A',
    consecutiveFailures: 0,
    lastOutcome: 'fetched',
    lastStatus: 200,
    lastAttemptAt: at(0.2),
    lastSuccessAt: at(0.2),
    nextPollAt: at(-0.05),
  },
  {
    url: 'https://kyiv-daily.example.org/feed.xml',
    name: 'Kyiv Daily',
    consecutiveFailures: 4,
    lastOutcome: 'failed',
    lastStatus: 503,
    lastError: 'HTTP 503 Service Unavailable',
    lastAttemptAt: at(0.2),
    lastSuccessAt: at(30),
    nextPollAt: at(-2),
  },
];

const matches = seedMatches();
const firstReports = matches
  .filter((m) => !m.duplicateOf)
  .sort((a, b) => (a.publishedAt < b.publishedAt ? 1 : a.publishedAt > b.publishedAt ? -1 : a.id < b.id ? 1 : -1));

let browser: Browser;
let baseUrl: string;
let closeServer: () => Promise<void>;

beforeAll(async () => {
  const table = await createTestTable('web');
  // As the poll cycle stores them: each match once, copies counted on their first report,
  // every feed registered before its first save.
  for (const match of matches) await table.store.putMatch(match);
  for (const match of matches) if (match.duplicateOf) await table.store.countDuplicate(match.duplicateOf);
  await table.store.registerFeeds(FEEDS.map((feed) => feed.url));
  for (const feed of FEEDS) await table.store.saveFeedState(feed);
  const service = createDynamoQueryService({ client: table.doc, tableName: table.tableName, topicPack: await loadTopicPack('default') });
  const api = await startPageServer({ service, logger: new Logger({ serviceName: 'web-e2e', logLevel: 'SILENT' }) });
  baseUrl = api.url;
  closeServer = api.close;
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await closeServer?.();
});

async function open(path = '/', viewport = { width: 1280, height: 900 }): Promise<PageSession> {
  return openPageSession(browser, `${baseUrl}${path}`, viewport);
}

describe('web page', () => {
  it('lists first reports newest first, collapses duplicates with a count and expands them', async () => {
    const s = await open();
    try {
      expect(await listedIds(s.page)).toEqual(firstReports.slice(0, PAGE_SIZE).map((m) => m.id));
      const story = s.page.locator('#updates > li[data-id="story"]');
      await expect(story.locator('.dup-count').textContent()).resolves.toBe('+3');
      const toggle = story.locator('button.dups');
      expect(await toggle.textContent()).toBe('Show 3 similar reports');
      await toggle.click();
      await story.locator('.duplicate').nth(2).waitFor();
      expect(await story.locator('.duplicate').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')))).toEqual(['story-dup-0', 'story-dup-1', 'story-dup-2']);
      expect(await toggle.getAttribute('aria-expanded')).toBe('true');
      // Duplicates never appear as entries of their own.
      expect((await listedIds(s.page)).filter((id) => id?.startsWith('story-dup'))).toEqual([]);
      expect(s.pageErrors).toEqual([]);
    } finally {
      await s.context.close();
    }
  });

  it('highlights the evidence phrases with <mark> and keeps hostile text as text', async () => {
    const s = await open();
    try {
      const story = s.page.locator('#updates > li[data-id="story"]');
      await story.locator('.summary mark').first().waitFor();
      expect(await story.locator('.summary mark').allTextContents()).toEqual(['five-year', '100 billion euros', 'Brussels']);
      const hostile = s.page.locator('#updates > li[data-id="hostile"]');
      expect(await hostile.locator('.title-text').textContent()).toBe('Fund <img src=x onerror="window.__pwned=1"> & <b>bold</b>');
      expect(await hostile.locator('img, b, script').count()).toBe(0);
      // A javascript: link is not made clickable.
      expect(await hostile.locator('a').count()).toBe(0);
      expect(await s.page.evaluate('window.__pwned')).toBeUndefined();
    } finally {
      await s.context.close();
    }
  });

  it('filters by topic: the list and the URL change, a reload restores the view, Back undoes it', async () => {
    const s = await open();
    try {
      const usAid = firstReports.filter((m) => m.topics.includes('us-aid')).map((m) => m.id);
      await s.page.selectOption('#f-topic', 'us-aid');
      await s.page.waitForURL((url) => url.searchParams.get('topic') === 'us-aid');
      await expect.poll(() => listedIds(s.page)).toEqual(usAid.slice(0, PAGE_SIZE));
      expect(usAid.length).toBeLessThan(firstReports.length);

      await s.page.reload();
      await waitForList(s.page);
      expect(await s.page.inputValue('#f-topic')).toBe('us-aid');
      expect(await listedIds(s.page)).toEqual(usAid.slice(0, PAGE_SIZE));

      await s.page.goBack();
      await s.page.waitForURL((url) => !url.searchParams.has('topic'));
      await expect.poll(() => listedIds(s.page)).toEqual(firstReports.slice(0, PAGE_SIZE).map((m) => m.id));
      expect(await s.page.inputValue('#f-topic')).toBe('');
    } finally {
      await s.context.close();
    }
  });

  it('keeps source, language and text filters in the URL and shows the API\'s complaint about a bad one', async () => {
    const s = await open('/?source=Berliner%20Blatt&q=report');
    try {
      const expected = firstReports.filter((m) => m.source === 'Berliner Blatt' && /report/i.test(m.title)).map((m) => m.id);
      await expect.poll(() => listedIds(s.page)).toEqual(expected.slice(0, PAGE_SIZE));
      expect(await s.page.inputValue('#f-source')).toBe('Berliner Blatt');

      await s.page.fill('#f-lang', 'x1');
      await s.page.press('#f-lang', 'Enter');
      await s.page.waitForURL((url) => url.searchParams.get('lang') === 'x1');
      await expect.poll(() => s.page.textContent('#error')).toContain('lang');
      expect(await s.page.getAttribute('#f-lang', 'aria-invalid')).toBe('true');
    } finally {
      await s.context.close();
    }
  });

  it('"Load more" pages on with the cursor, with no repeats, until the end', async () => {
    const s = await open();
    try {
      const more = s.page.locator('#more');
      const sizes: number[] = [(await listedIds(s.page)).length];
      // Until the API says there is no next page (the last page may be empty, as documented).
      for (let presses = 0; await more.isVisible(); presses++) {
        expect(presses).toBeLessThan(5);
        // By keyboard: the button is a real button.
        await more.focus();
        const next = s.page.waitForResponse((r) => new URL(r.url()).searchParams.has('cursor'));
        await s.page.keyboard.press('Enter');
        await next;
        await waitForList(s.page);
        sizes.push((await listedIds(s.page)).length);
      }
      expect(sizes.slice(0, 3)).toEqual([PAGE_SIZE, 2 * PAGE_SIZE, firstReports.length]);
      const ids = await listedIds(s.page);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(firstReports.map((m) => m.id));
      expect(s.requests.some((r) => new URL(r.url).searchParams.has('cursor'))).toBe(true);
    } finally {
      await s.context.close();
    }
  });

  it('draws one chart series per topic with per-topic totals, and flags the failing feed', async () => {
    const s = await open();
    try {
      await s.page.waitForSelector('#chart svg polyline[data-topic]');
      const series = await s.page.$$eval('#chart svg polyline[data-topic]', (els) => els.map((e) => e.getAttribute('data-topic')));
      expect(series.sort()).toEqual([...TOPIC_IDS].sort());
      const totals = await s.page.$$eval('#legend button', (els) => Object.fromEntries(els.map((b) => [b.getAttribute('data-topic'), Number(b.querySelector('.count')?.textContent)])));
      for (const topic of TOPIC_IDS) expect(totals[topic]).toBe(firstReports.filter((m) => m.topics.includes(topic)).length);

      const failing = s.page.locator('#feeds tbody tr[data-url="https://kyiv-daily.example.org/feed.xml"]');
      await failing.waitFor();
      expect(await failing.getAttribute('class')).toContain('status-failing');
      expect(await failing.locator('.badge').textContent()).toBe('failing');
      expect(await failing.textContent()).toContain('HTTP 503 Service Unavailable');
      const healthy = s.page.locator('#feeds tbody tr[data-url="https://outlet-a.example.org/feed.xml"]');
      expect(await healthy.locator('.badge').textContent()).toBe('ok');
      expect(await healthy.getAttribute('class')).not.toContain('attention');

      // A legend entry filters by its topic.
      await s.page.click('#legend button[data-topic="nato-mission"]');
      await s.page.waitForURL((url) => url.searchParams.get('topic') === 'nato-mission');
      await expect.poll(() => s.page.$$eval('#chart svg g.series.selected', (els) => els.map((e) => e.getAttribute('data-topic')))).toEqual(['nato-mission']);
    } finally {
      await s.context.close();
    }
  });

  it('sends the CSP, stays on 127.0.0.1, and the browser reports no CSP violation (but would)', async () => {
    const s = await open();
    try {
      const response = await s.page.request.get(`${baseUrl}/`);
      expect(response.headers()['content-security-policy']).toBe(PAGE_CSP);
      expect(response.headers()['x-frame-options']).toBe('DENY');
      expect(response.headers()['permissions-policy']).toContain('camera=()');
      await s.page.locator('#updates > li[data-id="story"] .summary mark').first().waitFor();
      await s.page.waitForSelector('#chart svg');
      await s.page.waitForSelector('#feeds tbody tr');

      expect(s.requests.length).toBeGreaterThan(4);
      for (const r of s.requests) expect(new URL(r.url).origin).toBe(baseUrl);
      // Nothing at all in the console: no CSP refusal, no unknown Permissions-Policy feature, no 404.
      expect(s.consoleProblems).toEqual([]);
      expect(await s.violations()).toEqual([]);
      expect(s.pageErrors).toEqual([]);

      // The detector works: an injected inline script is refused and reported.
      await s.page.evaluate(`(() => {
        const script = document.createElement('script');
        script.textContent = 'window.__inline = 1';
        document.head.append(script);
      })()`);
      await expect.poll(() => s.violations()).toEqual([expect.stringMatching(/^script-src/)]);
      expect(await s.page.evaluate('window.__inline')).toBeUndefined();
    } finally {
      await s.context.close();
    }
  });

  it('serves the assets with types, validators and versioned caching', async () => {
    const s = await open();
    try {
      const html = await (await s.page.request.get(`${baseUrl}/`)).text();
      const script = /src="(assets\/app\.js\?v=[\w-]+)"/.exec(html)?.[1];
      expect(script).toBeDefined();
      const versioned = await s.page.request.get(`${baseUrl}/${script}`);
      expect(versioned.headers()['content-type']).toBe('text/javascript; charset=utf-8');
      expect(versioned.headers()['cache-control']).toContain('immutable');
      const etag = versioned.headers()['etag']!;
      const again = await s.page.request.get(`${baseUrl}/assets/app.js`, { headers: { 'if-none-match': etag } });
      expect(again.status()).toBe(304);
      expect((await s.page.request.get(`${baseUrl}/assets/style.css`)).headers()['content-type']).toBe('text/css; charset=utf-8');
      expect((await s.page.request.get(`${baseUrl}/assets/../package.json`)).status()).toBe(404);
      expect((await s.page.request.get(`${baseUrl}/assets/nothing.js`)).status()).toBe(404);
    } finally {
      await s.context.close();
    }
  });

  it('is usable by keyboard: Tab reaches every filter control, with a visible focus ring', async () => {
    const s = await open();
    try {
      const reached: string[] = [];
      let outline = '';
      for (let i = 0; i < 30 && !reached.includes('reset'); i++) {
        await s.page.keyboard.press('Tab');
        const focused = await s.page.evaluate<{ id: string; outline: string }>(
          `(() => { const a = document.activeElement; return { id: (a && a.id) || '', outline: a ? getComputedStyle(a).outlineStyle : '' }; })()`,
        );
        if (focused.id && reached[reached.length - 1] !== focused.id) reached.push(focused.id);
        if (focused.id === 'f-topic') outline = focused.outline;
      }
      expect(reached.filter((id) => id.startsWith('f-'))).toEqual(['f-topic', 'f-since', 'f-until', 'f-lang', 'f-source', 'f-q']);
      expect(reached).toContain('reset');
      expect(outline).not.toBe('none');
      // Choosing a topic with the keyboard alone applies it.
      await s.page.focus('#f-topic');
      await s.page.keyboard.press('ArrowDown');
      await s.page.waitForURL((url) => url.searchParams.has('topic'));
    } finally {
      await s.context.close();
    }
  });

  it('fits a phone screen without sideways scrolling', async () => {
    const s = await open('/', { width: 390, height: 844 });
    try {
      await s.page.waitForSelector('#chart svg');
      await s.page.waitForSelector('#feeds tbody tr');
      const { scrollWidth, clientWidth } = await s.page.evaluate<{ scrollWidth: number; clientWidth: number }>(
        '({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })',
      );
      expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
      const box = await s.page.locator('#f-q').boundingBox();
      expect(box!.width).toBeGreaterThan(100);
    } finally {
      await s.context.close();
    }
  });
});
