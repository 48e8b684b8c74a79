import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Match } from '#shared/model.ts';
import { fromMatchRow } from '#shared/store/match-row.ts';
import { ROW, ROW_TYPE_ATTRIBUTE } from '#shared/store/table-design.ts';
import { sendInstantAlerts, type InstantAlertDeps, type InstantAlertReport } from './notifier.ts';
import { silentLog } from './ports.ts';

/**
 * The adapter between a DynamoDB stream batch (from Lambda's event source mapping, or the local
 * stream reader) and the instant notifier. Structural types only, so nothing here depends on the
 * Lambda event types: a `DynamoDBRecord` from `@types/aws-lambda` fits.
 */

export interface StreamRecordLike {
  eventName?: string;
  dynamodb?: {
    NewImage?: Record<string, unknown>;
    SequenceNumber?: string;
  };
}

/** The partial-batch response Lambda reads when the mapping has `ReportBatchItemFailures`. */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * The event source mapping's filter (only new match rows reach the function), as the stack
 * deploys it (infra/constructs/alerting.ts). `isMatchInsert` runs the same test again in the
 * handler, because a filter is configuration and a mistake in it must not alert on topic rows or
 * claims; the stream-reader test checks on DynamoDB Local's real records that the two agree.
 */
export const MATCH_INSERT_FILTER_PATTERN = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { [ROW_TYPE_ATTRIBUTE]: { S: [ROW.match] } } },
} as const;

export function isMatchInsert(record: StreamRecordLike): boolean {
  const rowType = record.dynamodb?.NewImage?.[ROW_TYPE_ATTRIBUTE] as { S?: unknown } | undefined;
  return record.eventName === 'INSERT' && rowType?.S === ROW.match;
}

/** The match a stream record carries; throws on an image that is not a readable match. */
export function matchFromRecord(record: StreamRecordLike): Match {
  const image = record.dynamodb?.NewImage;
  if (!image) throw new Error('stream record has no NewImage (is the stream view NEW_IMAGE?)');
  // Lambda's and the SDK's AttributeValue types differ only in how binary is typed; match rows hold none.
  const match = fromMatchRow(unmarshall(image as Record<string, AttributeValue>));
  if (!match.id) throw new Error('stream record image has no match id');
  return match;
}

export interface StreamBatchResult {
  response: BatchResponse;
  report: InstantAlertReport;
  /** Records that could not be read; they fail, are retried and end in the DLQ for a look. */
  unreadable: { sequenceNumber: string; error: string }[];
}

/**
 * One email per topic for the whole batch, then the failures mapped back to exactly the records
 * that carried the items of a failed topic email (a record with two topics fails if either
 * failed; its retry re-sends only the failed topic, the other is `sent` in its claims).
 */
export async function notifyStreamBatch(records: StreamRecordLike[], deps: InstantAlertDeps): Promise<StreamBatchResult> {
  const log = deps.log ?? silentLog;
  const failedRecords = new Set<string>();
  const unreadable: StreamBatchResult['unreadable'] = [];
  const recordsOfItem = new Map<string, string[]>();
  const matches: Match[] = [];

  for (const record of records) {
    if (!isMatchInsert(record)) continue;
    const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
    try {
      const match = matchFromRecord(record);
      matches.push(match);
      const list = recordsOfItem.get(match.id);
      if (list) list.push(sequenceNumber);
      else recordsOfItem.set(match.id, [sequenceNumber]);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      unreadable.push({ sequenceNumber, error: message });
      failedRecords.add(sequenceNumber);
      log.error('unreadable stream record', { sequenceNumber, error: message });
    }
  }

  const report = await sendInstantAlerts(matches, deps);
  for (const failure of report.failed) {
    for (const id of failure.itemIds) for (const seq of recordsOfItem.get(id) ?? []) failedRecords.add(seq);
  }
  // In batch order: Lambda checkpoints before the lowest failed sequence number and retries
  // from there; claims make the records after it that did succeed cost nothing on the retry.
  const batchItemFailures = records
    .map((r) => r.dynamodb?.SequenceNumber ?? '')
    .filter((seq, i, all) => failedRecords.has(seq) && all.indexOf(seq) === i)
    .map((itemIdentifier) => ({ itemIdentifier }));
  return { response: { batchItemFailures }, report, unreadable };
}
