import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createHandler } from '#functions/query.ts';
import { defaultTopicPack } from '#shared/classify/topic-pack.ts';
import { createDynamoQueryService } from '#shared/query/create.ts';
import { ensureTable } from '#shared/store/create-table.ts';
import { createDocumentClient } from '#shared/store/dynamo-client.ts';
import { ROW, ROW_TYPE_ATTRIBUTE } from '#shared/store/table-design.ts';
import { CapacityMeter } from '../lib/capacity.ts';
import type { DevExample } from '../lib/feeds.ts';
import { median, percentile } from '../lib/stats.ts';
import { duplicateCounts, makeMatches, rowsOf } from '../lib/seed-matches.ts';
import { localLambdaContext } from '#cli/local-lambda-context.ts';


/**
 * `GET /updates?topic=…&limit=50` through the query API's handler (`createHandler` with the
 * DynamoDB query service: the code path the Lambda runs), against a Scan-and-filter over the
 * same table, at two table sizes.
 *
 * The table grows the way a deployment's does: matches arrive at a steady rate (`perDay`), so a
 * bigger table holds a longer history, not a denser one. The newest `small` matches are seeded
 * first and measured; then the older ones are added and the same requests measured again.
 * Rows are batch-written directly in the store's row shape (match row + one row per topic,
 * `duplicateCount` on first reports with duplicates).
 *
 * Run it on a DynamoDB Local of its own (run.ts starts a fresh one): writes into a table while
 * another table of the same DynamoDB Local holds tens of thousands of rows ran at ≈ 150 rows/s
 * instead of ≈ 3,000–5,000 (measured on this 2-core machine).
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
  /** BatchWrite of this size's new rows (the rows themselves are built once, before). */
  seedMs: number;
  api: LatencyStats;
  /** The same request with `duplicates=include`: no near-duplicate lookup (for diagnosis). */
  apiNoCollapse: LatencyStats;
  scan: LatencyStats;
}

export interface QueryResult {
  topic: string;
  perDay: number;
  /** The Scan baseline's `TotalSegments`. */
  scanSegments: number;
  firstReportsWithDuplicates: number;
  duplicates: number;
  /** Building every match and row once, before seeding. */
  buildMs: number;
  sizes: QuerySize[];
}

const TABLE = 'bench-query';
const TOPIC = 'ukraine-fund';

/**
 * BatchWrite of prepared rows, `parallel` requests of 25 in flight (DynamoDB Local on 2 cores
 * sustains ≈ 3,000–5,000 rows/s at 12–16 in flight; more in flight gained nothing). Unprocessed
 * items are retried with backoff.
 */
async function seed(doc: DynamoDBDocumentClient, rows: readonly Record<string, unknown>[], parallel: number): Promise<number> {
  const requests = rows.map((Item) => ({ PutRequest: { Item } }));
  let next = 0;
  const worker = async () => {
    for (;;) {
      const start = next;
      next += 25;
      if (start >= requests.length) return;
      let pending = requests.slice(start, start + 25);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
        const result = await doc.send(new BatchWriteCommand({ RequestItems: { [TABLE]: pending } }));
        pending = (result.UnprocessedItems?.[TABLE] ?? []) as typeof pending;
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return requests.length;
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


/**
 * The obvious alternative: Scan the whole table with `rowType = match AND contains(topics, :t)`,
 * sort by time, take the newest `limit`. Run as a parallel Scan (`TotalSegments`, one loop of
 * pages per segment, as the DynamoDB docs suggest for big tables): still every row read once and
 * filtered. A single-segment Scan in DynamoDB Local costs O(table) per 1 MB page (measured:
 * 0.4 s a page at 24k rows, 1.8 s at 98k), so at 100k matches it took 13 minutes; segments
 * keep each page's cost to its segment.
 */
async function scanNewest(doc: DynamoDBDocumentClient, topic: string, limit: number, segments: number): Promise<number> {
  const found: { publishedAt: string }[] = [];
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(
          new ScanCommand({
            TableName: TABLE,
            FilterExpression: '#type = :match AND contains(#topics, :topic)',
            ExpressionAttributeNames: { '#type': ROW_TYPE_ATTRIBUTE, '#topics': 'topics' },
            ExpressionAttributeValues: { ':match': ROW.match, ':topic': topic },
            ExclusiveStartKey: startKey,
            ...(segments > 1 ? { Segment: segment, TotalSegments: segments } : {}),
          }),
        );
        for (const item of page.Items ?? []) found.push(item as { publishedAt: string });
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }),
  );
  found.sort((a, b) => (a.publishedAt < b.publishedAt ? 1 : -1));
  return found.slice(0, limit).length;
}

