import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page, type Route } from 'playwright-core';
import { Logger } from '@aws-lambda-powertools/logger';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { Match } from '#shared/model.ts';
import { loadTopicPack } from '#shared/classify/topic-pack.ts';
import { createDynamoQueryService } from '#shared/query/create.ts';
import { DynamoFeedbackStore } from '#shared/feedback/dynamo-feedback-store.ts';
import { createFeedbackService, type FeedbackService } from '#shared/feedback/service.ts';
import { KEY, MATCH_SK, matchPk } from '#shared/store/table-design.ts';
import { createTestTable, type TestTable } from '#tests/support/dynamo.ts';
import { aMatch } from '#tests/support/matches.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '#tests/support/chromium.ts';
import { listedIds, openPageSession, startPageServer, waitForList, type PageSession } from '#tests/support/web-page.ts';

/**
 * Labelling a match from the web page ("Not relevant", "Wrong topics…", and the panel the alert
 * emails' `?feedback=<id>` link opens), in headless Chromium against `fundwatch serve`'s server
 * running the query handler with the feedback service on a seeded DynamoDB Local table. Every
 * label is checked by reading it back from the table.
 */

const HOUR = 3_600_000;
const PAGE_SIZE = 20;
const TOPIC_IDS = ['ukraine-fund', 'nato-mission', 'defense-industry', 'us-aid', 'nato-meetings'];
const NOW = Math.floor(Date.now() / HOUR) * HOUR;
const at = (hoursAgo: number) => new Date(NOW - hoursAgo * HOUR).toISOString();

/** 30 first reports, one every 3 hours: f000 is the newest, f020 onwards are past the first page. */
const matches: Match[] = Array.from({ length: 30 }, (_, i) => {
  const topics = [TOPIC_IDS[i % 5]!, ...(i % 2 === 0 ? [TOPIC_IDS[(i + 1) % 5]!] : [])];
  return aMatch({
    id: `f${String(i).padStart(3, '0')}`,
    title: `Report ${i} on ${topics.join(' and ')}`,
    summary: `Coverage number ${i}.`,
    publishedAt: at(1 + i * 3),
    topics,
    scores: Object.fromEntries(topics.map((t) => [t, 0.8])),
    evidence: Object.fromEntries(topics.map((t) => [t, ['rule:routine']])),
  });
});
const byId = (id: string) => matches.find((m) => m.id === id)!;

let browser: Browser;
let baseUrl: string;
let closeServer: () => Promise<void>;
let table: TestTable;
let labels: DynamoFeedbackStore;
let feedback: FeedbackService;
let titles: Record<string, string>;

