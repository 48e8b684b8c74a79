import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { OutboxPublisher } from '#shared/local/outbox-publisher.ts';
import { checkpointPathFor, createLocalStreamsClient, readStream } from '#shared/local/stream-reader.ts';
import { DynamoAlertClaims } from './dynamo-claims.ts';
import type { AlertLog, AlertPublisher } from './ports.ts';
import type { RenderOptions } from './render-email.ts';
import { notifyStreamBatch, type StreamBatchResult } from './stream-batch.ts';

/**
 * The local counterpart of the notify Lambda, for the CLI after a poll cycle: read what the
 * cycle inserted from DynamoDB Local's stream, run the same stream-batch code the Lambda runs,
 * publish to the outbox (and the terminal). The checkpoint moves only when every record went
 * through; otherwise the next run reads them again and the claims skip what was sent.
 */

export interface LocalAlertOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** DynamoDB Local's endpoint (the stream API is served on the same port). */
  endpoint: string;
  dataDir: string;
  render: RenderOptions;
  /** Looked up with DescribeTable when absent. */
  streamArn?: string;
  /** Where emails are printed besides the outbox folder. */
  out?: { write(chunk: string): unknown };
  /** Replaces the outbox (tests). */
  publisher?: AlertPublisher;
  streams?: DynamoDBStreamsClient;
  log?: AlertLog;
}

export interface LocalAlertResult extends StreamBatchResult {
  records: number;
  /** Whether the stream checkpoint moved past these records. */
  committed: boolean;
}

export async function deliverLocalAlerts(options: LocalAlertOptions): Promise<LocalAlertResult> {
  const streamArn =
    options.streamArn ??
    (await (options.doc as unknown as DynamoDBClient).send(new DescribeTableCommand({ TableName: options.tableName }))).Table
      ?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${options.tableName} has no stream`);
  const streams = options.streams ?? createLocalStreamsClient(options.endpoint);
  try {
    const read = await readStream({ client: streams, streamArn, checkpointPath: checkpointPathFor(options.dataDir) });
    const result = await notifyStreamBatch(read.records, {
      claims: new DynamoAlertClaims({ client: options.doc, tableName: options.tableName }),
      publisher: options.publisher ?? new OutboxPublisher({ dataDir: options.dataDir, ...(options.out ? { out: options.out } : {}) }),
      render: options.render,
      ...(options.log ? { log: options.log } : {}),
    });
    const committed = result.response.batchItemFailures.length === 0;
    if (committed) await read.commit();
    return { ...result, records: read.records.length, committed };
  } finally {
    if (!options.streams) streams.destroy();
  }
}
