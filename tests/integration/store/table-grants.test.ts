import { beforeAll, describe, expect, it } from 'vitest';
import { DeleteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '#shared/store/dynamo-client.ts';
import { DynamoStore } from '#shared/store/dynamo-store.ts';
import { topicPk, timeSortKey } from '#shared/store/table-design.ts';
import { DynamoQueryStore } from '#shared/query/dynamo-query-store.ts';
import { DynamoAlertClaims } from '#shared/alerts/dynamo-claims.ts';
import { DynamoTopicReader } from '#shared/alerts/dynamo-topic-reader.ts';
import { DynamoFeedbackStore } from '#shared/feedback/dynamo-feedback-store.ts';
import { NoSuchMatchError } from '#shared/feedback/ports.ts';
import { FEEDBACK_WRITES, TABLE_ACTIONS, TableAccess } from '#infra/table-access.ts';
import { createTestTable, type TestTable } from '#tests/support/dynamo.ts';
import { aMatch } from '#tests/support/matches.ts';

/**
 * The IAM grant of each function (infra/table-access.ts) against the calls its code really makes:
 * every method of the DynamoDB adapters a function uses runs on DynamoDB Local through a client
 * that records the IAM action of each request. DynamoDB Local checks no permissions, so without
 * this a new call passes every local test and is refused only once deployed; and a grant nothing
 * uses any more would stay. The function → adapter wiring is in functions/*.ts: poll uses
 * DynamoStore as the pipeline's MatchStore; notify and digest DynamoAlertClaims and
 * DynamoTopicReader; query DynamoQueryStore.
 */

/** One item write as IAM's condition keys see it: the partition key and every attribute name it names. */
interface ItemWrite {
  action: string;
  leadingKey: string;
  attributes: string[];
}

type ItemRequest = { Key?: Record<string, unknown>; ExpressionAttributeNames?: Record<string, string>; ReturnValues?: string };

/**
 * A document client that records the IAM action behind every request it sends, and each item
 * write's keys and attribute names (our expressions name every attribute through a placeholder).
 */
function recordingClient(endpoint: string): { client: DynamoDBDocumentClient; actions: Set<string>; writes: ItemWrite[] } {
  const client = createDocumentClient({ endpoint });
  const actions = new Set<string>();
  const writes: ItemWrite[] = [];
  const recordWrite = (action: string, request: ItemRequest) => {
    expect(request.ReturnValues ?? 'NONE').toBe('NONE');
    writes.push({
      action,
      leadingKey: String(request.Key?.pk),
      attributes: [...new Set([...Object.keys(request.Key ?? {}), ...Object.values(request.ExpressionAttributeNames ?? {})])],
    });
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context as { commandName: string }).commandName.replace(/Command$/, '');
      const input = args.input as { Statements?: { Statement: string }[]; Statement?: string; TransactItems?: Record<string, ItemRequest>[] } & ItemRequest;
      const statements = input.Statements?.map((s) => s.Statement) ?? (input.Statement ? [input.Statement] : undefined);
      // PartiQL is authorised per statement, by its verb (dynamodb:PartiQLInsert, …), not by the API call.
      if (statements) for (const statement of statements) actions.add(`PartiQL${capitalised(statement.trim().split(/\s+/)[0]!)}`);
      // A transaction is authorised per item, by the action each item is (Update → UpdateItem, …).
      else if (input.TransactItems) {
        for (const item of input.TransactItems) {
          for (const [kind, request] of Object.entries(item)) {
            const action = kind === 'ConditionCheck' ? 'ConditionCheckItem' : `${kind}Item`;
            actions.add(action);
            recordWrite(action, request);
          }
        }
      } else {
        actions.add(operation);
        if (operation === 'UpdateItem' || operation === 'PutItem' || operation === 'DeleteItem') recordWrite(operation, input);
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordIamActions' },
  );
  return { client, actions, writes };
}

/** IAM's StringLike: `*` any run of characters, `?` one. */
const stringLike = (pattern: string, value: string) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(value);

const capitalised = (word: string) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
const sorted = (values: Iterable<string>) => [...values].sort();

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('grants');
});

