import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Bad input to the `fundwatch` command, end to end through `node bin/fundwatch.mjs`: a non-zero
 * exit, a clear message on the first line of stderr, and never a stack trace. None of these
 * reaches the network or starts DynamoDB Local.
 */

const BIN = fileURLToPath(new URL('../../../bin/fundwatch.mjs', import.meta.url));
let dir: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  firstLine: string;
}

function fundwatch(args: string[], stdin = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, firstLine: stderr.split('\n')[0] ?? '' }));
    child.stdin.end(stdin);
  });
}

/** What every refusal shares: non-zero, a message, no stack trace, no internals. */
function expectCleanRefusal(run: Run): void {
  expect(run.code, run.stderr).not.toBe(0);
  expect(run.code).not.toBeNull();
  expect(run.firstLine.trim()).not.toBe('');
  expect(run.stderr).not.toMatch(/^\s+at .+[:(]/m);
  expect(run.stderr).not.toMatch(/node_modules|\.ts:\d+:\d+|Error: .*\n\s+at /);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fundwatch-cli-input-'));
  await writeFile(join(dir, 'unknown-key.json'), JSON.stringify({ feeds: [{ url: 'http://127.0.0.1:9/a.xml', name: 'A' }], fetchh: {} }));
  await writeFile(join(dir, 'broken.json'), '{ "feeds": [ { "url": "http://127.0.0.1:9/a.xml", "name": "A" } ');
  await writeFile(join(dir, 'bad-url.json'), JSON.stringify({ feeds: [{ url: 'file:///etc/passwd', name: 'A' }] }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.concurrent('fundwatch with bad input', () => {
  it('run --config missing.json', async () => {
    const run = await fundwatch(['run', '--config', 'missing.json', '--data-dir', join(dir, 'data')]);
    expectCleanRefusal(run);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^fundwatch: missing\.json is not a valid fundwatch config:\n {2}- cannot read the file: ENOENT\n$/);
  });

  it('run with a config that has an unknown key', async () => {
    const run = await fundwatch(['run', '--config', 'unknown-key.json', '--data-dir', join(dir, 'data')]);
    expectCleanRefusal(run);
    expect(run.firstLine).toBe('fundwatch: unknown-key.json is not a valid fundwatch config:');
    expect(run.stderr).toContain('$: unknown key "fetchh"');
    expect(run.stderr.trim().split('\n')).toHaveLength(2);
  });

  it('run with a config that is not JSON, or has a file: feed URL', async () => {
    const [broken, badUrl] = await Promise.all([
      fundwatch(['run', '--config', 'broken.json', '--data-dir', join(dir, 'data')]),
      fundwatch(['run', '--config', 'bad-url.json', '--data-dir', join(dir, 'data')]),
    ]);
    expectCleanRefusal(broken);
    expect(broken.stderr).toMatch(/- not valid JSON: /);
    expectCleanRefusal(badUrl);
    expect(badUrl.stderr).toContain('$.feeds[0].url: expected an http(s) URL');
  });

  it('query --since yesterday', async () => {
    const run = await fundwatch(['query', '--since', 'yesterday', '--data-dir', join(dir, 'data')]);
    expectCleanRefusal(run);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^fundwatch: --since: expected an ISO 8601 date .*\n$/);
  });

  it('classify with a broken JSON line', async () => {
    const good = JSON.stringify({ id: 'ok-1', title: "NATO allies back Stoltenberg's €100 billion five-year fund for Ukraine", summary: '' });
    const run = await fundwatch(['classify'], `${good}\n{"id": "broken", "title": \n${good.replace('ok-1', 'ok-2')}\n`);
    expectCleanRefusal(run);
    expect(run.code).toBe(1);
    expect(run.firstLine).toMatch(/^fundwatch classify: line 2: /);
    // The good lines around the broken one are still classified, in order.
    expect(run.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { id: string }).id)).toEqual(['ok-1', 'ok-2']);
  });

  it('an unknown command', async () => {
    const run = await fundwatch(['frobnicate']);
    expectCleanRefusal(run);
    expect(run.firstLine).toBe("error: unknown command 'frobnicate'");
  });

  it('an unknown flag', async () => {
    const run = await fundwatch(['run', '--config', 'unknown-key.json', '--no-such-flag']);
    expectCleanRefusal(run);
    expect(run.firstLine).toBe("error: unknown option '--no-such-flag'");
  });
});
