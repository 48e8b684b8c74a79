import { randomBytes } from 'node:crypto';
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
import type { FirstReportRef, MatchStore, StoryClaim, StoryLogSlot } from './ports.ts';
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
  STORIES_PARTITION,
  STORY_CLAIM_SK,
  feedPk,
  seqOfStoryClaimSk,
  storyClaimSk,
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
  /** How long a duplicate count waits for a first report's rows that another writer is storing (default 8 s). */
  countWaitMs?: number;
}

type PutRequest = { PutRequest: { Item: Record<string, unknown> } };

const BATCH_WRITE_MAX = 25;
const BATCH_GET_MAX = 100;
const BATCH_STATEMENT_MAX = 25;
/** Room left in every row for the duplicate counter that a later update adds, and the match row's write id. */
const ROW_BUDGET_BYTES = WRITE_UNIT_BYTES - 48;
/**
 * On the match row: a token of the `putMatches` call that created it. An INSERT sent again (the
 * SDK retrying a request whose answer was lost, a shared request re-sent group by group) finds
 * its own earlier write and answers "exists"; the token tells that apart from another writer's.
 */
const WRITE_ID_ATTRIBUTE = 'writeId';
type Insert = { match: Match; writeId: string };
/** Per-statement errors of BatchExecuteStatement that a retry can clear. */
const RETRYABLE_STATEMENT_ERRORS = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded', 'InternalServerError', 'TransactionConflict']);
/** A claim outlives the window in which another poller could still be storing its first report. */
const STORY_CLAIM_TTL_SECONDS = 2 * 86_400;

/** A count on a first report found rows missing and gave up waiting for them. */
export class CountRowsMissingError extends Error {
  constructor(firstReportId: string, missing: number) {
    super(`${missing} row(s) of first report ${firstReportId} were not there to count on`);
    this.name = 'CountRowsMissingError';
  }
}

export class DynamoStore implements MatchStore {
  readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;
  private readonly retentionSeconds: number;
  /** Match INSERTs and plain puts (topic rows, feed states) of concurrent callers, grouped into shared requests. */
  private readonly inserts: GroupCommit<Insert, 'created' | 'exists'>;
  private readonly puts: GroupCommit<PutRequest, void>;
  private readonly countWaitMs: number;

  constructor(options: DynamoStoreOptions) {
    this.client = options.client;
    this.countWaitMs = options.countWaitMs ?? 8_000;
    this.tableName = options.tableName;
    this.retentionSeconds = (options.retentionDays ?? 365) * 86_400;
    // 8 of each kind keep DynamoDB busy while the cycle's 32 fetch slots deliver; 4 left it
    // idle at times with writes waiting (docs/benchmark.md).
    const maxInFlight = options.maxBatchesInFlight ?? 8;
    this.inserts = createGroupCommit({ maxItems: BATCH_STATEMENT_MAX, maxInFlight, send: (inserts) => this.insertMatchRows(inserts) });
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
    const writeId = randomBytes(6).toString('base64url');
    const results = await this.inserts(unique.map((match) => ({ match, writeId })));
    unique.forEach((match, i) => outcome.set(match.id, results[i]!));
    const created = unique.filter((m) => outcome.get(m.id) === 'created');
    await this.puts(created.flatMap((m) => m.topics.map((topic) => ({ PutRequest: { Item: this.topicRow(m, topic) } }))));
    // Stored before, maybe by a cycle that died before its topic rows, or by this very call in a
    // request whose answer was lost: complete the topic rows from the stored copy, which stays
    // the one truth, and tell our own write from another writer's.
    for (const match of unique) {
      if (outcome.get(match.id) !== 'exists') continue;
      const row = await this.getMatchRow(match.id);
      if (!row) continue;
      if (row[WRITE_ID_ATTRIBUTE] === writeId) outcome.set(match.id, 'created');
      await this.putMissingTopicRows(fromMatchRow(row));
    }
    return outcome;
  }

  private async insertMatchRows(inserts: Insert[]): Promise<('created' | 'exists')[]> {
    const results: ('created' | 'exists' | undefined)[] = inserts.map(() => undefined);
    // Two callers sharing this request may write the same match (one article in two feeds):
    // DynamoDB refuses a request that names a key twice, so only the first goes, and the other
    // finds it there, as it would have a moment later.
    const firstOf = new Map<string, number>();
    inserts.forEach(({ match }, i) => firstOf.has(match.id) || firstOf.set(match.id, i));
    let pending = inserts.map((_, i) => i).filter((i) => firstOf.get(inserts[i]!.match.id) === i);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await backoff(attempt);
      if (attempt > 8) throw new Error(`DynamoDB did not take ${pending.length} match writes after ${attempt} attempts`);
      const response = await this.client.send(
        new BatchExecuteStatementCommand({ Statements: pending.map((i) => this.insertStatement(inserts[i]!)) }),
      );
      const retry: number[] = [];
      pending.forEach((i, j) => {
        const error = response.Responses?.[j]?.Error;
        if (!error) results[i] = 'created';
        else if (error.Code === 'DuplicateItem' || error.Code === 'ConditionalCheckFailed') results[i] = 'exists';
        else if (RETRYABLE_STATEMENT_ERRORS.has(error.Code ?? '')) retry.push(i);
        else throw new Error(`writing match ${inserts[i]!.match.id} failed: ${error.Code}: ${error.Message}`);
      });
      pending = retry;
    }
    return results.map((result) => result ?? 'exists');
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

