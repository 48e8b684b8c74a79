/**
 * What each function may do with the table: the exact DynamoDB action list one role needs, so a
 * reviewer reads a function's rights in one line. Kept free of CDK so the integration tests can
 * check these lists against the calls the code really makes on DynamoDB Local
 * (tests/integration/store/table-grants.test.ts): a call added without its grant would
 * otherwise pass every local test and fail only when deployed.
 */
export enum TableAccess {
  /** The poll cycle: feed states, the feed registry, write-once matches and their counters. */
  Poll = 'poll',
  /** notify and digest: read a topic's matches, keep alert claims (claim, mark sent, release). */
  Alert = 'alert',
  /** The query API: reads only. */
  Read = 'read',
}

export const TABLE_ACTIONS: Record<TableAccess, readonly string[]> = {
  // PartiQLInsert: match rows are PartiQL INSERTs (BatchExecuteStatement is authorised per
  // statement). UpdateItem: the feed registry and the duplicate counters.
  [TableAccess.Poll]: ['GetItem', 'PutItem', 'UpdateItem', 'BatchGetItem', 'BatchWriteItem', 'Query', 'PartiQLInsert'],
  [TableAccess.Alert]: ['PutItem', 'UpdateItem', 'DeleteItem', 'Query'],
  [TableAccess.Read]: ['GetItem', 'BatchGetItem', 'Query'],
};
