import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './classify-helpers.ts';

const bin = resolve(repoRoot, 'bin/fundwatch.mjs');

function fundwatch(args: string[], input = '') {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: repoRoot, input, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const item = (id: string, title: string, summary = '', labels?: string[]) =>
  JSON.stringify({ id, title, summary, source: 'test', published: '2024-04-03T09:00:00Z', lang: 'en', ...(labels ? { labels } : {}) });

describe('fundwatch classify', () => {
  it('writes one result line per item, in input order, with sorted labels, scores and evidence', () => {
    const input = [
      item('1', 'Summit creates Wiesbaden command and €40bn floor for Ukraine', 'NATO leaders agreed it in Washington.'),
      item('2', 'Heatwave grips southern Europe'),
      '',
    ].join('\n');
    const { status, stdout, stderr } = fundwatch(['classify'], input);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(['1', '2']);
    expect(lines[0].labels).toEqual(['nato-meetings', 'nato-mission', 'ukraine-fund']);
    expect(lines[0].scores['ukraine-fund']).toBeGreaterThan(0.5);
    expect(lines[0].evidence['nato-mission']).toContain('rule:wiesbaden-command');
    expect(lines[1]).toEqual({ id: '2', labels: [], scores: {}, evidence: {} });
  });

  it('reports malformed lines by number on stderr, keeps going, and exits non-zero', () => {
    const input = [item('1', 'Pentagon halts weapons shipments to Ukraine'), '{not json', '{"id":"3"}', item('4', 'Rain in Paris')].join('\n');
    const { status, stdout, stderr } = fundwatch(['classify'], input);
    expect(status).toBe(1);
    expect(stdout.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(['1', '4']);
    expect(stderr).toMatch(/line 2: not valid JSON/);
    expect(stderr).toMatch(/line 3: missing "title"/);
  });

  it('uses another topic pack when given --pack, and explains a bad one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fundwatch-cli-'));
    const pack = join(dir, 'pack.json');
    writeFileSync(pack, JSON.stringify({ version: 1, id: 'p', concepts: { rain: { terms: { en: ['rain'] } } }, topics: [{ id: 'weather', title: 'Weather', rules: [{ id: 'rain', weight: 1, all: ['rain'] }] }] }));
    const ok = fundwatch(['classify', '--pack', pack], item('1', 'Rain in Paris'));
    expect(JSON.parse(ok.stdout).labels).toEqual(['weather']);
    writeFileSync(pack, JSON.stringify({ version: 1, id: 'p', concepts: {}, topics: [] }));
    const bad = fundwatch(['classify', '--pack', pack], item('1', 'Rain'));
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('$.topics: expected at least one topic');
  });
});

describe('fundwatch eval', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fundwatch-eval-'));
  const data = join(dir, 'data.jsonl');
  writeFileSync(
    data,
    [
      item('a', 'Pentagon halts weapons shipments to Ukraine', '', ['us-aid']),
      item('b', 'NATO Innovation Fund backs start-up', '', []),
      item('c', 'Heatwave grips southern Europe', '', ['nato-meetings']),
    ].join('\n'),
  );

  it('prints per-label scores, averages, relevance and the misclassified items with evidence', () => {
    const { status, stdout } = fundwatch(['eval', '--data', data]);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^us-aid\s+1\.000\s+1\.000\s+1\.000/m);
    expect(stdout).toMatch(/^micro\s/m);
    expect(stdout).toMatch(/^macro\s/m);
    expect(stdout).toMatch(/^relevance\s+1\.000\s+0\.500/m);
    expect(stdout).toContain('misclassified: 1');
    expect(stdout).toContain('c  Heatwave grips southern Europe');
    expect(stdout).toContain('missing nato-meetings (score 0): no rule fired');
  });

  it('prints the same as one JSON object with --json', () => {
    const { status, stdout } = fundwatch(['eval', '--data', data, '--json']);
    expect(status).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.items).toBe(3);
    expect(report.perLabel['us-aid']).toMatchObject({ tp: 1, fp: 0, fn: 0 });
    expect(report.relevance).toMatchObject({ tp: 1, fp: 0, fn: 1 });
    expect(report.misclassified).toEqual([expect.objectContaining({ id: 'c', missing: ['nato-meetings'], extra: [], predicted: [] })]);
  });

  it('fails clearly when the data file is missing', () => {
    const { status, stderr } = fundwatch(['eval', '--data', join(dir, 'absent.jsonl')]);
    expect(status).toBe(2);
    expect(stderr).toMatch(/cannot read .*absent\.jsonl: ENOENT/);
  });

  it('prints micro and relevance scores per language, in the table and in --json', () => {
    const mixed = join(dir, 'mixed.jsonl');
    const line = (id: string, lang: string | undefined, title: string, labels: string[]) => JSON.stringify({ id, title, summary: '', lang, labels });
    writeFileSync(
      mixed,
      [
        line('e1', 'en', 'Pentagon halts weapons shipments to Ukraine', ['us-aid']),
        line('e2', 'en', 'Heatwave grips southern Europe', []),
        line('h1', 'hu', 'Heatwave grips southern Europe', ['us-aid']),
        line('n1', undefined, 'Heatwave grips southern Europe', []),
      ].join('\n'),
    );
    const text = fundwatch(['eval', '--data', mixed]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^per language\nlang\s+items\s+micro P\s+micro R\s+micro F1\s+rel P\s+rel R$/m);
    expect(text.stdout).toMatch(/^en\s+2\s+1\.000\s+1\.000\s+1\.000\s+1\.000\s+1\.000$/m);
    // Nothing predicted but one item missed: precision counts as 0, not 1 (see metrics.ts).
    expect(text.stdout).toMatch(/^hu\s+1\s+0\.000\s+0\.000\s+0\.000\s+0\.000\s+0\.000$/m);
    expect(text.stdout).toMatch(/^und\s+1\s/m);
    const report = JSON.parse(fundwatch(['eval', '--data', mixed, '--json']).stdout);
    expect(Object.keys(report.byLanguage)).toEqual(['en', 'hu', 'und']);
    expect(report.byLanguage.en).toMatchObject({ items: 2, micro: { tp: 1, fp: 0, fn: 0 }, relevance: { tp: 1, fp: 0, fn: 0 } });
    expect(report.byLanguage.hu).toMatchObject({ items: 1, micro: { tp: 0, fp: 0, fn: 1 }, relevance: { tp: 0, fp: 0, fn: 1 } });
  });
});