  private insertStatement({ match, writeId }: Insert): { Statement: string; Parameters: unknown[] } {
    const item: Record<string, unknown> = { ...this.matchItem(match), [WRITE_ID_ATTRIBUTE]: writeId };
    const names = Object.keys(item).filter((name) => item[name] !== undefined);
    // Attribute names come from toMatchRow, never from feed data, so they are safe to inline.
    const fields = names.map((name) => `'${name}': ?`).join(', ');
    return { Statement: `INSERT INTO "${this.tableName}" VALUE {${fields}}`, Parameters: names.map((name) => item[name]) };
  }

  /**
   * A near-duplicate was stored: the first report's rows count it, so a listing shows
   * "+N similar" without reading the duplicates. Always an `ADD`, never a rewrite of the row, so
   * counts from several pollers at once add up exactly. A row can be missing for a moment: the
   * first report was claimed by another writer that is still storing it (or by this one, in a
   * request still out). The update is conditional, so it never creates a stub that would block
   * that write; it is tried again until the row is there or `countWaitMs` has passed. A crash
   * between a duplicate's write and its count leaves the count one short, never wrong the other
   * way.
   */
  async countDuplicate(firstReportId: string, by = 1, known?: FirstReportRef): Promise<void> {
    const deadline = Date.now() + this.countWaitMs;
    let first: FirstReportRef | undefined = known?.id === firstReportId ? known : undefined;
    for (let attempt = 1; !first; attempt++) {
      first = await this.getMatch(firstReportId);
      if (!first && Date.now() >= deadline) throw new CountRowsMissingError(firstReportId, 1);
      if (!first) await backoff(attempt);
    }
    let keys = [
      { [KEY.pk]: matchPk(first.id), [KEY.sk]: MATCH_SK },
      ...first.topics.map((topic) => ({ [KEY.pk]: topicPk(topic), [KEY.sk]: timeSortKey(first.publishedAt, first.id) })),
    ];
    for (let attempt = 1; keys.length > 0; attempt++) {
      // The rows are independent copies: counted at once, not one after another.
      const missing = await Promise.all(keys.map((key) => this.addToCount(key, by)));
      keys = keys.filter((_, i) => missing[i]);
      if (keys.length === 0) return;
      if (Date.now() >= deadline) throw new CountRowsMissingError(first.id, keys.length);
      await backoff(attempt);
    }
  }

  /** True when the row is not there (yet). */
  private async addToCount(key: Record<string, unknown>, by: number): Promise<boolean> {
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
      return false;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return true;
      throw err;
    }
  }

  async readStoryClaims(options: { claimedSince: string } | { afterSeq: number }): Promise<StoryLogSlot[]> {
    const slots: StoryLogSlot[] = [];
    let cursor: Record<string, unknown> | undefined;
    // Newest first when reading back to a time, so the read stops at the first slot older than it.
    const byTime = 'claimedSince' in options;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: byTime ? '#pk = :pk AND begins_with(#sk, :claim)' : '#pk = :pk AND #sk > :after',
          ExpressionAttributeNames: { '#pk': KEY.pk, '#sk': KEY.sk },
          ExpressionAttributeValues: byTime
            ? { ':pk': STORIES_PARTITION, ':claim': `${STORY_CLAIM_SK}#` }
            : { ':pk': STORIES_PARTITION, ':after': storyClaimSk(options.afterSeq) },
          ScanIndexForward: !byTime,
          ConsistentRead: true,
          ExclusiveStartKey: cursor,
        }),
      );
      for (const row of page.Items ?? []) {
        const slot = fromStoryClaimRow(row);
        if (byTime && slot.claimedAt < options.claimedSince) return slots.reverse();
        slots.push(slot);
      }
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    return byTime ? slots.reverse() : slots;
  }

  async appendStoryClaims(slot: StoryLogSlot): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [KEY.pk]: STORIES_PARTITION,
            [KEY.sk]: storyClaimSk(slot.seq),
            [ROW_TYPE_ATTRIBUTE]: ROW.storyClaim,
            claimedAt: slot.claimedAt,
            claims: slot.claims.map(({ id, title, summary, publishedAt, topics }) => ({ id, title, summary, publishedAt, topics })),
            [TTL_ATTRIBUTE]: Math.floor(Date.parse(slot.claimedAt) / 1000) + STORY_CLAIM_TTL_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': KEY.pk },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
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
    const row = await this.getMatchRow(id);
    return row ? fromMatchRow(row) : undefined;
  }

  private async getMatchRow(id: string): Promise<Record<string, unknown> | undefined> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [KEY.pk]: matchPk(id), [KEY.sk]: MATCH_SK },
        ConsistentRead: true,
      }),
    );
    return result.Item;
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

/** Copies only known fields out of a claim row, like `fromMatchRow`. */
function fromStoryClaimRow(row: Record<string, unknown>): StoryLogSlot {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const claims: StoryClaim[] = (Array.isArray(row.claims) ? row.claims : []).map((c: Record<string, unknown>) => ({
    id: text(c?.id),
    title: text(c?.title),
    summary: text(c?.summary),
    publishedAt: text(c?.publishedAt),
    topics: Array.isArray(c?.topics) ? c.topics.filter((t: unknown): t is string => typeof t === 'string') : [],
  }));
  return { seq: seqOfStoryClaimSk(text(row[KEY.sk])), claimedAt: text(row.claimedAt), claims: claims.filter((c) => c.id) };
}

/** Full-jitter exponential backoff for the unprocessed parts of batch calls. */
function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(2000, 50 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

export { TTL_ATTRIBUTE };
