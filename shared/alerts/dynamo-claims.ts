import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AlertMode, TopicId } from '#shared/model.ts';
import { KEY, ROW, ROW_TYPE_ATTRIBUTE, TTL_ATTRIBUTE, alertClaimPk } from '#shared/store/table-design.ts';
import type { AlertClaims } from './ports.ts';

export interface DynamoAlertClaimsOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /**
   * Claims expire (DynamoDB TTL) after this many days. Longer than any stream retry (24 h) and
   * any re-run of an old cycle, so an expired claim can never let an old item alert again; old
   * items are stale by then anyway.
   */
  ttlDays?: number;
  now?: () => Date;
  /** Claim writes in flight at once; a large batch stays quick without bursting the table. */
  concurrency?: number;
}

const PENDING = 'pending';
const SENT = 'sent';

async function forEachBounded<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Claim rows `ALERT#<mode>#<topic>` / `<key>` in the single table, written with conditions. */
export class DynamoAlertClaims implements AlertClaims {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly ttlSeconds: number;
  private readonly now: () => Date;
  private readonly concurrency: number;

  constructor(options: DynamoAlertClaimsOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.ttlSeconds = (options.ttlDays ?? 30) * 86_400;
    this.now = options.now ?? (() => new Date());
    this.concurrency = options.concurrency ?? 8;
  }

  private key(mode: AlertMode, topic: TopicId, key: string) {
    return { [KEY.pk]: alertClaimPk(mode, topic), [KEY.sk]: key };
  }

  async claim(mode: AlertMode, topic: TopicId, keys: string[], owner: string): Promise<string[]> {
    const held = new Set<string>();
    const now = this.now();
    await forEachBounded([...new Set(keys)], this.concurrency, async (key) => {
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...this.key(mode, topic, key),
              [ROW_TYPE_ATTRIBUTE]: ROW.alertClaim,
              status: PENDING,
              owner,
              claimedAt: now.toISOString(),
              [TTL_ATTRIBUTE]: Math.floor(now.getTime() / 1000) + this.ttlSeconds,
            },
            // A pending claim belongs to an attempt that ended without marking it (shards are
            // processed one batch at a time), so it is taken over; a sent one never is.
            ConditionExpression: 'attribute_not_exists(#pk) OR #status = :pending',
            ExpressionAttributeNames: { '#pk': KEY.pk, '#status': 'status' },
            ExpressionAttributeValues: { ':pending': PENDING },
          }),
        );
        held.add(key);
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
    });
    return keys.filter((key) => held.has(key));
  }

  async markSent(mode: AlertMode, topic: TopicId, keys: string[], owner: string): Promise<void> {
    const sentAt = this.now().toISOString();
    await forEachBounded([...new Set(keys)], this.concurrency, async (key) => {
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: this.key(mode, topic, key),
            UpdateExpression: 'SET #status = :sent, sentAt = :at',
            ConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
            ExpressionAttributeValues: { ':sent': SENT, ':at': sentAt, ':owner': owner },
          }),
        );
      } catch (err) {
        // Another attempt took the claim over and owns its outcome now.
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
    });
  }

  async release(mode: AlertMode, topic: TopicId, keys: string[], owner: string): Promise<void> {
    await forEachBounded([...new Set(keys)], this.concurrency, async (key) => {
      try {
        await this.client.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: this.key(mode, topic, key),
            ConditionExpression: '#owner = :owner AND #status = :pending',
            ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
            ExpressionAttributeValues: { ':pending': PENDING, ':owner': owner },
          }),
        );
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
    });
  }
}
