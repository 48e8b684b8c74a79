import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoFeedbackStore } from '#shared/feedback/dynamo-feedback-store.ts';
import { createFeedbackService, type FeedbackService } from '#shared/feedback/service.ts';
import { NoSuchMatchError } from '#shared/feedback/ports.ts';
import { BadRequestError } from '#shared/query/errors.ts';
import { matchPk, MATCH_SK } from '#shared/store/table-design.ts';
import { createTestTable, type TestTable } from '#tests/support/dynamo.ts';
import { aMatch } from '#tests/support/matches.ts';

/** The feedback round trip on DynamoDB Local: stored through the poll cycle's store, labelled through the service. */

const TOPICS = ['ukraine-fund', 'nato-mission', 'us-aid', 'nato-meetings', 'defence-production'];
let table: TestTable;
let store: DynamoFeedbackStore;
let service: FeedbackService;
let clock = Date.parse('2024-05-01T10:00:00.000Z');

beforeAll(async () => {
  table = await createTestTable('feedback');
  store = new DynamoFeedbackStore({ client: table.doc, tableName: table.tableName });
  service = createFeedbackService({ store, topicIds: TOPICS, now: () => new Date((clock += 60_000)) });
  await table.store.putMatches([
    aMatch({ id: 'fb-one', title: 'Chess club meets in Brussels', topics: ['nato-meetings'], lang: 'en' }),
    aMatch({ id: 'fb-two', topics: ['ukraine-fund', 'us-aid'] }),
  ]);
});

describe('feedback on stored matches', () => {
  it('records a label on the match row and reads it back, the last label winning', async () => {
    const first = await service.record('fb-one', { verdict: 'topics', topics: ['us-aid', 'nato-meetings', 'us-aid'] }, 'ana');
    expect(first).toMatchObject({ itemId: 'fb-one', verdict: 'topics', topics: ['nato-meetings', 'us-aid'], by: 'ana' });
    expect(await store.feedbackOf('fb-one')).toEqual(first);

    const last = await service.record('fb-one', { verdict: 'not-relevant' }, 'ben');
    expect(await store.feedbackOf('fb-one')).toEqual(last);
    expect(last.at > first.at).toBe(true);
    // On the match row itself, beside the untouched match.
    const row = (await table.doc.send(new GetCommand({ TableName: table.tableName, Key: { pk: matchPk('fb-one'), sk: MATCH_SK } }))).Item!;
    expect(row.feedbackAt).toBe(last.at);
    expect(row.topics).toEqual(['nato-meetings']);
    expect(row.title).toBe('Chess club meets in Brussels');
    expect((await table.store.getMatch('fb-one'))?.topics).toEqual(['nato-meetings']);

    // The eval's read: one entry per match, the last label, the text to classify, the stored topics.
    const labelled = (await store.labelledMatches()).find((m) => m.feedback.itemId === 'fb-one');
    expect(labelled).toEqual({ feedback: last, title: 'Chess club meets in Brussels', summary: row.summary, lang: 'en', storedTopics: ['nato-meetings'] });
    expect(labelled!.feedback.topics).toBeUndefined();
  });

  it('lists every labelled match and only those', async () => {
    await service.record('fb-two', { verdict: 'topics', topics: ['ukraine-fund'] });
    const ids = (await store.labelledMatches()).map((m) => m.feedback.itemId).sort();
    expect(ids).toEqual(['fb-one', 'fb-two']);
  });

  it('refuses an unknown id with a clear error and writes nothing', async () => {
    const attempt = service.record('fb-missing', { verdict: 'not-relevant' });
    await expect(attempt).rejects.toBeInstanceOf(NoSuchMatchError);
    await expect(attempt).rejects.toThrow('no stored match with id "fb-missing"');
    await expect(store.feedbackOf('fb-missing')).rejects.toBeInstanceOf(NoSuchMatchError);
    expect((await store.labelledMatches()).map((m) => m.feedback.itemId)).not.toContain('fb-missing');
    const stub = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: { pk: matchPk('fb-missing'), sk: MATCH_SK } }));
    expect(stub.Item).toBeUndefined();
  });

  it.each([
    [{ verdict: 'topics', topics: ['ukraine-fnd'] }, 'topics', /unknown topic "ukraine-fnd"; expected one of: ukraine-fund, nato-mission/],
    [{ verdict: 'topics', topics: [] }, 'topics', /non-empty array of topic ids/],
    [{ verdict: 'topics' }, 'topics', /non-empty array/],
    [{ verdict: 'maybe' }, 'verdict', /expected "not-relevant" or "topics"/],
    [{ verdict: 'not-relevant', topics: ['us-aid'] }, 'topics', /not allowed with the verdict "not-relevant"/],
    [{ verdict: 'not-relevant', note: 'x' }, 'note', /unknown field/],
    [[], 'body', /expected a JSON object/],
  ])('refuses %j naming %s, before touching the row', async (body, parameter, message) => {
    const before = await store.feedbackOf('fb-two');
    const attempt = service.record('fb-two', body);
    await expect(attempt).rejects.toBeInstanceOf(BadRequestError);
    await expect(attempt).rejects.toMatchObject({ parameter });
    await expect(attempt).rejects.toThrow(message);
    expect(await store.feedbackOf('fb-two')).toEqual(before);
  });
});
