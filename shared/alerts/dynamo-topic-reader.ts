import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Match, TopicId } from '#shared/model.ts';
import { fromMatchRow } from '#shared/store/match-row.ts';
import { KEY, topicPk } from '#shared/store/table-design.ts';
import type { TopicMatchReader } from './ports.ts';

export interface DynamoTopicReaderOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Upper bound on rows read per topic, so one noisy day cannot exhaust the function's memory. */
  maxRows?: number;
}

/** Reads a topic's matches from its topic rows (`TOPIC#<topic>` / `<publishedAt>#<id>`), newest first. */
export class DynamoTopicReader implements TopicMatchReader {
  constructor(private readonly options: DynamoTopicReaderOptions) {}

  async matchesForTopic(topic: TopicId, sinceIso: string): Promise<Match[]> {
    const max = this.options.maxRows ?? 5_000;
    const matches: Match[] = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: '#pk = :pk AND #sk >= :since',
          ExpressionAttributeNames: { '#pk': KEY.pk, '#sk': KEY.sk },
          ExpressionAttributeValues: { ':pk': topicPk(topic), ':since': sinceIso },
          ScanIndexForward: false,
          Limit: Math.min(500, max - matches.length),
          ExclusiveStartKey: cursor,
        }),
      );
      for (const item of page.Items ?? []) matches.push(fromMatchRow(item));
      cursor = page.LastEvaluatedKey;
    } while (cursor && matches.length < max);
    return matches;
  }
}
