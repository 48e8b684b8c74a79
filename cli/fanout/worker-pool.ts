import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Config } from '#shared/config/schema.ts';
import type { BatchReport } from '#shared/fanout/poll-batch.ts';
import type { LocalFeedBatchQueue } from './local-queue.ts';
import type { FromWorker, ToWorker } from './worker-protocol.ts';

const RUN_TS = fileURLToPath(new URL('../../bin/run-ts.mjs', import.meta.url));
const WORKER_TS = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

export interface WorkerPoolOptions {
  workers: number;
  config: Config;
  endpoint: string;
  tableName: string;
  queue: LocalFeedBatchQueue;
  /** A worker took a batch (tests use it to end a worker mid-batch). */
  onBatchStarted?: (worker: ChildProcess, receipt: string) => void;
}

export interface WorkerPoolResult {
  reports: BatchReport[];
  /** Batches a worker failed or died on; each went back to the queue (or to its dead letters). */
  failures: string[];
  deadLetters: string[];
}

/**
 * N worker processes consuming the local queue, as Lambda's event source mapping runs up to
 * `maximumConcurrency` workers on SQS: each takes one batch at a time; a batch it answers is
 * deleted, a batch it fails or dies on is released and comes back. A worker that dies is
 * replaced, up to three times the pool's size, so a crash loop ends the run instead of spinning.
 */
export function runWorkerPool(options: WorkerPoolOptions): Promise<WorkerPoolResult> {
  const { queue } = options;
  const reports: BatchReport[] = [];
  const failures: string[] = [];
  const busy = new Map<ChildProcess, string | undefined>();
  let replacements = options.workers * 3;

  return new Promise((resolve, reject) => {
    let finished = false;
    const finish = (error?: Error) => {
      if (finished) return;
      finished = true;
      for (const worker of busy.keys()) if (worker.connected) worker.disconnect();
      if (error) reject(error);
      else resolve({ reports, failures, deadLetters: [...queue.deadLetters] });
    };
    const next = (worker: ChildProcess) => {
      const message = queue.receive();
      busy.set(worker, message?.receipt);
      if (message) {
        worker.send({ type: 'batch', receipt: message.receipt, body: message.body } satisfies ToWorker);
        options.onBatchStarted?.(worker, message.receipt);
      } else if (queue.idle && [...busy.values()].every((receipt) => receipt === undefined)) {
        finish();
      }
    };
    // A released batch must reach a worker that is waiting, not only the next one to finish.
    const wakeIdle = () => {
      for (const [worker, receipt] of busy) if (receipt === undefined && worker.connected) next(worker);
    };
    const start = () => {
      const worker = fork(RUN_TS, [WORKER_TS], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      busy.set(worker, undefined);
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') return next(worker);
        if (message.type === 'done') {
          queue.delete(message.receipt);
          reports.push(message.report);
        } else {
          failures.push(message.error);
          queue.release(message.receipt);
          wakeIdle();
        }
        next(worker);
      });
      worker.on('exit', (code, signal) => {
        const receipt = busy.get(worker);
        busy.delete(worker);
        if (finished) return;
        if (receipt !== undefined) {
          failures.push(`worker ${worker.pid} ended (${signal ?? `exit ${code}`}) during a batch; it goes back to the queue`);
          queue.release(receipt);
        }
        if (queue.idle && [...busy.values()].every((r) => r === undefined) && busy.size > 0) return finish();
        if (replacements-- <= 0) return finish(new Error(`local workers keep ending (last: ${signal ?? `exit ${code}`}); see their output above`));
        start();
        wakeIdle();
      });
      worker.send({ type: 'init', config: options.config, endpoint: options.endpoint, tableName: options.tableName } satisfies ToWorker);
    };
    for (let i = 0; i < options.workers; i++) start();
  });
}