describe('table grants cover exactly the calls each function makes', () => {
  it('poll: every MatchStore method of DynamoStore, including the repair and counting paths', async () => {
    const { client, actions } = recordingClient(table.endpoint);
    const store = new DynamoStore({ client, tableName: table.tableName, retentionDays: 36_500 });
    const first = aMatch({ id: 'grant-first', topics: ['ukraine-fund', 'us-aid'] });
    await store.registerFeeds(['https://a.example/feed']);
    await store.getFeedStates(['https://a.example/feed']);
    await store.recentMatches('2024-01-01T00:00:00.000Z', 10);
    await store.putMatches([store.storedForm(first), aMatch({ id: 'grant-copy', duplicateOf: 'grant-first' })]);
    // A topic row lost to an interrupted cycle: the next write of the match completes it.
    await table.doc.send(new DeleteCommand({ TableName: table.tableName, Key: { pk: topicPk('us-aid'), sk: timeSortKey(first.publishedAt, first.id) } }));
    expect(await store.putMatches([first])).toEqual(new Map([['grant-first', 'exists']]));
    await store.countDuplicate('grant-first', 1);
    // The story log: a slot claimed, a slot already taken, and both ways of reading it.
    const claim = { id: 'grant-first', title: first.title, summary: first.summary, publishedAt: first.publishedAt, topics: first.topics };
    expect(await store.appendStoryClaims({ seq: 1, claimedAt: '2024-05-01T00:00:00.000Z', claims: [claim] })).toBe(true);
    expect(await store.appendStoryClaims({ seq: 1, claimedAt: '2024-05-01T00:00:00.000Z', claims: [claim] })).toBe(false);
    await store.readStoryClaims({ claimedSince: '2024-04-01T00:00:00.000Z' });
    await store.readStoryClaims({ afterSeq: 0 });
    await store.getMatch('grant-first');
    await store.saveFeedState({ url: 'https://a.example/feed', name: 'A', consecutiveFailures: 0 });

    expect(sorted(actions)).toEqual(sorted(TABLE_ACTIONS[TableAccess.Poll]));
  });

  it('query: every QueryStore method of DynamoQueryStore', async () => {
    await table.store.putMatch(aMatch({ id: 'grant-listed', topics: ['nato-mission'] }));
    const { client, actions } = recordingClient(table.endpoint);
    const store = new DynamoQueryStore({ client, tableName: table.tableName });
    const since = '2024-01-01T00:00:00.000Z';
    const until = '2024-12-31T00:00:00.000Z';
    await store.queryRange({ partition: { kind: 'topic', topic: 'nato-mission' }, since, until, pageSize: 10 });
    await store.queryRange({ partition: { kind: 'all' }, since, until, pageSize: 10 });
    await store.duplicatesOf('grant-listed', since, until);
    await store.countFirstReports('nato-mission', since, until);
    await store.getMatch('grant-listed');
    await store.listFeedStates();

    expect(sorted(actions)).toEqual(sorted(TABLE_ACTIONS[TableAccess.Read]));
  });

  it('query, labelling: every FeedbackStore method, each write inside FEEDBACK_WRITES, and the conditions not wider than used', async () => {
    await table.store.putMatch(aMatch({ id: 'grant-labelled', topics: ['nato-mission'], lang: 'en', link: 'https://a.example/story' }));
    await table.store.putMatch(aMatch({ id: 'grant-bare', topics: ['us-aid'], link: undefined, lang: undefined }));
    const { client, actions, writes } = recordingClient(table.endpoint);
    const store = new DynamoFeedbackStore({ client, tableName: table.tableName });
    const at = '2024-05-01T00:00:00.000Z';
    await store.recordFeedback({ itemId: 'grant-labelled', verdict: 'topics', topics: ['us-aid'], at, by: 'arn:aws:iam::123456789012:user/ana' });
    await store.recordFeedback({ itemId: 'grant-labelled', verdict: 'not-relevant', at });
    await store.recordFeedback({ itemId: 'grant-bare', verdict: 'not-relevant', at });
    await expect(store.recordFeedback({ itemId: 'grant-none', verdict: 'not-relevant', at })).rejects.toBeInstanceOf(NoSuchMatchError);
    await store.feedbackOf('grant-labelled');
    await store.labelledMatches();

    // Its reads are the query function's Read grant (checked exact above); its writes are FEEDBACK_WRITES alone.
    const writeActions = new Set(FEEDBACK_WRITES.flatMap((w) => w.actions));
    expect(sorted([...actions].filter((a) => !TABLE_ACTIONS[TableAccess.Read].includes(a)))).toEqual(sorted(writeActions));
    expect(writes.length).toBe(6);
    const used = FEEDBACK_WRITES.map(() => new Set<string>());
    for (const write of writes) {
      const allowed = FEEDBACK_WRITES.findIndex(
        (w) => w.actions.includes(write.action) && w.leadingKeys.some((k) => stringLike(k, write.leadingKey)) && write.attributes.every((a) => w.attributes.includes(a)),
      );
      expect(allowed, JSON.stringify(write)).toBeGreaterThanOrEqual(0);
      for (const a of write.attributes) used[allowed]!.add(a);
    }
    // Each statement allows exactly the attributes some write names: none is granted for nothing.
    FEEDBACK_WRITES.forEach((w, i) => expect(sorted(used[i]!)).toEqual(sorted(w.attributes)));
    // And the match row statement cannot reach a topic row or the feed registry.
    expect(FEEDBACK_WRITES[0]!.leadingKeys.some((k) => stringLike(k, 'TOPIC#us-aid') || stringLike(k, 'FEEDS'))).toBe(false);
  });

  it('notify and digest: the alert claims and the topic reader', async () => {
    const { client, actions } = recordingClient(table.endpoint);
    const claims = new DynamoAlertClaims({ client, tableName: table.tableName });
    const reader = new DynamoTopicReader({ client, tableName: table.tableName });
    await reader.matchesForTopic('nato-mission', '2024-01-01T00:00:00.000Z');
    expect(await claims.claim('instant', 'nato-mission', ['grant-a', 'grant-b'], 'owner-1')).toEqual(['grant-a', 'grant-b']);
    await claims.markSent('instant', 'nato-mission', ['grant-a'], 'owner-1');
    await claims.release('instant', 'nato-mission', ['grant-b'], 'owner-1');

    expect(sorted(actions)).toEqual(sorted(TABLE_ACTIONS[TableAccess.Alert]));
  });
});
