import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { createHandler } from '#functions/query.ts';
import { defaultTopicPack } from '#shared/classify/topic-pack.ts';
import type { Match } from '#shared/model.ts';
import { createDynamoQueryService } from '#shared/query/create.ts';
import { ensureTable } from '#shared/store/create-table.ts';
import { createDocumentClient } from '#shared/store/dynamo-client.ts';
import { toMatchRow } from '#shared/store/match-row.ts';
import { KEY, MATCH_SK, MATCHES_PARTITION, ROW, ROW_TYPE_ATTRIBUTE, matchPk, timeSortKey, topicPk } from '#shared/store/table-design.ts';
import { CapacityMeter } from '../lib/capacity.ts';
import type { DevExample } from '../lib/feeds.ts';
import { median, percentile, prng } from '../lib/stats.ts';

/**
 * `GET /updates?topic=…&limit=50` through the query API's handler (`createHandler` with the
 * DynamoDB query service: the code path the Lambda runs), against a Scan-and-filter over the
 * same table, at two table sizes.
 *
 * The table grows the way a deployment's does: matches arrive at a steady rate (`perDay`), so a
 * bigger table holds a longer history, not a denser one. The newest `small` matches are seeded
 * first and measured; then the older ones are added and the same requests measured again.
 * Rows are batch-written directly in the store's row shape (match row + one row per topic).
 */

export interface LatencyStats {
  runs: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
  readUnitsPerRequest: number;
  items: number;
}

export interface QuerySize {
  matches: number;
  rows: number;
  seedMs: number;
  api: LatencyStats;
  /** The same request with `duplicates=include`: no near-duplicate lookup (for diagnosis). */
  apiNoCollapse: LatencyStats;
  scan: LatencyStats;
}

export interface QueryResult {
  topic: string;
  perDay: number;
  sizes: QuerySize[];
}

const TABLE = 'bench-query';
const TOPIC = 'ukraine-fund';
const SOURCES = ['Reuters', 'AP', 'Kyiv Independent', 'DW', 'Le Monde', 'Politico Europe', 'Defense News', 'tagesschau.de'];

export function makeMatches(dev: readonly DevExample[], from: number, count: number, options: { newestMs: number; perDay: number; seed: number }): Match[] {
  const relevant = dev.filter((d) => d.labels.length > 0);
  const rand = prng(options.seed + from);
  const stepMs = 86_400_000 / options.perDay;
  const out: Match[] = [];
  for (let i = from; i < from + count; i++) {
    const d = relevant[Math.floor(rand() * relevant.length)]!;
    const ms = Math.round(options.newestMs - i * stepMs - rand() * stepMs);
    const publishedAt = new Date(ms).toISOString();
    const score = Math.round((0.4 + rand() * 0.6) * 1000) / 1000;
    const id = `b${i.toString(36).padStart(6, '0')}${Math.floor(rand() * 36 ** 6).toString(36).padStart(6, '0')}`;
    const match: Match = {
      id,
      title: d.title,
      summary: d.summary.replace(/<[^>]+>/g, ''),
      link: `https://news.example.com/${i}`,
      source: SOURCES[i % SOURCES.length]!,
      feedUrl: `https://news.example.com/feed${i % 40}.xml`,
      publishedAt,
      fetchedAt: publishedAt,
      storedAt: publishedAt,
      ...(d.lang ? { lang: d.lang } : {}),
      categories: ['World'],
      topics: [...d.labels].sort(),
      score,
      scores: Object.fromEntries(d.labels.map((t) => [t, score])),
      evidence: Object.fromEntries(d.labels.map((t) => [t, [`rule:${t}`, d.title.split(' ').slice(0, 3).join(' ')]])),
    };
    // About a quarter are near-duplicates of a report published shortly before (older = higher i).
    if (rand() < 0.25 && out.length > 3) match.duplicateOf = out[out.length - 1 - Math.floor(rand() * 3)]!.id;
    out.push(match);
  }
  return out;
}

function rowsOf(match: Match): Record<string, unknown>[] {
  const row = toMatchRow(match, Math.floor(Date.parse(match.publishedAt) / 1000) + 365 * 86_400);
  return [
    { ...row, [KEY.pk]: matchPk(match.id), [KEY.sk]: MATCH_SK, [KEY.gsi1pk]: MATCHES_PARTITION, [KEY.gsi1sk]: timeSortKey(match.publishedAt, match.id), [ROW_TYPE_ATTRIBUTE]: ROW.match },
    ...match.topics.map((topic) => ({ ...row, [KEY.pk]: topicPk(topic), [KEY.sk]: timeSortKey(match.publishedAt, match.id), [ROW_TYPE_ATTRIBUTE]: ROW.topicEntry })),
  ];
}

