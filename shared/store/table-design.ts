/**
 * The single-table design, shared by the DynamoDB store, the local table creator and the CDK
 * stack so that the three can never disagree.
 *
 * | row                | pk                      | sk                      | gsi1pk    | gsi1sk                  |
 * |--------------------|-------------------------|-------------------------|-----------|-------------------------|
 * | match (the record) | `ITEM#<id>`             | `ITEM`                  | `MATCHES` | `<publishedAt>#<id>`    |
 * | topic index entry  | `TOPIC#<topic>`         | `<publishedAt>#<id>`    | –         | –                       |
 * | feed state         | `FEED#<url>`            | `STATE`                 | –         | –                       |
 * | feed registry      | `FEEDS`                 | `REGISTRY`              | –         | –                       |
 * | alert claim        | `ALERT#<mode>#<topic>`  | `<key>`                 | –         | –                       |
 *
 * The match row is written once with a condition (its INSERT on the stream is what alerts); the
 * topic rows are copies that let one Query read a topic's matches newest first by time, and the
 * `gsi1` index serves "all topics". Feed states stay out of the index (it would double the cost
 * of every state write); the registry row lists their URLs. Nothing ever needs a Scan.
 */

export const KEY = { pk: 'pk', sk: 'sk', gsi1pk: 'gsi1pk', gsi1sk: 'gsi1sk' } as const;
export const GSI1 = 'gsi1';
export const TTL_ATTRIBUTE = 'expiresAt';
export const ROW_TYPE_ATTRIBUTE = 'rowType';

export const ROW = {
  match: 'match',
  topicEntry: 'topic-entry',
  feed: 'feed',
  feedRegistry: 'feed-registry',
  alertClaim: 'alert-claim',
} as const;

export const MATCH_SK = 'ITEM';
export const FEED_SK = 'STATE';
export const MATCHES_PARTITION = 'MATCHES';
export const FEEDS_PARTITION = 'FEEDS';
export const FEED_REGISTRY_SK = 'REGISTRY';
/** On a first report's rows: how many near-duplicates were stored for it. */
export const DUPLICATE_COUNT_ATTRIBUTE = 'duplicateCount';

export const matchPk = (id: string) => `ITEM#${id}`;
export const topicPk = (topic: string) => `TOPIC#${topic}`;
export const timeSortKey = (publishedAt: string, id: string) => `${publishedAt}#${id}`;
export const feedPk = (url: string) => `FEED#${url}`;
export const alertClaimPk = (mode: string, topic: string) => `ALERT#${mode}#${topic}`;
