import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ResourceNotFoundException,
  TrimmedDataAccessException,
  type AttributeValue as StreamAttributeValue,
  type _Record as StreamRecord,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue as LambdaAttributeValue, DynamoDBRecord } from 'aws-lambda';
import { isMatchInsert } from '#shared/alerts/stream-batch.ts';

/**
 * Reads a table's DynamoDB stream the way Lambda's event source mapping does (DescribeStream,
 * GetShardIterator, GetRecords) and hands back records in the exact shape the notify handler
 * receives, so the CLI runs the same alert path and the outbox shows what a subscriber gets.
 *
 * Position is kept per shard (the last sequence number read) in a JSON checkpoint under the
 * data dir, so a second run reads only what was written since. DynamoDB Local specifics:
 *
 * - an open shard always returns a `NextShardIterator`, even at its end, so reading stops at
 *   the first empty page rather than when the iterator runs out (that only happens for a
 *   closed shard);
 * - shards roll over and have parents; parents are read first so records stay in order;
 * - with no checkpoint a shard is read from `TRIM_HORIZON`, otherwise `AFTER_SEQUENCE_NUMBER`;
 *   when the checkpoint is older than the stream's 24 h retention the shard is re-read from
 *   `TRIM_HORIZON` and everything up to the checkpoint is skipped;
 * - the stream ARN changes when the table is re-created: a checkpoint for another ARN is void.
 */

export const CHECKPOINT_FILE = 'stream-checkpoint.json';

export interface StreamReaderOptions {
  client: DynamoDBStreamsClient;
  streamArn: string;
  /** Path of the checkpoint JSON file, e.g. `<data-dir>/stream-checkpoint.json`. */
  checkpointPath: string;
  /**
   * Which records to hand back, as the event source mapping's filter would; filtered-out
   * records still move the checkpoint. Defaults to INSERTs of match rows.
   */
  filter?: (record: DynamoDBRecord) => boolean;
  region?: string;
  /** Safety stop per shard per read. */
  maxPagesPerShard?: number;
}

export interface StreamRead {
  /** New records since the checkpoint, in stream order. */
  records: DynamoDBRecord[];
  /** Persists the position after this read; call it once the records were handled. */
  commit(): Promise<void>;
}

interface Checkpoint {
  streamArn: string;
  shards: Record<string, string>;
}

/** A streams client for DynamoDB Local's endpoint (same port as DynamoDB itself). */
export function createLocalStreamsClient(endpoint: string): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

export const checkpointPathFor = (dataDir: string) => join(dataDir, CHECKPOINT_FILE);

async function loadCheckpoint(path: string, streamArn: string): Promise<Checkpoint> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<Checkpoint>;
    if (parsed.streamArn === streamArn && parsed.shards && typeof parsed.shards === 'object') {
      const shards: Record<string, string> = {};
      for (const [id, seq] of Object.entries(parsed.shards)) if (typeof seq === 'string' && /^\d+$/.test(seq)) shards[id] = seq;
      return { streamArn, shards };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && !(err instanceof SyntaxError)) throw err;
  }
  return { streamArn, shards: {} };
}

