import {
  BatchExecuteStatementCommand,
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { FeedState, Match } from '#shared/model.ts';
import type { MatchStore } from './ports.ts';
import {
  FEED_SK,
  FEEDS_PARTITION,
  FEED_REGISTRY_SK,
  GSI1,
  KEY,
  MATCH_SK,
  MATCHES_PARTITION,
  ROW,
  ROW_TYPE_ATTRIBUTE,
  TTL_ATTRIBUTE,
  DUPLICATE_COUNT_ATTRIBUTE,
  feedPk,
  feedRegistrySk,
  matchPk,
  timeSortKey,
  topicPk,
} from './table-design.ts';
import { fromMatchRow, toMatchRow } from './match-row.ts';
import { itemSize, WRITE_UNIT_BYTES } from './item-size.ts';
import { fitMatch } from './fit-match.ts';
import { createGroupCommit, type GroupCommit } from './group-commit.ts';

export interface DynamoStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Matches expire this many days after publication (DynamoDB TTL). */
  retentionDays?: number;
  /** Batch requests of each kind out at once; more writes wait and share the next ones (default 8). */
  maxBatchesInFlight?: number;
}

type PutRequest = { PutRequest: { Item: Record<string, unknown> } };

const BATCH_WRITE_MAX = 25;
const BATCH_GET_MAX = 100;
const BATCH_STATEMENT_MAX = 25;
/** Room left in every row for the duplicate counter that a later update adds. */
const ROW_BUDGET_BYTES = WRITE_UNIT_BYTES - 32;
/** Per-statement errors of BatchExecuteStatement that a retry can clear. */
const RETRYABLE_STATEMENT_ERRORS = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded', 'InternalServerError', 'TransactionConflict']);

export class DynamoStore implements MatchStore {
  readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;
  private readonly retentionSeconds: number;
  /** Match INSERTs and plain puts (topic rows, feed states) of concurrent callers, grouped into shared requests. */
  private readonly inserts: GroupCommit<Match, 'created' | 'exists'>;
  private readonly puts: GroupCommit<PutRequest, void>;

  constructor(options: DynamoStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.retentionSeconds = (options.retentionDays ?? 365) * 86_400;
    // 8 of each kind keep DynamoDB busy while the cycle's 32 fetch slots deliver; 4 left it
    // idle at times with writes waiting (docs/benchmark.md).
    const maxInFlight = options.maxBatchesInFlight ?? 8;
    this.inserts = createGroupCommit({ maxItems: BATCH_STATEMENT_MAX, maxInFlight, send: (matches) => this.insertMatchRows(matches) });
    this.puts = createGroupCommit({
      maxItems: BATCH_WRITE_MAX,
      maxInFlight,
      send: async (requests) => {
        await this.batchWrite(requests);
        return requests.map(() => undefined);
      },
    });
  }

  private expiresAt(match: Match): number {
    return Math.floor(Date.parse(match.publishedAt) / 1000) + this.retentionSeconds;
  }

  /**
   * The match as this store keeps it. DynamoDB bills every row, `gsi1` copy and topic row by the
   * started KB, and a full summary would make many rows two units each: the text is clipped so
   * the largest of its rows fits one where that leaves it readable (see `fitMatch`).
   */
  storedForm(match: Match): Match {
    // Every row carries the same attributes and differs only in its keys, so those are sized apart.
    const largestRow = (m: Match) =>
      itemSize(toMatchRow(m, this.expiresAt(m))) +
      Math.max(itemSize(this.matchKeys(m)), ...m.topics.map((topic) => itemSize(this.topicKeys(m, topic))));
    return fitMatch(match, largestRow, ROW_BUDGET_BYTES);
  }

  async putMatch(match: Match): Promise<'created' | 'exists'> {
    return (await this.putMatches([match])).get(match.id) ?? 'exists';
  }

  /**
   * Writes each match once, never overwriting: PartiQL INSERT fails on an existing key, like a
   * PutItem with `attribute_not_exists`, at the same write units, but 25 to a request (shared
   * with other feeds' matches when they wait together), so a feed's new matches cost one round
   * trip or less instead of one each.
   */
  async putMatches(matches: Match[]): Promise<Map<string, 'created' | 'exists'>> {
    const outcome = new Map<string, 'created' | 'exists'>();
    const unique = [...new Map(matches.map((m) => [m.id, this.storedForm(m)])).values()];
    const results = await this.inserts(unique);
    unique.forEach((match, i) => outcome.set(match.id, results[i]!));
    const created = unique.filter((m) => outcome.get(m.id) === 'created');
    await this.puts(created.flatMap((m) => m.topics.map((topic) => ({ PutRequest: { Item: this.topicRow(m, topic) } }))));
    // Stored before, maybe by a cycle that died before its topic rows: complete them from the
    // stored copy, which stays the one truth.
    for (const match of unique) {
      if (outcome.get(match.id) !== 'exists') continue;
      const stored = await this.getMatch(match.id);
      if (stored) await this.putMissingTopicRows(stored);
    }
    return outcome;
  }

