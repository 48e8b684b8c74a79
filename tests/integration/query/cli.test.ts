import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { openLocalStore } from '#cli/local-store.ts';
import { aMatch } from '#tests/support/matches.ts';

/** The `fundwatch` binary as a user runs it, on a data directory seeded through `openLocalStore`. */

const BIN = join(process.cwd(), 'bin', 'fundwatch.mjs');
let dataDir: string;
/** Each CLI run starts its own DynamoDB Local; under a parallel full run that takes seconds. */
const SLOW = 90_000;

// Recent times: matches expire (DynamoDB TTL) a year after publication, and DynamoDB Local
// really deletes expired rows.
const BASE = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) - 2 * 86_400_000;
const matches = Array.from({ length: 30 }, (_, i) =>
  aMatch({
    id: `cli-${String(i).padStart(2, '0')}`,
    title: `Headline ${i}`,
    publishedAt: new Date(BASE + i * 3_600_000).toISOString(),
    topics: i % 3 === 0 ? ['us-aid'] : ['ukraine-fund'],
    ...(i === 29 ? { duplicateOf: 'cli-26' } : {}),
  }),
);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fundwatch-query-'));
  const local = await openLocalStore(dataDir);
  try {
    for (const m of matches) await local.store.putMatch(m);
  } finally {
    await local.stop();
  }
}, SLOW);

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('fundwatch query and serve on a local data directory', () => {
  it('prints JSON Lines newest first with the contract fields', async () => {
    const { code, stdout, stderr } = await run(['query', '--data-dir', dataDir, '--topic', 'us-aid', '--since', new Date(BASE + 3 * 3_600_000).toISOString(), '--limit', '5', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.id)).toEqual(['cli-27', 'cli-24', 'cli-21', 'cli-18', 'cli-15']);
    for (const key of ['id', 'title', 'link', 'source', 'publishedAt', 'topics', 'score', 'duplicateOf']) expect(lines[0]).toHaveProperty(key);
    const all = await run(['query', '--data-dir', dataDir, '--duplicates', 'include', '--limit', '300', '--json']);
    const ids = all.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { id: string; duplicateOf: string | null }));
    expect(ids).toHaveLength(30);
    expect(ids[0]).toMatchObject({ id: 'cli-29', duplicateOf: 'cli-26' });
  }, SLOW);

  it('exits 2 with a clear message on a bad flag', async () => {
    const { code, stderr } = await run(['query', '--data-dir', dataDir, '--limit', 'lots']);
    expect(code).toBe(2);
    expect(stderr).toContain('--limit');
  });

  it('serves the API on loopback until stopped', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.on('exit', (code) => reject(new Error(`serve exited early with ${code}`)));
        createInterface({ input: child.stdout }).on('line', (line) => {
          const found = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line);
          if (found) resolve(found[1]!);
        });
      });
      const response = await fetch(`${url}/updates?topic=ukraine-fund&limit=2`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { items: { id: string }[] }).items.map((i) => i.id)).toEqual(['cli-28', 'cli-26']);
      expect((await fetch(`${url}/updates?limit=999`)).status).toBe(400);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, SLOW);
});
