import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '#infra/constructs/fundwatch-function.ts';
import { loadDeployInputs } from '#infra/fundwatch-app.ts';

describe('the config a deploy compiles in', () => {
  let dir: string;
  const write = (name: string, value: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
    return path;
  };
  const feeds = [{ url: 'https://news.example.org/feed.xml', name: 'Example' }];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fundwatch-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is the repository default: it loads and validates', async () => {
    const { config, topicPackJson } = await loadDeployInputs(join(PROJECT_ROOT, 'fundwatch.config.json'));
    expect(config.feeds.length).toBeGreaterThanOrEqual(15);
    expect(new Set(config.feeds.map((f) => f.url)).size).toBe(config.feeds.length);
    expect(config.feeds.every((f) => f.url.startsWith('https://'))).toBe(true);
    expect(config.subscriptions).toEqual([]);
    expect(config.fetch.allowPrivateHosts).toEqual([]);
    // The validated pack, defaults applied, is what the bundles carry.
    expect(JSON.parse(topicPackJson).topics.map((t: { id: string }) => t.id).sort()).toEqual(
      ['defense-industry', 'nato-meetings', 'nato-mission', 'ukraine-fund', 'us-aid'],
    );
  });

  it('fails the synth with the config error when the file is invalid', async () => {
    const path = write('bad.json', { feeds, schedule: { pollEveryMinutes: 2 }, colour: 'blue' });
    const error = await loadDeployInputs(path).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(error?.name).toBe('ConfigError');
    expect(error?.message).toContain('unknown key "colour"');
    expect(error?.message).toContain('$.schedule.pollEveryMinutes');
  });

  it('refuses a subscription to a topic the topic pack does not have', async () => {
    const path = write('typo.json', { feeds, subscriptions: [{ email: 'a@example.org', topics: ['ukraine-fnud'] }] });
    await expect(loadDeployInputs(path)).rejects.toMatchObject({
      name: 'ConfigError',
      message: expect.stringContaining('$.subscriptions[0].topics[0]: unknown topic "ukraine-fnud"'),
    });
  });
});
