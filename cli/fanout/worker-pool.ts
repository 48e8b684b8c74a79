import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Config } from '#shared/config/schema.ts';
import type { BatchReport } from '#shared/fanout/poll-batch.ts';
import type { LocalFeedBatchQueue } from './local-queue.ts';
import type { FromWorker, ToWorker } from './worker-protocol.ts';

const RUN_TS = fileURLToPath(new URL('../../bin/run-ts.mjs', import.meta.url));
const WORKER_TS = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

export interface WorkerPoolStart {
  workers: number;
  config: Config;
  endpoint: string;
  tableName: string;
}

export interface DrainHooks {
  /** A worker took a batch (tests use it to end a worker mid-batch). */
  onBatchStarted?: (worker: ChildProcess, receipt: string) => void;
}

export type WorkerPoolOptions = WorkerPoolStart & DrainHooks & { queue: LocalFeedBatchQueue };

export interface WorkerPoolResult {
  reports: BatchReport[];
  /** Batches a worker failed or died on; each went back to the queue (or to its dead letters). */
  failures: string[];
  deadLetters: string[];
}

interface Drain extends DrainHooks {
  queue: LocalFeedBatchQueue;
  reports: BatchReport[];
  failures: string[];
  resolve: (result: WorkerPoolResult) => void;
  reject: (error: Error) => void;
}

/**
 * N worker processes consuming a local queue, as Lambda's event source mapping runs up to
 * `maximumConcurrency` workers on SQS: each takes one batch at a time; a batch it answers is
 * deleted, a batch it fails or dies on is released and comes back. A worker that dies is
 * replaced, up to three times the pool's size, so a crash loop ends the run instead of spinning.
 *
 * The pool outlives one queue, as warm Lambda workers outlive one cycle: the benchmark drains a
 * queue per cycle through the same processes, so a steady cycle is not timed with N process
 * start-ups in it.
 */
export class LocalWorkerPool {
  /** Each live worker and the receipt of the batch it holds, if any. */
  private readonly busy = new Map<ChildProcess, string | undefined>();
  private readonly ready = new Set<ChildProcess>();
  private replacements: number;
  private drain: Drain | undefined;
  private closing = false;
  private starting: { resolve: () => void; reject: (error: Error) => void } | undefined;

  private constructor(private readonly options: WorkerPoolStart) {
    this.replacements = options.workers * 3;
  }

  /** Resolves once every worker has loaded the pack and reached the table. */
  static async start(options: WorkerPoolStart): Promise<LocalWorkerPool> {
    const pool = new LocalWorkerPool(options);
    await new Promise<void>((resolve, reject) => {
      pool.starting = { resolve, reject };
      for (let i = 0; i < options.workers; i++) pool.fork();
    });
    return pool;
  }

  /** Polls every batch of `queue`; resolves when the queue is empty and no worker holds a batch. */
  drainQueue(queue: LocalFeedBatchQueue, hooks: DrainHooks = {}): Promise<WorkerPoolResult> {
    if (this.drain) return Promise.reject(new Error('the pool is already draining a queue'));
    return new Promise((resolve, reject) => {
      this.drain = { ...hooks, queue, reports: [], failures: [], resolve, reject };
      this.wakeIdle();
      this.finishIfDone();
    });
  }

  /** The live workers' process ids (the benchmark reads their CPU time). */
  get pids(): number[] {
    return [...this.busy.keys()].flatMap((worker) => (worker.pid === undefined ? [] : [worker.pid]));
  }

  async close(): Promise<void> {
    this.closing = true;
    const exits = [...this.busy.keys()].map((worker) => new Promise<void>((resolve) => (worker.exitCode !== null || worker.signalCode !== null ? resolve() : worker.once('exit', () => resolve()))));
    for (const worker of this.busy.keys()) if (worker.connected) worker.disconnect();
    await Promise.all(exits);
  }

  private fork(): void {
    const worker = fork(RUN_TS, [WORKER_TS], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    this.busy.set(worker, undefined);
    worker.on('message', (message: FromWorker) => this.onMessage(worker, message));
    worker.on('exit', (code, signal) => this.onExit(worker, signal ?? `exit ${code}`));
    const { config, endpoint, tableName } = this.options;
    worker.send({ type: 'init', config, endpoint, tableName } satisfies ToWorker);
  }

  private onMessage(worker: ChildProcess, message: FromWorker): void {
    if (message.type === 'ready') {
      this.ready.add(worker);
      if (this.starting && this.ready.size >= this.options.workers) {
        this.starting.resolve();
        this.starting = undefined;
      }
      return this.next(worker);
    }
    const drain = this.drain;
    if (message.type === 'done') {
      drain?.queue.delete(message.receipt);
      drain?.reports.push(message.report);
    } else {
      drain?.failures.push(message.error);
      drain?.queue.release(message.receipt);
      this.wakeIdle();
    }
    this.next(worker);
  }

  private onExit(worker: ChildProcess, how: string): void {
    const receipt = this.busy.get(worker);
    this.busy.delete(worker);
    this.ready.delete(worker);
    if (this.closing) return;
    if (receipt !== undefined && this.drain) {
      this.drain.failures.push(`worker ${worker.pid} ended (${how}) during a batch; it goes back to the queue`);
      this.drain.queue.release(receipt);
    }
    if (this.replacements-- <= 0) return this.fail(new Error(`local workers keep ending (last: ${how}); see their output above`));
    this.fork();
    this.wakeIdle();
  }

  private next(worker: ChildProcess): void {
    const message = this.ready.has(worker) ? this.drain?.queue.receive() : undefined;
    this.busy.set(worker, message?.receipt);
    if (message) {
      worker.send({ type: 'batch', receipt: message.receipt, body: message.body } satisfies ToWorker);
      this.drain?.onBatchStarted?.(worker, message.receipt);
    } else {
      this.finishIfDone();
    }
  }

  /** A released batch must reach a worker that is waiting, not only the next one to finish. */
  private wakeIdle(): void {
    for (const [worker, receipt] of this.busy) if (receipt === undefined && worker.connected && this.ready.has(worker)) this.next(worker);
  }

  private finishIfDone(): void {
    const drain = this.drain;
    if (!drain || !drain.queue.idle || [...this.busy.values()].some((receipt) => receipt !== undefined)) return;
    this.drain = undefined;
    drain.resolve({ reports: drain.reports, failures: drain.failures, deadLetters: [...drain.queue.deadLetters] });
  }

  private fail(error: Error): void {
    this.starting?.reject(error);
    this.starting = undefined;
    const drain = this.drain;
    this.drain = undefined;
    drain?.reject(error);
  }
}

/** One queue through a pool started for it: `fundwatch run --workers N`. */
export async function runWorkerPool(options: WorkerPoolOptions): Promise<WorkerPoolResult> {
  const pool = await LocalWorkerPool.start(options);
  try {
    return await pool.drainQueue(options.queue, options);
  } finally {
    await pool.close();
  }
}
