import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { FeedState, Match } from '#shared/model.ts';
import { DynamoStore } from '#shared/store/dynamo-store.ts';
import { fromMatchRow } from '#shared/store/match-row.ts';
import { DUPLICATE_COUNT_ATTRIBUTE, GSI1, KEY, MATCHES_PARTITION, topicPk } from '#shared/store/table-design.ts';
import type { Partition, QueryStore, RangePage, RangeQuery, RangeRow, RowKey } from './ports.ts';

/**
 * The query service's reads on the single table: topic rows for one topic, the `gsi1` MATCHES
 * partition for all of them. Sort keys are `<publishedAt>#<id>`, so a time range is a key
 * condition: `since` itself sorts before every key of that instant, and `<until>$` after every
 * one (`$` follows `#`), which keeps both ends inclusive.
 *
 * Listings read only the page: each first report's duplicate count is an attribute of the row
 * itself (`duplicateCount`, kept by the poll cycle), so no second read is needed for it.
 */
export class DynamoQueryStore implements QueryStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly store: DynamoStore;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.store = new DynamoStore(options);
  }

  private rangeInput(partition: Partition, since: string | undefined, until: string | undefined): QueryCommandInput {
    const topic = partition.kind === 'topic';
    const names: Record<string, string> = { '#pk': topic ? KEY.pk : KEY.gsi1pk };
    const values: Record<string, string> = { ':pk': topic ? topicPk(partition.topic) : MATCHES_PARTITION };
    let condition = '#pk = :pk';
    if (since !== undefined || until !== undefined) {
      names['#sk'] = topic ? KEY.sk : KEY.gsi1sk;
      if (since !== undefined && until !== undefined) {
        condition += ' AND #sk BETWEEN :lo AND :hi';
        values[':lo'] = since;
        values[':hi'] = `${until}$`;
      } else if (since !== undefined) {
        condition += ' AND #sk >= :lo';
        values[':lo'] = since;
      } else {
        condition += ' AND #sk <= :hi';
        values[':hi'] = `${until}$`;
      }
    }
    return {
      TableName: this.tableName,
      ...(topic ? {} : { IndexName: GSI1 }),
      KeyConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }

  async queryRange(query: RangeQuery): Promise<RangePage> {
    const result = await this.client.send(
      new QueryCommand({
        ...this.rangeInput(query.partition, query.since, query.until),
        ScanIndexForward: query.oldestFirst === true,
        Limit: query.pageSize,
        ExclusiveStartKey: query.startKey,
      }),
    );
    const keyNames = query.partition.kind === 'topic' ? [KEY.pk, KEY.sk] : [KEY.pk, KEY.sk, KEY.gsi1pk, KEY.gsi1sk];
    const rows: RangeRow[] = [];
    for (const item of result.Items ?? []) {
      // A row without the match's attributes is not a match (the counter update is conditional on
      // the row existing, so the store never leaves one; a hand edit might).
      if (typeof item.id !== 'string' || item.id === '') continue;
      rows.push({ match: fromMatchRow(item), key: pickKey(item, keyNames), duplicateCount: duplicateCountOf(item) });
    }
    const page: RangePage = { rows };
    if (result.LastEvaluatedKey) page.lastKey = pickKey(result.LastEvaluatedKey, keyNames);
    return page;
  }

  async duplicatesOf(firstId: string, since: string, until: string): Promise<Match[]> {
    const input = this.rangeInput({ kind: 'all' }, since, until);
    const out: Match[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.client.send(
        new QueryCommand({
          ...input,
          FilterExpression: '#dup = :first',
          ExpressionAttributeNames: { ...input.ExpressionAttributeNames, '#dup': 'duplicateOf' },
          ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ':first': firstId },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of result.Items ?? []) out.push(fromMatchRow(item));
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return out;
  }

  async countFirstReports(topic: string, since: string, until: string): Promise<number> {
    const input = this.rangeInput({ kind: 'topic', topic }, since, until);
    let count = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.client.send(
        new QueryCommand({
          ...input,
          Select: 'COUNT',
          FilterExpression: 'NOT attribute_type(#dup, :string)',
          ExpressionAttributeNames: { ...input.ExpressionAttributeNames, '#dup': 'duplicateOf' },
          ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ':string': 'S' },
          ExclusiveStartKey: startKey,
        }),
      );
      count += result.Count ?? 0;
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return count;
  }

  getMatch(id: string): Promise<Match | undefined> {
    return this.store.getMatch(id);
  }

  listFeedStates(): Promise<FeedState[]> {
    return this.store.listFeedStates();
  }
}

/**
 * The `duplicateCount` counter the poll cycle keeps on a first report's rows
 * (`DynamoStore.countDuplicate` and `setDuplicateCount`); absent means none. Anything but a non-negative integer reads as 0.
 */
export function duplicateCountOf(item: Record<string, unknown>): number {
  const value = item[DUPLICATE_COUNT_ATTRIBUTE];
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0;
}

function pickKey(item: Record<string, unknown>, names: readonly string[]): RowKey {
  const key: RowKey = {};
  for (const name of names) {
    const value = item[name];
    if (typeof value === 'string') key[name] = value;
  }
  return key;
}
