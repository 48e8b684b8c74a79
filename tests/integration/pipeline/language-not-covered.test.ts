import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClassifier } from '#shared/classify/classifier.ts';
import { defaultTopicPack } from '#shared/classify/topic-pack.ts';
import { parseConfig } from '#shared/config/load.ts';
import { startFixtureServer, type FixtureServer } from '#shared/local/fixture-server.ts';
import { runPollCycle, type CycleReport } from '#shared/pipeline/poll-cycle.ts';
import { DynamoQueryStore } from '#shared/query/dynamo-query-store.ts';
import { createQueryService } from '#shared/query/service.ts';
import type { FeedHealth } from '#shared/query/views.ts';
import { createDocumentClient } from '#shared/store/dynamo-client.ts';
import { createTestTable, type TestTable } from '#tests/support/dynamo.ts';
import { realPollDeps } from '#tests/support/poll-deps.ts';
import { TOPICS } from '../query/dataset.ts';

/**
 * A feed that does not say its language, carrying Swedish and Turkish entries among English
 * ones, and an English feed beside it: the cycle counts what the pack cannot read, per feed and
 * by language, stores it in the feed's row for /feeds, and classifies and stores every entry as
 * it always did.
 */

const item = (guid: string, title: string, summary: string) =>
  `<item><guid isPermaLink="false">${guid}</guid><title>${title}</title><description>${summary}</description><pubDate>{{rfc822:-2h}}</pubDate></item>`;

const NORDIC = [
  item('en-1', 'Stoltenberg proposes €100 billion, five-year NATO fund for Ukraine', 'NATO allies are to discuss the plan for a multi-year fund for military aid to Ukraine at their meeting in Brussels.'),
  item('sv-1', 'Nato inrättar NSATU i Wiesbaden för att samordna stödet till Ukraina', 'Det nya kommandot NSATU ska samordna utbildning och leveranser av vapen till Ukraina, enligt Nato.'),
  item('sv-2', 'Stoltenberg föreslår en Nato-fond på 100 miljarder euro för Ukraina', 'Natos generalsekreterare vill att alliansen ska ta över samordningen av det militära stödet till Ukraina, enligt diplomater i Bryssel.'),
  item('sv-3', 'Sverige höjer försvarsbudgeten', 'Regeringen vill att försvarsanslagen ska öka med tio miljarder kronor under nästa år, enligt finansministern.'),
  item('tr-1', 'NATO, Ukrayna için NSATU komutanlığını Wiesbaden’da kurdu', 'NSATU, Ukrayna’ya yapılan askeri yardımı ve eğitimi koordine edecek ve bu görev için Almanya’da bir karargah kuruldu.'),
  item('short-1', 'Kort om dagen', ''), // too short to tell: counted as covered, not as a hole
].join('\n');
const LATE = item('sv-4', 'Finland och Sverige deltar i Natos möte i Bryssel', 'Försvarsministrarna från Finland och Sverige ska delta i mötet, där stödet till Ukraina och den nya fonden står på dagordningen.');

