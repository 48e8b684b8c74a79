/**
 * What each function may do with the table: the exact DynamoDB action list one role needs, so a
 * reviewer reads a function's rights in one line. Kept free of CDK so the integration tests can
 * check these lists against the calls the code really makes on DynamoDB Local
 * (tests/integration/store/table-grants.test.ts): a call added without its grant would
 * otherwise pass every local test and fail only when deployed.
 */
import { FEEDBACK_AT_ATTRIBUTE, FEEDBACK_ATTRIBUTE, FEEDBACK_PARTITION, KEY, ROW_TYPE_ATTRIBUTE, matchPk } from '#shared/store/table-design.ts';

export enum TableAccess {
  /** The poll cycle: feed states, the feed registry, write-once matches and their counters. */
  Poll = 'poll',
  /** notify and digest: read a topic's matches, keep alert claims (claim, mark sent, release). */
  Alert = 'alert',
  /** The query API: reads (its labels are FEEDBACK_WRITES, below). */
  Read = 'read',
}

export const TABLE_ACTIONS: Record<TableAccess, readonly string[]> = {
  // PartiQLInsert: match rows are PartiQL INSERTs (BatchExecuteStatement is authorised per
  // statement). UpdateItem: the feed registry and the duplicate counters.
  [TableAccess.Poll]: ['GetItem', 'PutItem', 'UpdateItem', 'BatchGetItem', 'BatchWriteItem', 'Query', 'PartiQLInsert'],
  [TableAccess.Alert]: ['PutItem', 'UpdateItem', 'DeleteItem', 'Query'],
  [TableAccess.Read]: ['GetItem', 'BatchGetItem', 'Query'],
};

/**
 * An UpdateItem right narrowed by IAM conditions to the rows (`dynamodb:LeadingKeys`, the
 * partition key) and attributes (`dynamodb:Attributes`) it may touch.
 */
export interface ConditionedWrite {
  readonly actions: readonly string[];
  /** IAM StringLike patterns of the partition keys. */
  readonly leadingKeys: readonly string[];
  /** Every attribute name a request may name, keys included. */
  readonly attributes: readonly string[];
}

/**
 * The query API's only writes: an analyst's label (shared/feedback/dynamo-feedback-store.ts).
 * One statement per row kind, so the API can set the label on a match row and nothing else of
 * it (not its topics, not its text), and write the feedback entry's fields only under FEEDBACK.
 * A transaction's Update is authorised as UpdateItem.
 */
export const FEEDBACK_WRITES: readonly ConditionedWrite[] = [
  { actions: ['UpdateItem'], leadingKeys: [matchPk('*')], attributes: [KEY.pk, KEY.sk, FEEDBACK_ATTRIBUTE, FEEDBACK_AT_ATTRIBUTE] },
  {
    actions: ['UpdateItem'],
    leadingKeys: [FEEDBACK_PARTITION],
    attributes: [KEY.pk, KEY.sk, ROW_TYPE_ATTRIBUTE, 'itemId', 'verdict', 'topics', 'at', 'by', 'title', 'summary', 'storedTopics', 'source', 'publishedAt', 'lang', 'link'],
  },
];
