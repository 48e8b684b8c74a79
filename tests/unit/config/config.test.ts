import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '#shared/config/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'fundwatch-config-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('the config file', () => {
  it('needs only feeds; everything else has its documented default', () => {
    const config = parseConfig({ feeds: [{ url: 'https://www.nato.int/rss.xml', name: 'NATO' }] });
    expect(config.topicPack).toBe('default');
    expect(config.fetch).toMatchObject({ allowPrivateHosts: [], timeoutMs: 10_000, maxBytes: 5_242_880, maxRedirects: 5 });
    expect(config.alerts).toMatchObject({ maxAgeHours: 48, maxItemsPerEmail: 20, duplicateWindowHours: 72 });
    expect(config.schedule).toEqual({ pollEveryMinutes: 15, digestHourUtc: 7 });
    expect(config.subscriptions).toEqual([]);
  });

  it('reports every mistake with its JSON path and what was expected, unknown keys included', () => {
    let error: unknown;
    try {
      parseConfig({
        feeds: [{ url: 'ftp://example.org/feed', name: '' }],
        fetch: { timeoutMs: 'soon', maxByte: 10 },
        subscriptions: [{ email: 'not-an-address', topics: [], mode: 'hourly' }],
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toContain('$.feeds[0].url: expected an http(s) URL');
    expect(problems).toContain('$.feeds[0].name: expected a non-empty feed name');
    expect(problems).toContain('$.fetch: unknown key "maxByte"');
    expect(problems.some((p) => p.startsWith('$.fetch.timeoutMs: '))).toBe(true);
    expect(problems).toContain('$.subscriptions[0].email: expected an email address');
    expect(problems).toContain('$.subscriptions[0].topics: expected at least one topic');
    expect(problems.some((p) => p.startsWith('$.subscriptions[0].mode: '))).toBe(true);
  });

  it('refuses a config without feeds', () => {
    expect(() => parseConfig({ feeds: [] })).toThrow(/\$\.feeds: expected at least one feed/);
    expect(() => parseConfig({})).toThrow(/\$\.feeds: /);
  });

  it('names the file when it cannot be read or is not JSON', async () => {
    await expect(loadConfig(join(dir, 'missing.json'))).rejects.toThrow(/missing\.json is not a valid fundwatch config:\n {2}- cannot read the file: ENOENT/);
    await expect(loadConfig(file('broken.json', '{ "feeds": ['))).rejects.toThrow(/broken\.json .*\n {2}- not valid JSON: /);
  });

  it('loads the shipped demo and deploy configs', async () => {
    expect((await loadConfig('fixtures/demo.config.json')).fetch.allowPrivateHosts).toEqual(['127.0.0.1']);
    expect((await loadConfig('fundwatch.config.json')).feeds.length).toBeGreaterThan(10);
  });
});
