import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/**
 * The `fundwatch` command as a user runs it: `node bin/fundwatch.mjs ...` in a child process,
 * in a working directory of the test's choosing.
 */

const BIN = fileURLToPath(new URL('../../bin/fundwatch.mjs', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runFundwatch(args: string[], cwd: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A refusal: non-zero, one `fundwatch: ...` message, no stack trace. */
export function expectRefusal(run: CliRun, message: RegExp): void {
  expect(run.code, run.stderr).not.toBe(0);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(/^\s+at .+[:(]/m);
}