beforeAll(async () => {
  table = await createTestTable('feedback-web');
  for (const match of matches) await table.store.putMatch(match);
  const topicPack = await loadTopicPack('default');
  titles = Object.fromEntries(topicPack.topics.map((t) => [t.id, t.title]));
  labels = new DynamoFeedbackStore({ client: table.doc, tableName: table.tableName });
  feedback = createFeedbackService({ store: labels, topicIds: topicPack.topics.map((t) => t.id) });
  const service = createDynamoQueryService({ client: table.doc, tableName: table.tableName, topicPack });
  const api = await startPageServer({ service, feedback, localCaller: 'analyst', logger: new Logger({ serviceName: 'feedback-e2e', logLevel: 'SILENT' }) });
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

/** Every POST the page sent, as `path body`. */
const posts = (s: PageSession) => s.requests.filter((r) => r.method === 'POST').map((r) => `${new URL(r.url).pathname} ${r.body}`);

/**
 * Nothing went wrong in the page. `expectedStatuses`: the HTTP errors the test itself provokes,
 * which Chromium logs as "Failed to load resource" (and nothing else may be logged).
 */
async function expectClean(s: PageSession, expectedStatuses: number[] = []): Promise<void> {
  const allowed = (text: string) => expectedStatuses.some((status) => text.includes(`the server responded with a status of ${status}`));
  expect(s.consoleProblems.filter((text) => !allowed(text))).toEqual([]);
  expect(s.pageErrors).toEqual([]);
  expect(await s.violations()).toEqual([]);
}

const card = (page: Page, id: string) => page.locator(`#updates > li[data-id="${id}"]`);
const focusedWithin = (page: Page, selector: string) =>
  page.evaluate<boolean>(`(() => { const a = document.activeElement; return !!a && !!a.closest(${JSON.stringify(selector)}); })()`);
const focusedClass = (page: Page) => page.evaluate<string>('(document.activeElement && document.activeElement.className) || ""');
const labelOf = (id: string) => labels.feedbackOf(id);

/** Holds the page's POSTs to the feedback route until `release()`: the request is in flight meanwhile. */
async function holdPosts(page: Page): Promise<{ release: () => void }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/updates/*/feedback', async (route: Route) => {
    if (route.request().method() === 'POST') await released;
    await route.continue();
  });
  return { release };
}

describe('labelling a match from the web page', () => {
  it('"Not relevant" records the verdict once, with the controls off while it is in flight, and the card says so', async () => {
    const s = await open();
    try {
      const item = card(s.page, 'f000');
      const button = item.getByRole('button', { name: 'Not relevant' });
      expect(await button.getAttribute('aria-pressed')).toBe('false');
      const held = await holdPosts(s.page);
      await button.click();
      // In flight: both actions are off, so a second press cannot send a second label.
      await expect.poll(() => button.isDisabled()).toBe(true);
      expect(await item.getByRole('button', { name: 'Wrong topics…' }).isDisabled()).toBe(true);
      expect(await item.locator('.fb-status').textContent()).toBe('Saving…');
      held.release();

      await expect.poll(() => item.getByRole('status').textContent()).toBe('Marked not relevant.');
      expect(await button.getAttribute('aria-pressed')).toBe('true');
      expect(await button.isEnabled()).toBe(true);
      expect(await focusedClass(s.page)).toContain('fb-not-relevant');
      expect(posts(s)).toEqual(['/updates/f000/feedback {"verdict":"not-relevant"}']);
      const stored = await labelOf('f000');
      expect(stored).toMatchObject({ itemId: 'f000', verdict: 'not-relevant', by: 'analyst' });
      expect(stored?.topics).toBeUndefined();
      await expectClean(s);
    } finally {
      await s.context.close();
    }
  });

  it('"Wrong topics…" opens a chooser with the item\'s topics checked; Save records the sorted topics', async () => {
    const s = await open();
    try {
      const match = byId('f001'); // nato-mission only
      const item = card(s.page, 'f001');
      const toggle = item.getByRole('button', { name: 'Wrong topics…' });
      expect(await toggle.getAttribute('aria-expanded')).toBe('false');
      const panel = s.page.locator(`#${await toggle.getAttribute('aria-controls')}`);
      expect(await panel.isHidden()).toBe(true);
      await toggle.click();
      expect(await toggle.getAttribute('aria-expanded')).toBe('true');
      await panel.waitFor();

      // One checkbox per pack topic, by title, the classifier's topics checked.
      const boxes = panel.getByRole('checkbox');
      expect(await boxes.count()).toBe(TOPIC_IDS.length);
      expect(await panel.locator('label').allTextContents()).toEqual(TOPIC_IDS.map((t) => titles[t]));
      for (const topic of TOPIC_IDS) {
        expect(await panel.getByRole('checkbox', { name: titles[topic] }).isChecked()).toBe(match.topics.includes(topic));
      }

      // In the pack's order us-aid comes before nato-meetings; the label stores them sorted.
      await panel.getByRole('checkbox', { name: titles['nato-mission'] }).uncheck();
      await panel.getByRole('checkbox', { name: titles['us-aid'] }).check();
      await panel.getByRole('checkbox', { name: titles['nato-meetings'] }).check();
      await panel.getByRole('button', { name: 'Save' }).click();

      await expect.poll(async () => (await labelOf('f001'))?.topics).toEqual(['nato-meetings', 'us-aid']);
      expect(await labelOf('f001')).toMatchObject({ verdict: 'topics', by: 'analyst' });
      expect(posts(s)).toEqual(['/updates/f001/feedback {"verdict":"topics","topics":["us-aid","nato-meetings"]}']);
      await expect
        .poll(() => item.getByRole('status').textContent())
        .toBe(`Topics set to: ${titles['nato-meetings']}, ${titles['us-aid']}.`);
      // The chooser closes and the focus goes back to the button that opened it.
      expect(await panel.isHidden()).toBe(true);
      expect(await toggle.getAttribute('aria-expanded')).toBe('false');
      expect(await focusedClass(s.page)).toContain('fb-wrong-topics');
      expect(await item.getByRole('button', { name: 'Not relevant' }).getAttribute('aria-pressed')).toBe('false');

      // Opened again, it shows the label just given, not the classifier's topics.
      await toggle.click();
      expect(await panel.getByRole('checkbox', { name: titles['us-aid'] }).isChecked()).toBe(true);
      expect(await panel.getByRole('checkbox', { name: titles['nato-mission'] }).isChecked()).toBe(false);
      await expectClean(s);
    } finally {
      await s.context.close();
    }
  });

  it('refuses Save with no topic checked without sending anything, and points to "Not relevant"', async () => {
    const s = await open();
    try {
      const item = card(s.page, 'f002');
      await item.getByRole('button', { name: 'Wrong topics…' }).click();
      const boxes = item.getByRole('checkbox');
      for (let i = 0; i < (await boxes.count()); i++) await boxes.nth(i).uncheck();
      await item.getByRole('button', { name: 'Save' }).click();

      const problem = item.getByRole('alert');
      await expect.poll(() => problem.textContent()).toContain('Not relevant');
      expect(await problem.textContent()).toContain('at least one topic');
      expect(await item.getByRole('status').textContent()).toBe('');
      expect(posts(s)).toEqual([]);
      expect(await labelOf('f002')).toBeNull();

      // Cancel (here by Escape, from a checkbox) closes the chooser and clears the message.
      await boxes.first().focus();
      await s.page.keyboard.press('Escape');
      expect(await item.getByRole('button', { name: 'Wrong topics…' }).getAttribute('aria-expanded')).toBe('false');
      expect(await problem.isHidden()).toBe(true);
      expect(await focusedClass(s.page)).toContain('fb-wrong-topics');
      expect(posts(s)).toEqual([]);
      await expectClean(s);
    } finally {
      await s.context.close();
    }
  });

  it('by keyboard alone: Enter opens the chooser, Space checks a topic, Save records it', async () => {
    const s = await open();
    try {
      const item = card(s.page, 'f007'); // defense-industry only
      const toggle = item.getByRole('button', { name: 'Wrong topics…' });
      await toggle.focus();
      await s.page.keyboard.press('Enter');
      expect(await toggle.getAttribute('aria-expanded')).toBe('true');
      // Tab order: the toggle, then the checkboxes in pack order, then Save.
      await s.page.keyboard.press('Tab');
      expect(await s.page.evaluate('document.activeElement && document.activeElement.value')).toBe('ukraine-fund');
      await s.page.keyboard.press('Space');
      for (let i = 0; i < TOPIC_IDS.length; i++) await s.page.keyboard.press('Tab');
      expect(await focusedClass(s.page)).toContain('fb-save');
      await s.page.keyboard.press('Enter');
      await expect.poll(async () => (await labelOf('f007'))?.topics).toEqual(['defense-industry', 'ukraine-fund']);
      await expectClean(s);
    } finally {
      await s.context.close();
    }
  });

  it('?feedback=<id> past the first page opens the panel with the earlier label; a new label from it is recorded', async () => {
    await feedback.record('f025', { verdict: 'topics', topics: ['us-aid'] }, 'editor');
    const earlier = await labelOf('f025');
    const s = await open('/?feedback=f025');
    try {
      expect((await listedIds(s.page)).length).toBe(PAGE_SIZE);
      expect(await listedIds(s.page)).not.toContain('f025');

      const panel = s.page.getByRole('region', { name: 'Label this match' });
      const item = panel.locator('.update[data-id="f025"]');
      await item.waitFor();
      expect(await item.locator('.title-text').textContent()).toBe(byId('f025').title);
      expect(await item.locator('.topic').allTextContents()).toEqual(byId('f025').topics.map((t) => titles[t]));
      const status = item.getByRole('status');
      expect(await status.textContent()).toMatch(new RegExp(`^Already labelled with the topics ${escapeRegExp(titles['us-aid']!)} by editor at .+\\.$`));
      expect(await status.locator('time').getAttribute('datetime')).toBe(earlier!.at);
      expect(await focusedWithin(s.page, '#labelling')).toBe(true);

      // The rest of the page works as before, and the filters keep `feedback` while the panel is open.
      await s.page.selectOption('#f-topic', 'us-aid');
      await s.page.waitForURL((url) => url.searchParams.get('topic') === 'us-aid' && url.searchParams.get('feedback') === 'f025');
      await waitForList(s.page);
      expect(await panel.isVisible()).toBe(true);

      await item.getByRole('button', { name: 'Not relevant' }).click();
      await expect.poll(() => status.textContent()).toBe('Marked not relevant.');
      expect(await labelOf('f025')).toMatchObject({ verdict: 'not-relevant', by: 'analyst' });
      expect((await labelOf('f025'))?.topics).toBeUndefined();

      // Close: the panel goes, so does `feedback` from the URL; the filter stays, focus goes to the list.
      await panel.getByRole('button', { name: 'Close' }).click();
      expect(await panel.isHidden()).toBe(true);
      await s.page.waitForURL((url) => !url.searchParams.has('feedback') && url.searchParams.get('topic') === 'us-aid');
      expect(await s.page.evaluate('document.activeElement && document.activeElement.id')).toBe('updates-heading');
      await s.page.reload();
      await waitForList(s.page);
      expect(await panel.isHidden()).toBe(true);

      // Back and Forward: the panel follows the URL of each view.
      await s.page.goBack();
      await s.page.waitForURL((url) => url.searchParams.get('feedback') === 'f025' && !url.searchParams.has('topic'));
      await expect.poll(() => item.getByRole('status').textContent()).toMatch(/^Already labelled not relevant by analyst at /);
      await s.page.goForward();
      await s.page.waitForURL((url) => !url.searchParams.has('feedback') && url.searchParams.get('topic') === 'us-aid');
      await expect.poll(() => panel.isHidden()).toBe(true);
      await waitForList(s.page);
      await expectClean(s);
    } finally {
      await s.context.close();
    }
  });

  it('a label given in the panel also shows on the same item\'s card in the list', async () => {
    const s = await open('/?feedback=f005');
    try {
      const inPanel = s.page.locator('#labelling .update[data-id="f005"]');
      await inPanel.waitFor();
      // No label yet: an empty status line, nothing pressed.
      expect(await inPanel.getByRole('status').textContent()).toBe('');
      await inPanel.getByRole('button', { name: 'Not relevant' }).click();
      await expect.poll(() => card(s.page, 'f005').getByRole('status').textContent()).toBe('Marked not relevant.');
      expect(await card(s.page, 'f005').getByRole('button', { name: 'Not relevant' }).getAttribute('aria-pressed')).toBe('true');
      expect(posts(s)).toHaveLength(1);
      await expectClean(s);
    } finally {
      await s.context.close();
    }
  });

  it('?feedback=<unknown id> says the match is not stored; the rest of the page still loads', async () => {
    const s = await open('/?feedback=no-such-item');
    try {
      const message = s.page.locator('#labelling-message');
      await expect.poll(() => message.textContent()).toContain('No stored match with this id — it may have expired.');
      expect(await message.textContent()).toContain('no-such-item');
      expect(await s.page.locator('#labelling .update').count()).toBe(0);
      expect((await listedIds(s.page)).length).toBe(PAGE_SIZE);
      await expectClean(s, [404]);
    } finally {
      await s.context.close();
    }
  });

  it('shows the API\'s error on the card when the match has expired before the click', async () => {
    const s = await open();
    try {
      const item = card(s.page, 'f003');
      await item.waitFor();
      // As TTL would: the match row goes while the page still shows it.
      await table.doc.send(new DeleteCommand({ TableName: table.tableName, Key: { [KEY.pk]: matchPk('f003'), [KEY.sk]: MATCH_SK } }));
      await item.getByRole('button', { name: 'Not relevant' }).click();

      const problem = item.getByRole('alert');
      await expect.poll(() => problem.textContent()).toMatch(/^The API could not answer: no stored match with id "f003"/);
      expect(await item.getByRole('status').textContent()).toBe('');
      expect(await item.getByRole('button', { name: 'Not relevant' }).getAttribute('aria-pressed')).toBe('false');
      expect(await item.getByRole('button', { name: 'Not relevant' }).isEnabled()).toBe(true);
      // Only this card shows it; the page-wide error line stays empty.
      expect(await s.page.locator('#error').isHidden()).toBe(true);
      expect(posts(s)).toHaveLength(1);
      await expectClean(s, [404]);
    } finally {
      await s.context.close();
    }
  });

  it('fits a phone screen with the panel and a chooser open', async () => {
    const s = await open('/?feedback=f010', { width: 390, height: 844 });
    try {
      const inPanel = s.page.locator('#labelling .update[data-id="f010"]');
      await inPanel.waitFor();
      await inPanel.getByRole('button', { name: 'Wrong topics…' }).click();
      await card(s.page, 'f006').getByRole('button', { name: 'Wrong topics…' }).click();
      await inPanel.getByRole('checkbox').first().waitFor();
      const { scrollWidth, clientWidth } = await s.page.evaluate<{ scrollWidth: number; clientWidth: number }>(
        '({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })',
      );
      expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
      await expectClean(s);
    } finally {
      await s.context.close();
    }
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