async function saveCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(checkpoint, null, 2)}\n`, 'utf8');
  await rename(temp, path);
}

async function describeShards(client: DynamoDBStreamsClient, streamArn: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let start: string | undefined;
  do {
    const result = await client.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }));
    shards.push(...(result.StreamDescription?.Shards ?? []));
    start = result.StreamDescription?.LastEvaluatedShardId;
  } while (start);
  return shards;
}

/** Parents before children, so a key's records come out in the order they were written. */
function inLineageOrder(shards: Shard[]): Shard[] {
  const byId = new Map(shards.map((s) => [s.ShardId!, s]));
  const out: Shard[] = [];
  const done = new Set<string>();
  const visit = (shard: Shard) => {
    if (done.has(shard.ShardId!)) return;
    done.add(shard.ShardId!);
    const parent = shard.ParentShardId ? byId.get(shard.ParentShardId) : undefined;
    if (parent) visit(parent);
    out.push(shard);
  };
  for (const shard of shards) visit(shard);
  return out;
}

/** The streams API gives binary as bytes and times as Dates; Lambda's JSON has base64 and epoch seconds. */
function toLambdaValue(value: StreamAttributeValue): LambdaAttributeValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaValue) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  return value as LambdaAttributeValue;
}

function toLambdaImage(image: Record<string, StreamAttributeValue> | undefined): Record<string, LambdaAttributeValue> {
  const out: Record<string, LambdaAttributeValue> = {};
  for (const [key, value] of Object.entries(image ?? {})) out[key] = toLambdaValue(value);
  return out;
}

export function toLambdaRecord(record: StreamRecord, streamArn: string, region: string): DynamoDBRecord {
  const data = record.dynamodb ?? {};
  const out: DynamoDBRecord = {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: record.eventSource ?? 'aws:dynamodb',
    awsRegion: record.awsRegion ?? region,
    eventSourceARN: streamArn,
    dynamodb: {
      Keys: toLambdaImage(data.Keys),
      SequenceNumber: data.SequenceNumber,
      SizeBytes: data.SizeBytes,
      StreamViewType: data.StreamViewType,
    },
  };
  if (data.ApproximateCreationDateTime) {
    out.dynamodb!.ApproximateCreationDateTime = Math.floor(data.ApproximateCreationDateTime.getTime() / 1000);
  }
  if (data.NewImage) out.dynamodb!.NewImage = toLambdaImage(data.NewImage);
  if (data.OldImage) out.dynamodb!.OldImage = toLambdaImage(data.OldImage);
  return out;
}

const after = (seq: string | undefined, checkpoint: string | undefined) =>
  checkpoint === undefined || (seq !== undefined && BigInt(seq) > BigInt(checkpoint));

async function iteratorFor(client: DynamoDBStreamsClient, streamArn: string, shardId: string, last: string | undefined) {
  if (last) {
    try {
      const result = await client.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: last }),
      );
      return result.ShardIterator;
    } catch (err) {
      // The checkpoint fell out of the retention window: read what is left, skipping up to it.
      if (!(err instanceof TrimmedDataAccessException)) throw err;
    }
  }
  const result = await client.send(
    new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
  );
  return result.ShardIterator;
}

/** Reads everything written since the checkpoint. Nothing is persisted until `commit()`. */
export async function readStream(options: StreamReaderOptions): Promise<StreamRead> {
  const { client, streamArn } = options;
  const filter = options.filter ?? isMatchInsert;
  const region = options.region ?? (await client.config.region());
  const checkpoint = await loadCheckpoint(options.checkpointPath, streamArn);
  const next: Checkpoint = { streamArn, shards: {} };
  const records: DynamoDBRecord[] = [];

  for (const shard of inLineageOrder(await describeShards(client, streamArn))) {
    const shardId = shard.ShardId!;
    const last = checkpoint.shards[shardId];
    let position = last;
    const end = shard.SequenceNumberRange?.EndingSequenceNumber;
    if (!(last && end && BigInt(last) >= BigInt(end))) {
      let iterator: string | undefined;
      try {
        iterator = await iteratorFor(client, streamArn, shardId, last);
      } catch (err) {
        // A shard that expired between DescribeStream and now has nothing left to read.
        if (!(err instanceof ResourceNotFoundException)) throw err;
      }
      for (let page = 0; iterator && page < (options.maxPagesPerShard ?? 10_000); page++) {
        let result;
        try {
          result = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        } catch (err) {
          if (err instanceof ExpiredIteratorException) {
            iterator = await iteratorFor(client, streamArn, shardId, position);
            continue;
          }
          throw err;
        }
        const batch = result.Records ?? [];
        for (const record of batch) {
          const seq = record.dynamodb?.SequenceNumber;
          if (!after(seq, last)) continue;
          position = seq;
          const converted = toLambdaRecord(record, streamArn, region);
          if (filter(converted)) records.push(converted);
        }
        iterator = result.NextShardIterator;
        // An open shard hands out a next iterator forever; an empty page means we caught up.
        if (batch.length === 0) break;
      }
    }
    if (position) next.shards[shardId] = position;
  }

  return {
    records,
    commit: () => saveCheckpoint(options.checkpointPath, next),
  };
}
