import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalStore } from '#cli/local-store.ts';
import { main } from '#cli/main.ts';
import { DynamoFeedbackStore } from '#shared/feedback/dynamo-feedback-store.ts';
import { createFeedbackService } from '#shared/feedback/service.ts';
import { expectRefusal, runFundwatch } from '#tests/support/cli-process.ts';
import { aMatch } from '#tests/support/matches.ts';

/**
 * `fundwatch feedback` and `fundwatch eval --feedback` as a user runs them, on a data directory
 * seeded through the poll cycle's store: label, score, see the regression, exit non-zero.
 */

const SLOW = 90_000;
let dir: string;
let dataDir: string;
let config: string;
// Recent: matches expire a year after publication and DynamoDB Local really deletes them.
const recent = new Date(Date.now() - 86_400_000).toISOString();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fundwatch-feedback-'));
  dataDir = join(dir, 'data');
  config = join(dir, 'fundwatch.config.json');
  await writeFile(config, JSON.stringify({ feeds: [{ url: 'https://news.example.org/feed.xml', name: 'Example' }] }));
  const local = await openLocalStore(dataDir);
  try {
    // The default pack labels this one ukraine-fund: the analyst will say it is not relevant.
    await local.store.putMatch(aMatch({ id: 'fb-fund', publishedAt: recent, title: 'NATO allies weigh a 100-billion-euro five-year fund for Ukraine', summary: 'Secretary General proposes the fund to make military aid to Kyiv predictable.' }));
    await local.store.putMatch(aMatch({ id: 'fb-other', publishedAt: recent, title: 'Parliament debates fishing quotas', summary: 'No defence topic here.', topics: ['us-aid'] }));
    const service = createFeedbackService({ store: new DynamoFeedbackStore({ client: local.doc, tableName: local.tableName }), topicIds: ['us-aid'] });
    await service.record('fb-other', { verdict: 'not-relevant' });
  } finally {
    await local.stop();
  }
}, SLOW);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** In this process, for refusals: no process start-up per case. */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    const code = await main(['node', 'fundwatch', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}

describe('fundwatch feedback and eval --feedback on a local data directory', () => {
  it('records a label, scores the pack on the labelled matches and fails on a rejected label that comes back', async () => {
    const fund = await runFundwatch(['feedback', 'fb-fund', '--not-relevant', '--by', 'ana', '--data-dir', dataDir], dir);
    expect(fund.stderr).toBe('');
    expect(fund.code).toBe(0);
    expect(fund.stdout).toMatch(/^recorded on fb-fund: not relevant \(at \d{4}-\d\d-\d\dT[^,]+, by ana\)\n$/);

    const failing = await runFundwatch(['eval', '--feedback', '--data-dir', dataDir, '--config', config], dir);
    expect(failing.code).toBe(1);
    // fb-other was labelled before (beforeAll, through the service): the pack agrees with it.
    expect(failing.stdout).toMatch(/^2 items$/m);
    expect(failing.stdout).toMatch(/^misclassified: 1$/m);
    expect(failing.stdout).toContain('regressions: 1 (labels an analyst rejected that this pack gives again)');
    expect(failing.stdout).toMatch(/ {2}fb-fund {2}NATO allies weigh .*\n {4}marked not relevant at \S+; the pack gives: ukraine-fund\n/);
    expect(failing.stdout).not.toMatch(/fb-other .*\n {4}marked/);
  }, SLOW * 2);

  it('refuses an unknown id with the clear error', async () => {
    const run = await inProcess(['feedback', 'fb-nowhere', '--not-relevant', '--data-dir', dataDir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('fundwatch: no stored match with id "fb-nowhere"\n');
  }, SLOW);

  it('refuses a topic the pack does not have before starting the database', async () => {
    const typo = await runFundwatch(['feedback', 'fb-fund', '--topics', 'ukraine-fund,us-aide', '--data-dir', join(dir, 'never')], dir);
    expectRefusal(typo, /^fundwatch: --topics: unknown topic "us-aide"; expected one of: .*us-aid/);
    expect(typo.code).toBe(2);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  }, SLOW);

  it.each([
    [['feedback', 'fb-fund'], /give --not-relevant or --topics a,b/],
    [['feedback', 'fb-fund', '--not-relevant', '--topics', 'us-aid'], /cannot be used with option '--topics/],
    [['feedback', 'fb-fund', '--topics', ','], /--topics: expected a non-empty array of topic ids/],
    [['eval', '--feedback', '--data', 'x.jsonl'], /give --data FILE or --feedback, not both/],
    [['eval'], /give --data FILE \(labelled JSON Lines\) or --feedback/],
  ])('refuses %j', async (args, message) => {
    const run = await inProcess([...args, '--data-dir', join(dir, 'never')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });
});
