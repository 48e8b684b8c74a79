/**
 * Renders docs/web.png: the web page at 1280×900 in headless Chromium, against `fundwatch
 * serve`'s server on a fresh in-memory DynamoDB Local seeded with realistic matches: the
 * positives of the team's dev set (../shared/eval/dev.jsonl), classified by the real classifier
 * (so topics, scores and highlighted evidence are what the product would store), re-dated over
 * the last three weeks, with near-duplicate re-posts and one failing feed.
 *
 *   node bin/run-ts.mjs scripts/screenshot.ts [out.png]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, ensureChromium } from '#tests/support/chromium.ts';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { FeedState, Match } from '#shared/model.ts';
import { startApiServer } from '#cli/commands/serve.ts';
import { createHandler } from '#functions/query.ts';
import { createClassifier } from '#shared/classify/classifier.ts';
import { defaultTopicPack } from '#shared/classify/topic-pack.ts';
import { startDynamoDbLocal } from '#shared/local/dynamodb-local.ts';
import { createDynamoQueryService } from '#shared/query/create.ts';
import { ensureTable } from '#shared/store/create-table.ts';
import { createDocumentClient } from '#shared/store/dynamo-client.ts';
import { DynamoStore } from '#shared/store/dynamo-store.ts';
import { htmlToText } from '#shared/text/html-text.ts';
import { prng } from '#tests/support/prng.ts';

const OUT = process.argv[2] ?? fileURLToPath(new URL('../docs/web.png', import.meta.url));
const DEV_SET = new URL('../../shared/eval/dev.jsonl', import.meta.url);
const HOUR = 3_600_000;
const DAYS = 21;

interface DevItem {
  id: string;
  title: string;
  summary: string;
  source: string;
  published: string;
  lang?: string;
  labels: string[];
}


const displayName = (slug: string) => slug.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
const feedUrlOf = (slug: string) => `https://${slug}.example/feed.xml`;

function realisticMatches(now: number): Match[] {
  const classifier = createClassifier(defaultTopicPack());
  const rand = prng(9);
  const items = readFileSync(DEV_SET, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as DevItem)
    .filter((item) => item.labels.length > 0)
    .sort((a, b) => a.published.localeCompare(b.published));
  const matches: Match[] = [];
  items.forEach((item, k) => {
    const title = htmlToText(item.title);
    const summary = htmlToText(item.summary);
    const result = classifier.classify({ title, summary, ...(item.lang ? { lang: item.lang } : {}) });
    if (result.labels.length === 0) return;
    // Oldest first over the last three weeks, a little denser towards today.
    const age = (1 - Math.sqrt((k + rand()) / items.length)) * DAYS * 24 * HOUR;
    const publishedAt = new Date(Math.floor(now - age - rand() * 3 * HOUR)).toISOString();
    const score = Math.max(...result.labels.map((l) => result.scores[l] ?? 0));
    matches.push({
      id: item.id,
      title,
      summary,
      link: `https://${item.source}.example/news/${item.id}`,
      source: displayName(item.source),
      feedUrl: feedUrlOf(item.source),
      publishedAt,
      fetchedAt: publishedAt,
      storedAt: publishedAt,
      ...(item.lang ? { lang: item.lang } : {}),
      categories: [],
      topics: result.labels,
      score,
      scores: Object.fromEntries(result.labels.map((l) => [l, result.scores[l] ?? 0])),
      evidence: Object.fromEntries(result.labels.map((l) => [l, result.evidence[l] ?? []])),
    });
  });
  // The same story re-posted by other outlets within hours: near-duplicates of a first report.
  const sources = [...new Set(items.map((i) => i.source))];
  const firsts = matches.filter((_, i) => i % 7 === 3 || i === matches.length - 1);
  for (const original of firsts) {
    const copies = 1 + Math.floor(rand() * 3);
    for (let c = 0; c < copies; c++) {
      const slug = sources[Math.floor(rand() * sources.length)]!;
      const publishedAt = new Date(Math.min(now - 60_000, Date.parse(original.publishedAt) + (1 + rand() * 10) * HOUR)).toISOString();
      matches.push({
        ...original,
        id: `${original.id}-repost-${c}`,
        link: `https://${slug}.example/news/${original.id}-${c}`,
        source: displayName(slug),
        feedUrl: feedUrlOf(slug),
        publishedAt,
        fetchedAt: publishedAt,
        storedAt: publishedAt,
        duplicateOf: original.id,
      });
    }
  }
  return matches;
}

function feedStates(matches: readonly Match[], now: number): FeedState[] {
  const iso = (hoursAgo: number) => new Date(now - hoursAgo * HOUR).toISOString();
  const feeds = [...new Map(matches.map((m) => [m.feedUrl, m.source])).entries()].sort((a, b) => a[1].localeCompare(b[1]));
  return feeds.map(([url, name], i): FeedState => {
    if (i === 1) {
      return { url, name, consecutiveFailures: 3, lastOutcome: 'failed', lastStatus: 503, lastError: 'HTTP 503 Service Unavailable', lastAttemptAt: iso(0.2), lastSuccessAt: iso(9), nextPollAt: iso(-1.5) };
    }
    return { url, name, consecutiveFailures: 0, lastOutcome: i % 2 ? 'not-modified' : 'fetched', lastStatus: i % 2 ? 304 : 200, lastAttemptAt: iso(0.2), lastSuccessAt: iso(0.2), nextPollAt: iso(-0.05) };
  });
}

const db = await startDynamoDbLocal();
try {
  const client = createDocumentClient({ endpoint: db.endpoint });
  const tableName = 'fundwatch-screenshot';
  await ensureTable(client as unknown as Parameters<typeof ensureTable>[0], tableName);
  const store = new DynamoStore({ client, tableName });
  const now = Date.now();
  const matches = realisticMatches(now);
  for (const match of matches) await store.putMatch(match);
  for (const match of matches) if (match.duplicateOf) await store.countDuplicate(match.duplicateOf);
  const feeds = feedStates(matches, now);
  await store.registerFeeds(feeds.map((feed) => feed.url));
  for (const feed of feeds) await store.saveFeedState(feed);

  const service = createDynamoQueryService({ client, tableName, topicPack: defaultTopicPack() });
  const handler = createHandler({ service, logger: new Logger({ serviceName: 'screenshot', logLevel: 'WARN' }) });
  const api = await startApiServer({ handler: handler as unknown as (e: APIGatewayProxyEventV2, c: Context) => Promise<APIGatewayProxyResultV2>, port: 0 });
  ensureChromium();
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') process.stderr.write(`browser ${m.type()}: ${m.text()}\n`);
    });
    await page.goto(`${api.url}/`);
    await page.locator('#status', { hasText: /^Showing/ }).waitFor();
    await page.locator('#chart svg polyline').first().waitFor();
    await page.locator('#feeds tbody tr').first().waitFor();
    await page.locator('#updates > li .summary mark').first().waitFor();
    // Expand the first collapsed story so the picture shows how duplicates read.
    await page.locator('#updates button.dups').first().click();
    await page.locator('#updates .duplicate').first().waitFor();
    await page.screenshot({ path: OUT });
    process.stdout.write(`${matches.length} matches seeded; wrote ${OUT}\n`);
  } finally {
    await browser.close();
    await api.close();
  }
} finally {
  await db.stop();
}
