import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '#shared/local/dynamodb-local.ts';

/**
 * `npm start` end to end: the real CLI in a child process, with its own DynamoDB Local and
 * sample-feed server, on a free port so it cannot collide with anything.
 */

const dir = mkdtempSync(join(tmpdir(), 'fundwatch-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function demoConfig(): Promise<string> {
  const port = await freePort();
  const base = JSON.parse(readFileSync('fixtures/demo.config.json', 'utf8')) as { feeds: { url: string }[] };
  for (const feed of base.feeds) feed.url = feed.url.replace(':8089/', `:${port}/`);
  const path = join(dir, `demo-${port}.config.json`);
  writeFileSync(path, JSON.stringify(base));
  return path;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
}

function runDemo(args: string[], onStdout?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/fundwatch.mjs', 'demo', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      onStdout?.(stdout, child);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, pid: child.pid! }));
  });
}

/** java processes whose command line names this data dir: DynamoDB Local started by the demo. */
function dynamoProcessesFor(dataDir: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes('DynamoDBLocal') && line.includes(dataDir));
}

describe('fundwatch demo (npm start)', () => {
  const dataDir = join(dir, 'data');
  let first: Run;

  it('stores matches, prints one email per topic, then a cycle of 304s that alerts only the new item', async () => {
    first = await runDemo(['--data-dir', dataDir, '--config', await demoConfig()]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const [cycle1, rest] = first.stdout.split('━━ Cycle 2');
    expect(cycle1).toMatch(/✓ Alliance Press Desk +200/);
    expect(cycle1).toMatch(/✗ Retired Feed +404 +failed \(gone\)/);
    const subjects1 = [...cycle1!.matchAll(/^Subject: (.+)$/gm)].map((m) => m[1]);
    const topics1 = [...cycle1!.matchAll(/^Topic: (.+)$/gm)].map((m) => m[1]);
    expect(subjects1.length).toBeGreaterThanOrEqual(4);
    expect(new Set(topics1).size).toBe(topics1.length);
    expect(cycle1).toContain('duplicate of');
    expect(rest).toMatch(/= Europe Desk +304/);
    expect(rest).toMatch(/= Kyiv Wire +304/);
    const [cycle2] = rest!.split('━━ Stored matches');
    expect([...cycle2!.matchAll(/^Subject: (.+)$/gm)].map((m) => m[1])).toEqual([
      "[fundwatch] Ukraine fund: 1 new — Hungary says it will not veto NATO's Ukraine fund but will not…",
    ]);
    const outbox = readdirSync(join(dataDir, 'outbox'));
    expect(outbox).toHaveLength(subjects1.length + 1);
    expect(readFileSync(join(dataDir, 'outbox', outbox[0]!), 'utf8')).toMatch(/^Subject: .+\nTopic: .+\nMode: instant\n\n/);
    expect(dynamoProcessesFor(dataDir)).toEqual([]);
  }, 120_000);

  it('sends no alert for items already stored when run again', async () => {
    const again = await runDemo(['--data-dir', dataDir, '--config', await demoConfig()]);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toMatch(/^Subject:/m);
    expect(again.stdout).toContain('cycle 1 stored 0 and sent 0 email(s); cycle 2 stored 0 and sent 0');
    expect(readdirSync(join(dataDir, 'outbox'))).toHaveLength(first.stdout.match(/^Subject:/gm)!.length);
  }, 120_000);

  it('leaves no DynamoDB Local behind when interrupted with Ctrl-C', async () => {
    const interruptedDir = join(dir, 'interrupted');
    let sent = false;
    const run = await runDemo(['--data-dir', interruptedDir, '--config', await demoConfig()], (stdout, child) => {
      // Interrupt once DynamoDB Local is up and the first cycle has begun.
      if (!sent && stdout.includes('━━ Cycle 1')) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    expect(sent).toBe(true);
    expect(run.code).toBe(130);
    expect(dynamoProcessesFor(interruptedDir)).toEqual([]);
  }, 120_000);
});
