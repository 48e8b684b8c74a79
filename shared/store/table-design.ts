/**
 * The single-table design, shared by the DynamoDB store, the local table creator and the CDK
 * stack so that the three can never disagree.
 *
 * | row                | pk                      | sk                      | gsi1pk    | gsi1sk                  |
 * |--------------------|-------------------------|-------------------------|-----------|-------------------------|
 * | match (the record) | `ITEM#<id>`             | `ITEM`                  | `MATCHES` | `<publishedAt>#<id>`    |
 * | topic index entry  | `TOPIC#<topic>`         | `<publishedAt>#<id>`    | –         | –                       |
 * | feed state         | `FEED#<url>`            | `STATE`                 | –         | –                       |
 * | feed registry      | `FEEDS`                 | `REGISTRY#<shard>`      | –         | –                       |
 * | alert claim        | `ALERT#<mode>#<topic>`  | `<key>`                 | –         | –                       |
 * | story claim        | `STORIES`               | `CLAIM#<seq>`           | –         | –                       |
 * | feedback entry     | `FEEDBACK`              | `ITEM#<id>`             | –         | –                       |
 *
 * The match row is created once with a condition (its INSERT on the stream is what alerts; the
 * cycle that created it may put it again, unchanged but for its duplicate count, a MODIFY); the
 * topic rows are copies that let one Query read a topic's matches newest first by time, and the
 * `gsi1` index serves "all topics". Feed states stay out of the index (it would double the cost
 * of every state write); the registry rows list their URLs, spread over REGISTRY_SHARDS rows by a
 * hash of the URL so no row nears DynamoDB's 400 KB item limit (one row would, at about 6,000
 * feeds). The story claims are the log that decides which copy of a story is its first report
 * (`shared/pipeline/story-arbiter.ts`): slot `<seq>` is taken with a conditional put, so two
 * pollers can never both claim the same slot. An analyst's label is kept on the match row and,
 * in the same transaction, on a feedback entry with the item's text: one Query of `FEEDBACK`
 * reads every labelled match for `fundwatch eval --feedback`, and the entry has no TTL, so the
 * labels outlive the matches they were given on. Nothing ever needs a Scan.
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
  storyClaim: 'story-claim',
  feedback: 'feedback',
} as const;

export const MATCH_SK = 'ITEM';
export const FEED_SK = 'STATE';
export const MATCHES_PARTITION = 'MATCHES';
export const FEEDS_PARTITION = 'FEEDS';
/** The sort key prefix of the registry rows (a one-row registry of earlier versions used it alone). */
export const FEED_REGISTRY_SK = 'REGISTRY';
/**
 * 16 rows of 400 KB hold about 100,000 feed URLs of 64 bytes. Reading takes one Query over every
 * `REGISTRY…` row and merges their sets, so the count can change without a migration: a feed
 * registered under the old count and again under the new one is listed once.
 */
export const REGISTRY_SHARDS = 16;
export const STORIES_PARTITION = 'STORIES';
export const STORY_CLAIM_SK = 'CLAIM';
/** Zero-padded, so the slots sort as numbers. */
export const storyClaimSk = (seq: number) => `${STORY_CLAIM_SK}#${String(seq).padStart(12, '0')}`;
export const seqOfStoryClaimSk = (sk: string) => Number(sk.slice(STORY_CLAIM_SK.length + 1));
export const FEEDBACK_PARTITION = 'FEEDBACK';
export const feedbackSk = (id: string) => `ITEM#${id}`;
/** On the match row: the last label an analyst gave it, and when. */
export const FEEDBACK_ATTRIBUTE = 'feedback';
export const FEEDBACK_AT_ATTRIBUTE = 'feedbackAt';
/** On a first report's rows: how many near-duplicates were stored for it. */
export const DUPLICATE_COUNT_ATTRIBUTE = 'duplicateCount';

export const matchPk = (id: string) => `ITEM#${id}`;
export const topicPk = (topic: string) => `TOPIC#${topic}`;
export const timeSortKey = (publishedAt: string, id: string) => `${publishedAt}#${id}`;
export const feedPk = (url: string) => `FEED#${url}`;
export const feedRegistrySk = (url: string) => `${FEED_REGISTRY_SK}#${String(fnv1a(url) % REGISTRY_SHARDS).padStart(2, '0')}`;
export const alertClaimPk = (mode: string, topic: string) => `ALERT#${mode}#${topic}`;

/** FNV-1a, 32 bits: a stable, evenly spread hash for picking a URL's registry row. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}