const rss = (title: string, items: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>${title}</title><link>https://example.org/</link><description>test</description>\n${items}\n</channel></rss>\n`;

let dir: string;
let server: FixtureServer;
let table: TestTable;
const cycles: CycleReport[] = [];
const feedsAfter: FeedHealth[][] = [];
const commands: string[] = [];
let nordicUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fundwatch-languages-'));
  await writeFile(join(dir, 'nordic.xml'), rss('Nordic Desk', `${NORDIC}\n<!-- late -->${LATE}<!-- /late -->`));
  await writeFile(join(dir, 'english.xml'), rss('English Desk', item('en-2', 'House passes Ukraine aid package after months of delay', 'The bill sends military aid to Ukraine and now goes to the Senate, where a vote is expected next week.')));
  server = await startFixtureServer({ dir });
  table = await createTestTable('languages');
  nordicUrl = `${server.url}/nordic.xml`;
  const config = parseConfig({
    feeds: [
      { url: nordicUrl, name: 'Nordic Desk' },
      { url: `${server.url}/english.xml`, name: 'English Desk', language: 'en' },
    ],
    fetch: { allowPrivateHosts: ['127.0.0.1'], timeoutMs: 5000 },
  });
  const doc = createDocumentClient({ endpoint: table.endpoint });
  doc.middlewareStack.add((next, context) => async (args) => {
    commands.push(String(context.commandName));
    return next(args);
  });
  const service = createQueryService({ store: new DynamoQueryStore({ client: doc, tableName: table.tableName }), topics: TOPICS });
  const cycleThenFeeds = async () => {
    cycles.push(await runPollCycle(config, realPollDeps(table.store)));
    commands.length = 0;
    feedsAfter.push(await service.listFeeds());
  };
  await cycleThenFeeds();
  server.publishLateItems();
  await cycleThenFeeds();
  await cycleThenFeeds();
});
afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const feedReport = (cycle: number, name: string) => cycles[cycle]!.feeds.find((f) => f.name === name)!;
const feedHealth = (cycle: number, name: string) => feedsAfter[cycle]!.find((f) => f.name === name)!;

describe('items in languages the pack does not cover', () => {
  it('are counted per feed and by language in the cycle report', () => {
    expect(feedReport(0, 'Nordic Desk')).toMatchObject({ outcome: 'fetched', entries: 6, newEntries: 6, languageNotCovered: { sv: 3, tr: 1 } });
    expect(feedReport(0, 'English Desk').languageNotCovered).toEqual({});
  });

  it('are still classified and stored as before: nothing is dropped for its language', () => {
    const classifier = createClassifier(defaultTopicPack());
    // The Swedish and Turkish NSATU items match on names the pack holds for every language; the
    // Swedish fund headline on words Swedish shares with covered languages ("fond", "Ukraina").
    const expected = ['en-1', 'sv-1', 'sv-2', 'tr-1'];
    const storedTitles = cycles[0]!.stored.filter((m) => m.source === 'Nordic Desk').map((m) => m.title);
    const byTitle = new Map([...NORDIC.matchAll(/<guid[^>]*>([^<]+)<\/guid><title>([^<]+)<\/title><description>([^<]*)</g)].map((m) => [m[2]!, { guid: m[1]!, summary: m[3]! }]));
    expect(storedTitles.map((title) => byTitle.get(title)!.guid).sort()).toEqual(expected);
    for (const [title, { guid, summary }] of byTitle) {
      expect(classifier.classify({ title, summary }).labels.length > 0, guid).toBe(expected.includes(guid));
    }
    expect(feedReport(0, 'Nordic Desk')).toMatchObject({ matches: 4, stored: 4 });
  });

  it('show in /feeds as the last fetch and the running total, read with one Query', () => {
    expect(feedHealth(0, 'Nordic Desk').languageNotCovered).toEqual({ lastFetch: { sv: 3, tr: 1 }, total: { sv: 3, tr: 1 } });
    expect(feedHealth(0, 'English Desk').languageNotCovered).toEqual({ lastFetch: {}, total: {} });
    expect(commands.filter((c) => c === 'QueryCommand')).toHaveLength(1);
    expect(commands).not.toContain('ScanCommand');
  });

  it('count only new entries: a later fetch adds its own to the total', () => {
    expect(feedReport(1, 'Nordic Desk')).toMatchObject({ outcome: 'fetched', newEntries: 1, languageNotCovered: { sv: 1 } });
    expect(feedHealth(1, 'Nordic Desk').languageNotCovered).toEqual({ lastFetch: { sv: 1 }, total: { sv: 4, tr: 1 } });
  });

  it('stay in /feeds through a 304, which counts nothing new', () => {
    expect(feedReport(2, 'Nordic Desk')).toMatchObject({ outcome: 'not-modified', languageNotCovered: {} });
    expect(feedHealth(2, 'Nordic Desk').languageNotCovered).toEqual({ lastFetch: { sv: 1 }, total: { sv: 4, tr: 1 } });
  });
});