  private async insertMatchRows(matches: Match[]): Promise<('created' | 'exists')[]> {
    const results: ('created' | 'exists' | undefined)[] = matches.map(() => undefined);
    let pending = matches.map((_, i) => i);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await backoff(attempt);
      if (attempt > 8) throw new Error(`DynamoDB did not take ${pending.length} match writes after ${attempt} attempts`);
      const response = await this.client.send(
        new BatchExecuteStatementCommand({ Statements: pending.map((i) => this.insertStatement(matches[i]!)) }),
      );
      const retry: number[] = [];
      pending.forEach((i, j) => {
        const error = response.Responses?.[j]?.Error;
        if (!error) results[i] = 'created';
        else if (error.Code === 'DuplicateItem' || error.Code === 'ConditionalCheckFailed') results[i] = 'exists';
        else if (RETRYABLE_STATEMENT_ERRORS.has(error.Code ?? '')) retry.push(i);
        else throw new Error(`writing match ${matches[i]!.id} failed: ${error.Code}: ${error.Message}`);
      });
      pending = retry;
    }
    return results as ('created' | 'exists')[];
  }

  private matchKeys(match: Match): Record<string, unknown> {
    return {
      [KEY.pk]: matchPk(match.id),
      [KEY.sk]: MATCH_SK,
      [KEY.gsi1pk]: MATCHES_PARTITION,
      [KEY.gsi1sk]: timeSortKey(match.publishedAt, match.id),
      [ROW_TYPE_ATTRIBUTE]: ROW.match,
    };
  }

  private matchItem(match: Match): Record<string, unknown> {
    return { ...toMatchRow(match, this.expiresAt(match)), ...this.matchKeys(match) };
  }

  private insertStatement(match: Match): { Statement: string; Parameters: unknown[] } {
    const item = this.matchItem(match);
    const names = Object.keys(item).filter((name) => item[name] !== undefined);
    // Attribute names come from toMatchRow, never from feed data, so they are safe to inline.
    const fields = names.map((name) => `'${name}': ?`).join(', ');
    return { Statement: `INSERT INTO "${this.tableName}" VALUE {${fields}}`, Parameters: names.map((name) => item[name]) };
  }

  /**
   * A near-duplicate was stored: the first report's rows count it, so a listing shows
   * "+N similar" without reading the duplicates. A crash between the two writes leaves the
   * count one short, never wrong the other way.
   */
  async countDuplicate(firstReportId: string, by = 1, known?: Match): Promise<void> {
    const first = known?.id === firstReportId ? known : await this.getMatch(firstReportId);
    if (!first) return;
    const keys = [
      { [KEY.pk]: matchPk(first.id), [KEY.sk]: MATCH_SK },
      ...first.topics.map((topic) => ({ [KEY.pk]: topicPk(topic), [KEY.sk]: timeSortKey(first.publishedAt, first.id) })),
    ];
    // The rows are independent copies: counted at once, not one after another.
    await Promise.all(
      keys.map(async (key) => {
        try {
          await this.client.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: key,
              UpdateExpression: 'ADD #count :by',
              ConditionExpression: 'attribute_exists(#pk)',
              ExpressionAttributeNames: { '#count': DUPLICATE_COUNT_ATTRIBUTE, '#pk': KEY.pk },
              ExpressionAttributeValues: { ':by': by },
            }),
          );
        } catch (err) {
          // A topic row expired or never written: nothing to count on.
          if (!(err instanceof ConditionalCheckFailedException)) throw err;
        }
      }),
    );
  }

  /**
   * The count of a first report stored in the running cycle, written by putting its rows again:
   * the same attributes as `putMatches` wrote (the same stored form), plus the count. They go in
   * shared batch requests with the cycle's other puts, where an update per row costs a request
   * each: about 0.7 ms of the poll function's CPU per update, under 0.1 ms per row in a batch
   * (measured on DynamoDB Local). Units are the same, one per row and index copy either way. The
   * match row's stream record is a MODIFY, which alerts ignore. Only for rows this process wrote
   * in this cycle: any other first report is counted with `countDuplicate`, which never replaces
   * a row.
   */
  async setDuplicateCount(first: Match, total: number): Promise<void> {
    const stored = this.storedForm(first);
    const rows = [this.matchItem(stored), ...stored.topics.map((topic) => this.topicRow(stored, topic))];
    await this.puts(rows.map((row) => ({ PutRequest: { Item: { ...row, [DUPLICATE_COUNT_ATTRIBUTE]: total } } })));
  }

  private topicKeys(match: Match, topic: string): Record<string, unknown> {
    return { [KEY.pk]: topicPk(topic), [KEY.sk]: timeSortKey(match.publishedAt, match.id), [ROW_TYPE_ATTRIBUTE]: ROW.topicEntry };
  }

  private topicRow(match: Match, topic: string): Record<string, unknown> {
    return { ...toMatchRow(match, this.expiresAt(match)), ...this.topicKeys(match, topic) };
  }

  private async putMissingTopicRows(match: Match): Promise<void> {
    for (const topic of match.topics) {
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: this.topicRow(match, topic),
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': KEY.pk },
          }),
        );
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
    }
  }

  private async batchWrite(requests: PutRequest[]): Promise<void> {
    let pending = requests;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await backoff(attempt);
      if (attempt > 8) throw new Error(`DynamoDB left ${pending.length} writes unprocessed after ${attempt} attempts`);
      const result = await this.client.send(
        new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }),
      );
      pending = (result.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
    }
  }

  async getMatch(id: string): Promise<Match | undefined> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [KEY.pk]: matchPk(id), [KEY.sk]: MATCH_SK },
        ConsistentRead: true,
      }),
    );
    return result.Item ? fromMatchRow(result.Item) : undefined;
  }

  async recentMatches(sinceIso: string, limit: number): Promise<Match[]> {
    const matches: Match[] = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: GSI1,
          KeyConditionExpression: '#pk = :pk AND #sk >= :since',
          ExpressionAttributeNames: { '#pk': KEY.gsi1pk, '#sk': KEY.gsi1sk },
          ExpressionAttributeValues: { ':pk': MATCHES_PARTITION, ':since': sinceIso },
          ScanIndexForward: false,
          Limit: Math.min(limit - matches.length, 500),
          ExclusiveStartKey: cursor,
        }),
      );
      for (const item of page.Items ?? []) matches.push(fromMatchRow(item));
      cursor = page.LastEvaluatedKey;
    } while (cursor && matches.length < limit);
    return matches;
  }

  async getFeedStates(urls: string[]): Promise<Map<string, FeedState>> {
    const states = new Map<string, FeedState>();
    const unique = [...new Set(urls)];
    for (let i = 0; i < unique.length; i += BATCH_GET_MAX) {
      let keys: Record<string, unknown>[] = unique
        .slice(i, i + BATCH_GET_MAX)
        .map((url) => ({ [KEY.pk]: feedPk(url), [KEY.sk]: FEED_SK }));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt > 0) await backoff(attempt);
        if (attempt > 8) throw new Error(`DynamoDB left ${keys.length} feed states unread after ${attempt} attempts`);
        const result = await this.client.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) {
          const state = item.state as FeedState | undefined;
          if (state) states.set(state.url, state);
        }
        keys = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    return states;
  }

  async saveFeedState(state: FeedState): Promise<void> {
    await this.puts([{ PutRequest: { Item: { [KEY.pk]: feedPk(state.url), [KEY.sk]: FEED_SK, [ROW_TYPE_ATTRIBUTE]: ROW.feed, state } } }]);
  }

  /**
   * Feed rows stay out of the index (an index copy would double every state write's cost); the
   * registry rows list their URLs instead: one update per registry row that gains a feed, however
   * many feeds are new.
   */
  async registerFeeds(urls: string[]): Promise<void> {
    const byRow = new Map<string, Set<string>>();
    for (const url of urls) {
      const sk = feedRegistrySk(url);
      byRow.set(sk, (byRow.get(sk) ?? new Set()).add(url));
    }
    await Promise.all(
      [...byRow].map(([sk, rowUrls]) =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { [KEY.pk]: FEEDS_PARTITION, [KEY.sk]: sk },
            UpdateExpression: 'ADD #urls :urls SET #type = :type',
            ExpressionAttributeNames: { '#urls': 'urls', '#type': ROW_TYPE_ATTRIBUTE },
            ExpressionAttributeValues: { ':urls': rowUrls, ':type': ROW.feedRegistry },
          }),
        ),
      ),
    );
  }

  /** Every feed ever polled: the registry rows' URLs (one Query), then their states in batches. */
  async listFeedStates(): Promise<FeedState[]> {
    const urls = new Set<string>();
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :registry)',
          ExpressionAttributeNames: { '#pk': KEY.pk, '#sk': KEY.sk },
          ExpressionAttributeValues: { ':pk': FEEDS_PARTITION, ':registry': FEED_REGISTRY_SK },
          ExclusiveStartKey: cursor,
        }),
      );
      for (const row of page.Items ?? []) if (row.urls instanceof Set) for (const url of row.urls as Set<string>) urls.add(url);
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    const states = await this.getFeedStates([...urls]);
    return [...urls].map((url) => states.get(url)).filter((s): s is FeedState => s !== undefined);
  }
}

/** Full-jitter exponential backoff for the unprocessed parts of batch calls. */
function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(2000, 50 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

export { TTL_ATTRIBUTE };