/**
 * Untimed requests before each timed series. DynamoDB Local's JVM compiles its query path only
 * after a few hundred requests (20 left a tail of 15–30 ms requests in the first series after
 * seeding, measured here); DynamoDB itself has no such warm-up, and a warm query Lambda has
 * answered requests before.
 */
const WARM_UP_REQUESTS = 200;

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
  options: { sizes: readonly number[]; perDay: number; apiRuns: number; scanRuns: number; scanSegments: number; seedParallel: number },
  log: (line: string) => void,
): Promise<QueryResult> {
  await ensureTable(raw, TABLE);
  const doc = createDocumentClient({ endpoint });
  const meter = new CapacityMeter().attach(doc);
  const pack = defaultTopicPack();
  const service = createDynamoQueryService({ client: doc, tableName: TABLE, topicPack: pack });
  const handler = createHandler({ service, logger: new Logger({ serviceName: 'bench', logLevel: 'SILENT' }) });
  const request = async (query: string) => {
    const response = (await handler(apiEvent(query), localLambdaContext('query'))) as { statusCode: number; body: string };
    if (response.statusCode !== 200) throw new Error(`GET /updates?${query} answered ${response.statusCode}: ${response.body.slice(0, 300)}`);
    return (JSON.parse(response.body) as { items: unknown[] }).items.length;
  };
  const newestMs = Date.parse('2025-06-30T12:00:00Z');
  const sizes = [...options.sizes].sort((a, b) => a - b);
  // Every match and row is built once, up front; each size seeds the next slice (newest first).
  const built = performance.now();
  const all = makeMatches(dev, sizes[sizes.length - 1]!, { newestMs, perDay: options.perDay, seed: 100, boundaries: sizes });
  const counts = duplicateCounts(all);
  const duplicates = all.filter((m) => m.duplicateOf).length;
  const buildMs = performance.now() - built;
  const out: QuerySize[] = [];
  let seeded = 0;
  let rows = 0;
  for (const size of sizes) {
    const seedStarted = performance.now();
    // Rows are built per slice and dropped once written: the timed requests share this process's
    // heap, and a quarter of a million seed rows kept alive made its garbage collections slower.
    const slice = all.slice(seeded, size).flatMap((m) => rowsOf(m, counts.get(m.id) ?? 0));
    log(`  seeding matches ${seeded}..${size}: ${slice.length} rows, ${options.seedParallel} BatchWrites in flight`);
    rows += await seed(doc, slice, options.seedParallel);
    seeded = size;
    const seedMs = performance.now() - seedStarted;
    log(`  ${size} matches (${rows} rows, seeded at ${Math.round(slice.length / (seedMs / 1000))} rows/s): ${options.apiRuns} API requests ×2, ${options.scanRuns} parallel Scans (${options.scanSegments} segments)`);
    const api = await time(options.apiRuns, WARM_UP_REQUESTS, meter, () => request(`topic=${TOPIC}&limit=50`));
    const apiNoCollapse = await time(options.apiRuns, WARM_UP_REQUESTS, meter, () => request(`topic=${TOPIC}&limit=50&duplicates=include`));
    const scan = await time(options.scanRuns, 0, meter, () => scanNewest(doc, TOPIC, 50, options.scanSegments));
    out.push({ matches: size, rows, seedMs, api, apiNoCollapse, scan });
  }
  doc.destroy();
  return { topic: TOPIC, perDay: options.perDay, scanSegments: options.scanSegments, firstReportsWithDuplicates: counts.size, duplicates, buildMs, sizes: out };
}