async function seed(doc: DynamoDBDocumentClient, matches: readonly Match[], parallel: number): Promise<number> {
  const rows = matches.flatMap(rowsOf);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const start = next;
      next += 25;
      if (start >= rows.length) return;
      let pending = rows.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
        const result = await doc.send(new BatchWriteCommand({ RequestItems: { [TABLE]: pending } }));
        pending = (result.UnprocessedItems?.[TABLE] ?? []) as typeof pending;
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return rows.length;
}

function apiEvent(rawQueryString: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/updates',
    rawQueryString,
    headers: { host: 'api.example.test', 'x-forwarded-proto': 'https' },
    queryStringParameters: Object.fromEntries(new URLSearchParams(rawQueryString)),
    requestContext: {
      accountId: '123456789012',
      apiId: 'bench',
      domainName: 'api.example.test',
      domainPrefix: 'api',
      http: { method: 'GET', path: '/updates', protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'bench' },
      requestId: 'bench',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2025:00:00:00 +0000',
      timeEpoch: 0,
    },
    isBase64Encoded: false,
  };
}

const context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'query',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:query',
  memoryLimitInMB: '512',
  awsRequestId: 'bench',
  logGroupName: 'g',
  logStreamName: 's',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} satisfies Context;

async function scanNewest(doc: DynamoDBDocumentClient, topic: string, limit: number): Promise<number> {
  const found: { publishedAt: string }[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({
        TableName: TABLE,
        FilterExpression: '#type = :match AND contains(#topics, :topic)',
        ExpressionAttributeNames: { '#type': ROW_TYPE_ATTRIBUTE, '#topics': 'topics' },
        ExpressionAttributeValues: { ':match': ROW.match, ':topic': topic },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) found.push(item as { publishedAt: string });
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  found.sort((a, b) => (a.publishedAt < b.publishedAt ? 1 : -1));
  return found.slice(0, limit).length;
}

async function time(runs: number, warmup: number, meter: CapacityMeter, call: () => Promise<number>): Promise<LatencyStats> {
  for (let i = 0; i < warmup; i++) await call();
  meter.reset();
  const samples: number[] = [];
  let items = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    items = await call();
    samples.push(performance.now() - started);
  }
  return {
    runs,
    p50: median(samples),
    p99: percentile(samples, 99),
    mean: samples.reduce((a, b) => a + b, 0) / runs,
    max: Math.max(...samples),
    readUnitsPerRequest: meter.snapshot().readUnits / runs,
    items,
  };
}

export async function runQueryScenario(
  endpoint: string,
  raw: DynamoDBClient,
  dev: readonly DevExample[],
  options: { sizes: readonly number[]; perDay: number; apiRuns: number; scanRuns: (matches: number) => number },
  log: (line: string) => void,
): Promise<QueryResult> {
  await ensureTable(raw, TABLE);
  const doc = createDocumentClient({ endpoint });
  const meter = new CapacityMeter().attach(doc);
  const pack = defaultTopicPack();
  const service = createDynamoQueryService({ client: doc, tableName: TABLE, topicPack: pack });
  const handler = createHandler({ service, logger: new Logger({ serviceName: 'bench', logLevel: 'SILENT' }) });
  const request = async (query: string) => {
    const response = (await handler(apiEvent(query), context)) as { statusCode: number; body: string };
    if (response.statusCode !== 200) throw new Error(`GET /updates?${query} answered ${response.statusCode}: ${response.body.slice(0, 300)}`);
    return (JSON.parse(response.body) as { items: unknown[] }).items.length;
  };
  const newestMs = Date.parse('2025-06-30T12:00:00Z');
  const sizes: QuerySize[] = [];
  let seeded = 0;
  let rows = 0;
  for (const size of [...options.sizes].sort((a, b) => a - b)) {
    const seedStarted = performance.now();
    log(`  seeding matches ${seeded}..${size} (${options.perDay}/day, newest first)`);
    const matches = makeMatches(dev, seeded, size - seeded, { newestMs, perDay: options.perDay, seed: 100 });
    rows += await seed(doc, matches, 12);
    seeded = size;
    const seedMs = performance.now() - seedStarted;
    const scanRuns = options.scanRuns(size);
    log(`  ${size} matches (${rows} rows): ${options.apiRuns} API requests ×2, ${scanRuns} full scans`);
    const api = await time(options.apiRuns, 20, meter, () => request(`topic=${TOPIC}&limit=50`));
    const apiNoCollapse = await time(options.apiRuns, 10, meter, () => request(`topic=${TOPIC}&limit=50&duplicates=include`));
    const scan = await time(scanRuns, size > 20_000 ? 0 : 1, meter, () => scanNewest(doc, TOPIC, 50));
    sizes.push({ matches: size, rows, seedMs, api, apiNoCollapse, scan });
  }
  doc.destroy();
  return { topic: TOPIC, perDay: options.perDay, sizes };
}
