import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { parseConfig } from '#shared/config/load.ts';
import type { Config } from '#shared/config/schema.ts';
import type { AlertEmail, Match } from '#shared/model.ts';
import { runPollCycle } from '#shared/pipeline/poll-cycle.ts';
import { deliverLocalAlerts } from '#shared/alerts/local-alerts.ts';
import { isSameStory, shingles, similarity } from '#shared/alerts/near-duplicates.ts';
import type { MatchStore } from '#shared/store/ports.ts';
import { DynamoStore } from '#shared/store/dynamo-store.ts';
import { createDocumentClient } from '#shared/store/dynamo-client.ts';
import { GSI1, MATCHES_PARTITION, topicPk, timeSortKey } from '#shared/store/table-design.ts';
import { createTestTable, type TestTable } from '#tests/support/dynamo.ts';
import { realPollDeps } from '#tests/support/poll-deps.ts';
import { prng } from '#tests/support/prng.ts';

/**
 * The promise that a syndicated story alerts once, whatever order its copies arrive in: many
 * copies of several stories spread over many feeds on a real loopback server, every feed released
 * at once, with seeded feed orders, response delays and DynamoDB write delays; once with one
 * poller and once with two pollers running at the same time on one table. Each seed must give
 * exactly one first report and one alert per story, every other copy stored as its duplicate, and
 * exact duplicate counts on the first report's rows.
 */

const SEEDS = 24;
const FEEDS = 12;
const HOUR = 3_600_000;
/** Requests one poller sends to one host at once (fetch.perHostConcurrency; every feed here is on 127.0.0.1). */
const PER_HOST = 8;

/** Four on-topic wire stories; copies of one resemble each other, copies of two never do. */
const STORIES = [
  {
    title: 'NATO chief proposes €100 billion five-year fund for Ukraine',
    body: "NATO's Secretary General asked allies on Wednesday to commit 100 billion euros over five years to a fund for Ukraine's military support, so that aid no longer depends on short-term pledges from individual governments, according to diplomats briefed on the plan.",
  },
  {
    title: 'NATO sets up Wiesbaden mission to coordinate Ukraine aid and training',
    body: 'Allied defence ministers agreed to create a NATO mission at the Wiesbaden command that will coordinate military aid and training for Ukraine, taking over much of the work the US-led Ramstein contact group has done since the invasion began.',
  },
  {
    title: 'US House approves $61 billion in military aid for Ukraine after long delay',
    body: 'The House of Representatives passed the long-stalled supplemental with 61 billion dollars of military aid for Ukraine on Saturday, ending a months-long gap in American deliveries of artillery ammunition and air defence interceptors to Kyiv.',
  },
  {
    title: 'European arms makers open new shell lines to supply Ukraine',
    body: 'European defence companies announced new production lines for 155mm artillery shells to supply Ukraine, as allied governments signed joint procurement contracts worth several billion euros to expand ammunition output over the next three years.',
  },
] as const;

const HEADLINE_EDITS = [(t: string) => t, (t: string) => `UPDATE: ${t}`, (t: string) => `${t} (wire)`, (t: string) => t.replace(/^(\S+ \S+)/, '$1,')];
const EXTRA_SENTENCES = [
  '',
  ' The proposal will be discussed at the next meeting of ministers.',
  ' Officials declined to comment further on the details.',
  ' Reporting by our correspondents; editing by the desk.',
];

interface Copy {
  story: number;
  guid: string;
  title: string;
  summary: string;
  publishedAt: string;
}

