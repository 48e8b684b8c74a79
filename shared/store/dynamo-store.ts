import {
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { FeedState, Match } from '#shared/model.ts';
import type { MatchStore } from './ports.ts';
import {
  FEED_SK,
  FEEDS_PARTITION,
  GSI1,
  KEY,
  MATCH_SK,
  MATCHES_PARTITION,
  ROW,
  ROW_TYPE_ATTRIBUTE,
  TTL_ATTRIBUTE,
  feedPk,
  matchPk,
  timeSortKey,
  topicPk,
} from './table-design.ts';
import { fromMatchRow, toMatchRow } from './match-row.ts';

export interface DynamoStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Matches expire this many days after publication (DynamoDB TTL). */
  retentionDays?: number;
}

const BATCH_WRITE_MAX = 25;
const BATCH_GET_MAX = 100;

export class DynamoStore implements MatchStore {
  readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;
  private readonly retentionSeconds: number;

  constructor(options: DynamoStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.retentionSeconds = (options.retentionDays ?? 365) * 86_400;
  }

  private expiresAt(match: Match): number {
    return Math.floor(Date.parse(match.publishedAt) / 1000) + this.retentionSeconds;
  }

  async putMatch(match: Match): Promise<'created' | 'exists'> {
    const row = toMatchRow(match, this.expiresAt(match));
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...row,
            [KEY.pk]: matchPk(match.id),
            [KEY.sk]: MATCH_SK,
            [KEY.gsi1pk]: MATCHES_PARTITION,
            [KEY.gsi1sk]: timeSortKey(match.publishedAt, match.id),
            [ROW_TYPE_ATTRIBUTE]: ROW.match,
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': KEY.pk },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      // Stored before, maybe by a cycle that died before its topic rows: complete them from the
      // stored copy, which stays the one truth.
      const stored = await this.getMatch(match.id);
      if (stored) await this.putTopicRows(stored, true);
      return 'exists';
    }
    await this.putTopicRows(match, false);
    return 'created';
  }

  private topicRow(match: Match, topic: string): Record<string, unknown> {
    return {
      ...toMatchRow(match, this.expiresAt(match)),
      [KEY.pk]: topicPk(topic),
      [KEY.sk]: timeSortKey(match.publishedAt, match.id),
      [ROW_TYPE_ATTRIBUTE]: ROW.topicEntry,
    };
  }

  private async putTopicRows(match: Match, onlyIfMissing: boolean): Promise<void> {
    if (onlyIfMissing) {
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
      return;
    }
    const requests = match.topics.map((topic) => ({ PutRequest: { Item: this.topicRow(match, topic) } }));
    for (let i = 0; i < requests.length; i += BATCH_WRITE_MAX) {
      await this.batchWrite(requests.slice(i, i + BATCH_WRITE_MAX));
    }
  }

  private async batchWrite(requests: { PutRequest: { Item: Record<string, unknown> } }[]): Promise<void> {
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
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          [KEY.pk]: feedPk(state.url),
          [KEY.sk]: FEED_SK,
          [KEY.gsi1pk]: FEEDS_PARTITION,
          [KEY.gsi1sk]: state.url,
          [ROW_TYPE_ATTRIBUTE]: ROW.feed,
          state,
        },
      }),
    );
  }

  /** Every feed state, via the index (for the query API's /feeds). */
  async listFeedStates(): Promise<FeedState[]> {
    const states: FeedState[] = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: GSI1,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': KEY.gsi1pk },
          ExpressionAttributeValues: { ':pk': FEEDS_PARTITION },
          ExclusiveStartKey: cursor,
        }),
      );
      for (const item of page.Items ?? []) if (item.state) states.push(item.state as FeedState);
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    return states;
  }
}

/** Full-jitter exponential backoff for the unprocessed parts of batch calls. */
function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(2000, 50 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

export { TTL_ATTRIBUTE };
