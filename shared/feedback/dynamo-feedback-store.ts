import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { fromMatchRow } from '#shared/store/match-row.ts';
import {
  FEEDBACK_AT_ATTRIBUTE,
  FEEDBACK_ATTRIBUTE,
  FEEDBACK_PARTITION,
  KEY,
  MATCH_SK,
  ROW,
  ROW_TYPE_ATTRIBUTE,
  feedbackSk,
  matchPk,
} from '#shared/store/table-design.ts';
import type { Feedback, FeedbackVerdict } from './feedback.ts';
import { NoSuchMatchError, type FeedbackStore, type LabelledMatch } from './ports.ts';

/**
 * Labels on the single table (shared/store/table-design.ts): the label goes on the match row,
 * and a feedback entry under `FEEDBACK` keeps it with the item's text, both in one transaction
 * so the eval never sees a label the match row lacks, or the reverse. Every write is an Update
 * (a transaction's Update creates a missing entry), so the API's role needs `UpdateItem` and
 * nothing more to label. The match row is never rewritten: only its two feedback attributes are
 * set, and the stream's MODIFY of it is not an INSERT, so labelling raises no alert.
 */
export class DynamoFeedbackStore implements FeedbackStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  private async matchRow(itemId: string): Promise<Record<string, unknown> | undefined> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { [KEY.pk]: matchPk(itemId), [KEY.sk]: MATCH_SK }, ConsistentRead: true }),
    );
    return result.Item;
  }

  async recordFeedback(feedback: Feedback): Promise<void> {
    const row = await this.matchRow(feedback.itemId);
    if (!row) throw new NoSuchMatchError(feedback.itemId);
    const match = fromMatchRow(row);
    const label = toLabelValue(feedback);
    const entry: Record<string, unknown> = {
      [ROW_TYPE_ATTRIBUTE]: ROW.feedback,
      itemId: feedback.itemId,
      ...label,
      title: match.title,
      summary: match.summary,
      storedTopics: match.topics,
      source: match.source,
      publishedAt: match.publishedAt,
      ...(match.lang ? { lang: match.lang } : {}),
      ...(match.link ? { link: match.link } : {}),
    };
    const names = Object.keys(entry);
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: { [KEY.pk]: matchPk(feedback.itemId), [KEY.sk]: MATCH_SK },
                UpdateExpression: 'SET #feedback = :feedback, #feedbackAt = :at',
                // The row may have expired since it was read: never create a stub match row.
                ConditionExpression: 'attribute_exists(#pk)',
                ExpressionAttributeNames: { '#feedback': FEEDBACK_ATTRIBUTE, '#feedbackAt': FEEDBACK_AT_ATTRIBUTE, '#pk': KEY.pk },
                ExpressionAttributeValues: { ':feedback': label, ':at': feedback.at },
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: { [KEY.pk]: FEEDBACK_PARTITION, [KEY.sk]: feedbackSk(feedback.itemId) },
                // A label "topics" replaced by "not-relevant" must not keep its old topics.
                UpdateExpression: `SET ${names.map((_, i) => `#a${i} = :v${i}`).join(', ')}${label.topics ? '' : ' REMOVE #topics'}`,
                ExpressionAttributeNames: {
                  ...Object.fromEntries(names.map((name, i) => [`#a${i}`, name])),
                  ...(label.topics ? {} : { '#topics': 'topics' }),
                },
                ExpressionAttributeValues: Object.fromEntries(names.map((name, i) => [`:v${i}`, entry[name]])),
              },
            },
          ],
        }),
      );
    } catch (err) {
      if (err instanceof TransactionCanceledException && err.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') {
        throw new NoSuchMatchError(feedback.itemId);
      }
      throw err;
    }
  }

  async feedbackOf(itemId: string): Promise<Feedback | null> {
    const row = await this.matchRow(itemId);
    if (!row) throw new NoSuchMatchError(itemId);
    return fromLabelValue(itemId, row[FEEDBACK_ATTRIBUTE]) ?? null;
  }

  async labelledMatches(): Promise<LabelledMatch[]> {
    const out: LabelledMatch[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': KEY.pk },
          ExpressionAttributeValues: { ':pk': FEEDBACK_PARTITION },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const row of page.Items ?? []) {
        const labelled = fromFeedbackEntry(row);
        if (labelled) out.push(labelled);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return out;
  }
}

type LabelValue = { verdict: FeedbackVerdict; topics?: string[]; at: string; by?: string };

function toLabelValue(feedback: Feedback): LabelValue {
  return {
    verdict: feedback.verdict,
    ...(feedback.topics ? { topics: feedback.topics } : {}),
    at: feedback.at,
    ...(feedback.by ? { by: feedback.by } : {}),
  };
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** Copies only known fields, like `fromMatchRow`; anything that is not a label reads as none. */
function fromLabelValue(itemId: string, value: unknown): Feedback | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  const at = str(v.at);
  if ((v.verdict !== 'not-relevant' && v.verdict !== 'topics') || !at) return undefined;
  const feedback: Feedback = { itemId, verdict: v.verdict, at };
  if (v.verdict === 'topics') feedback.topics = strings(v.topics);
  const by = str(v.by);
  if (by) feedback.by = by;
  return feedback;
}

function fromFeedbackEntry(row: Record<string, unknown>): LabelledMatch | undefined {
  const itemId = str(row.itemId);
  const feedback = itemId ? fromLabelValue(itemId, row) : undefined;
  if (!feedback) return undefined;
  const labelled: LabelledMatch = { feedback, title: str(row.title) ?? '', summary: str(row.summary) ?? '', storedTopics: strings(row.storedTopics) };
  const lang = str(row.lang);
  if (lang) labelled.lang = lang;
  return labelled;
}