/** `perStory` copies of each story, each with its own headline edit and extra sentence, spread over the feeds by `random`. */
function makeCopies(random: () => number, perStory: number, now: number): Copy[][] {
  const feeds: Copy[][] = Array.from({ length: FEEDS }, () => []);
  STORIES.forEach((story, s) => {
    for (let c = 0; c < perStory; c++) {
      const copy: Copy = {
        story: s,
        guid: `story-${s}-copy-${c}`,
        title: HEADLINE_EDITS[Math.floor(random() * HEADLINE_EDITS.length)]!(story.title),
        summary: story.body + EXTRA_SENTENCES[Math.floor(random() * EXTRA_SENTENCES.length)]!,
        // Within minutes of each other, in no order the feeds agree on.
        publishedAt: new Date(now - HOUR - Math.floor(random() * 20) * 60_000).toISOString(),
      };
      feeds[Math.floor(random() * FEEDS)]!.push(copy);
    }
  });
  return feeds;
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function rss(feed: number, copies: Copy[]): string {
  const items = copies
    .map(
      (c) =>
        `<item><title>${escapeXml(c.title)}</title><link>https://outlet-${feed}.example/${c.guid}</link><guid>${c.guid}@outlet-${feed}</guid>` +
        `<pubDate>${new Date(c.publishedAt).toUTCString()}</pubDate><description>${escapeXml(c.summary)}</description></item>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Outlet ${feed}</title><link>https://outlet-${feed}.example/</link><description>d</description>${items}</channel></rss>`;
}

/**
 * Serves the feeds of the current round on 127.0.0.1. Every request is held until all feeds of
 * the round have been asked for, then released at once, each after its own seeded delay.
 */
class SyndicationServer {
  private server!: Server;
  url = '';
  private bodies = new Map<string, string>();
  private delays = new Map<string, number>();
  private waiting: (() => void)[] = [];
  private expected = 0;
  private released = false;

  async start() {
    this.server = createServer((req, res) => {
      const body = this.bodies.get(req.url ?? '');
      const send = () =>
        setTimeout(() => {
          if (body === undefined) res.writeHead(404).end();
          else res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(body);
        }, this.delays.get(req.url ?? '') ?? 0);
      if (this.released) return send();
      this.waiting.push(send);
      if (this.waiting.length >= this.expected) {
        this.released = true;
        for (const release of this.waiting.splice(0)) release();
      }
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A new round: these feeds, these delays; held until `requests` requests are in (those the pollers' slots allow at once). */
  round(feeds: Copy[][], random: () => number, round: number, requests: number) {
    this.bodies.clear();
    this.delays.clear();
    this.expected = requests;
    this.released = false;
    feeds.forEach((copies, f) => {
      this.bodies.set(`/r${round}/feed-${f}.xml`, rss(f, copies));
      this.delays.set(`/r${round}/feed-${f}.xml`, Math.floor(random() * 25));
    });
  }

  close() {
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The store with seeded delays in front of the writes that race: claims, match inserts and counts. */
function jitteredStore(inner: MatchStore, random: () => number): MatchStore {
  const pause = () => new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 12)));
  return Object.assign(Object.create(inner) as MatchStore, {
    appendStoryClaims: async (...args: Parameters<MatchStore['appendStoryClaims']>) => (await pause(), inner.appendStoryClaims(...args)),
    putMatches: async (...args: Parameters<MatchStore['putMatches']>) => (await pause(), inner.putMatches(...args)),
    countDuplicate: async (...args: Parameters<MatchStore['countDuplicate']>) => (await pause(), inner.countDuplicate(...args)),
  });
}

/** A poller's own store and client on the shared table, as a second process would have. */
const ownStore = (table: TestTable) => new DynamoStore({ client: createDocumentClient({ endpoint: table.endpoint }), tableName: table.tableName, retentionDays: 36_500 });

function configFor(server: SyndicationServer, round: number, feeds: number[]): Config {
  return parseConfig({
    feeds: feeds.map((f) => ({ url: `${server.url}/r${round}/feed-${f}.xml`, name: `Outlet ${f}` })),
    fetch: { allowPrivateHosts: ['127.0.0.1'], timeoutMs: 10_000, perHostConcurrency: PER_HOST },
  });
}

function shuffled<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function storedMatches(table: TestTable): Promise<Match[]> {
  const page = await table.doc.send(
    new QueryCommand({
      TableName: table.tableName,
      IndexName: GSI1,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': MATCHES_PARTITION },
    }),
  );
  return (page.Items ?? []) as Match[];
}

async function countsOnRows(table: TestTable, first: Match): Promise<(number | undefined)[]> {
  const keys = [{ pk: `ITEM#${first.id}`, sk: 'ITEM' }, ...first.topics.map((topic) => ({ pk: topicPk(topic), sk: timeSortKey(first.publishedAt, first.id) }))];
  return Promise.all(
    keys.map(async (Key) => (await table.doc.send(new GetCommand({ TableName: table.tableName, Key, ConsistentRead: true }))).Item?.duplicateCount as number | undefined),
  );
}

const storyOf = (match: Match) => Number(/story-(\d+)-copy/.exec(match.link ?? '')?.[1]);

/** What one seeded round must show: per story, one first report, the rest its duplicates, exact counts, one alert. */
async function expectOneFirstReportPerStory(table: TestTable, copies: Copy[][], emails: AlertEmail[]) {
  const matches = await storedMatches(table);
  const perStory = STORIES.map((_, s) => copies.flat().filter((c) => c.story === s).length);
  expect(matches).toHaveLength(perStory.reduce((a, b) => a + b, 0));
  const alerted = emails.flatMap((e) => e.itemIds);
  for (let s = 0; s < STORIES.length; s++) {
    const story = matches.filter((m) => storyOf(m) === s);
    const firsts = story.filter((m) => !m.duplicateOf);
    expect(firsts.map((m) => m.link), `story ${s}: first reports`).toHaveLength(1);
    const first = firsts[0]!;
    for (const copy of story) if (copy !== first) expect(copy.duplicateOf, `story ${s}: ${copy.link}`).toBe(first.id);
    const expected = perStory[s]! - 1;
    expect(await countsOnRows(table, first), `story ${s}: duplicate counts`).toEqual(Array(first.topics.length + 1).fill(expected || undefined));
    // Alerts: the first report in one email per topic it carries, and no copy in any email.
    expect(new Set(alerted.filter((id) => story.some((m) => m.id === id))), `story ${s}: alerted items`).toEqual(new Set([first.id]));
    expect(emails.filter((e) => e.itemIds.includes(first.id)).map((e) => e.topic).sort()).toEqual([...first.topics].sort());
  }
}

async function alertsOf(table: TestTable): Promise<AlertEmail[]> {
  const emails: AlertEmail[] = [];
  await deliverLocalAlerts({
    doc: table.doc,
    tableName: table.tableName,
    endpoint: table.endpoint,
    streamArn: table.streamArn,
    dataDir: await mkdtemp(join(tmpdir(), 'fundwatch-arbitration-')),
    render: { maxItems: 50 },
    publisher: { publish: async (email) => void emails.push(email) },
  });
  return emails;
}

let server: SyndicationServer;
beforeAll(async () => {
  server = new SyndicationServer();
  await server.start();
});
afterAll(() => server.close());

describe('one first report per story, whatever order the copies arrive in', () => {
  it('the test stories are what the promise is about: copies of one story resemble each other, two stories never do', () => {
    const copies = makeCopies(prng(1), 12, Date.now()).flat();
    const sets = copies.map((c) => shingles(c.title, c.summary));
    copies.forEach((a, i) =>
      copies.forEach((b, j) => {
        if (i < j) expect(isSameStory(similarity(sets[i]!, sets[j]!)), `${a.guid} ~ ${b.guid}`).toBe(a.story === b.story);
      }),
    );
  });

  it(`one poller, ${FEEDS} feeds at once, ${SEEDS} seeded orderings and delays`, async () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const random = prng(seed);
      const copies = makeCopies(random, 6 + (seed % 5), Date.now());
      server.round(copies, random, seed, PER_HOST);
      const table = await createTestTable(`arb1-${seed}`);
      const config = configFor(server, seed, shuffled([...Array(FEEDS).keys()], random));
      const report = await runPollCycle(config, realPollDeps(jitteredStore(table.store, random)));
      expect(report.feeds.every((f) => f.outcome === 'fetched'), `seed ${seed}: ${JSON.stringify(report.feeds.filter((f) => f.outcome !== 'fetched'))}`).toBe(true);
      expect(report.warnings, `seed ${seed}`).toEqual([]);
      await expectOneFirstReportPerStory(table, copies, await alertsOf(table));
    }
  }, 240_000);

  it(`two pollers at the same time on one table, overlapping feeds, ${SEEDS} seeded orderings and delays`, async () => {
    for (let seed = 101; seed <= 100 + SEEDS; seed++) {
      const random = prng(seed);
      const copies = makeCopies(random, 6 + (seed % 5), Date.now());
      const all = shuffled([...Array(FEEDS).keys()], random);
      // Each poller has 8 of the 12 feeds: 4 are only its own, 4 both poll.
      const a = all.slice(0, 8);
      const b = all.slice(4);
      server.round(copies, random, seed, 2 * PER_HOST);
      const table = await createTestTable(`arb2-${seed}`);
      const [ra, rb] = await Promise.all([
        runPollCycle(configFor(server, seed, a), realPollDeps(jitteredStore(ownStore(table), prng(seed * 7)))),
        runPollCycle(configFor(server, seed, b), realPollDeps(jitteredStore(ownStore(table), prng(seed * 13)))),
      ]);
      expect([...ra.feeds, ...rb.feeds].every((f) => f.outcome === 'fetched'), `seed ${seed}`).toBe(true);
      expect([...ra.warnings, ...rb.warnings], `seed ${seed}`).toEqual([]);
      await expectOneFirstReportPerStory(table, copies, await alertsOf(table));
    }
  }, 240_000);
});
