import type { Config } from '#shared/config/schema.ts';
import type { BatchReport } from '#shared/fanout/poll-batch.ts';

/** What the local worker pool and its worker processes say to each other over the IPC channel. */
export type ToWorker =
  | { type: 'init'; config: Config; endpoint: string; tableName: string }
  | { type: 'batch'; receipt: string; body: string };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'done'; receipt: string; report: BatchReport }
  | { type: 'failed'; receipt: string; error: string };
