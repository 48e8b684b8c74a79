import Parser from 'rss-parser';
import { CreateTableCommand, ResourceInUseException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The reference: the poll Lambda most tutorials show. For each feed in turn, rss-parser's
 * `parseURL` (no validators, so no 304s), a keyword regex as the "classifier", and an
 * unconditional PutItem for every item on every cycle into a table keyed by the item's id.
 *
 * One concession to the baseline, so it is not a straw man: a feed's items are written in
 * parallel (`Promise.all`), as the better tutorials do, rather than one await at a time.
 */

export const NAIVE_KEYWORDS = /nato|ukraine|fund|aid/i;

export interface NaiveCycleReport {
  feeds: number;
  failedFeeds: number;
  items: number;
  keywordMatches: number;
  writes: number;
  durationMs: number;
}

export async function ensureNaiveTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
}

export async function runNaiveCycle(feedUrls: readonly string[], doc: DynamoDBDocumentClient, tableName: string): Promise<NaiveCycleReport> {
  const started = performance.now();
  const parser = new Parser();
  const report: NaiveCycleReport = { feeds: feedUrls.length, failedFeeds: 0, items: 0, keywordMatches: 0, writes: 0, durationMs: 0 };
  for (const url of feedUrls) {
    let feed: Awaited<ReturnType<typeof parser.parseURL>>;
    try {
      feed = await parser.parseURL(url);
    } catch {
      report.failedFeeds++;
      continue;
    }
    await Promise.all(
      feed.items.map(async (item) => {
        const text = `${item.title ?? ''} ${item.contentSnippet ?? ''}`;
        const matched = NAIVE_KEYWORDS.test(text);
        report.items++;
        if (matched) report.keywordMatches++;
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              id: item.guid ?? item.link ?? item.title ?? `${url}#${report.items}`,
              feed: feed.title ?? url,
              title: item.title,
              link: item.link,
              pubDate: item.pubDate,
              summary: item.contentSnippet,
              matched,
            },
          }),
        );
        report.writes++;
      }),
    );
  }
  report.durationMs = performance.now() - started;
  return report;
}
