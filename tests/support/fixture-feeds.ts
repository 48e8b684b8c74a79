import { fileURLToPath } from 'node:url';
import { parseConfig } from '#shared/config/load.ts';
import type { Config, ConfigInput } from '#shared/config/schema.ts';
import { startFixtureServer, type FixtureServer } from '#shared/local/fixture-server.ts';

export const FIXTURE_FEEDS_DIR = fileURLToPath(new URL('../../fixtures/feeds', import.meta.url));

export function startSampleFeeds(now?: Date): Promise<FixtureServer> {
  return startFixtureServer({ dir: FIXTURE_FEEDS_DIR, ...(now ? { now } : {}) });
}

/** A config for the sample feeds on `server`, plus one feed that does not exist there. */
export function sampleConfig(server: FixtureServer, extra: Partial<ConfigInput> = {}): Config {
  return parseConfig({
    feeds: [
      { url: `${server.url}/alliance-news.xml`, name: 'Alliance Press Desk' },
      { url: `${server.url}/europe-desk.atom`, name: 'Europe Desk' },
      { url: `${server.url}/kyiv-wire.rdf`, name: 'Kyiv Wire', language: 'uk' },
      { url: `${server.url}/retired-feed.xml`, name: 'Retired Feed' },
    ],
    fetch: { allowPrivateHosts: ['127.0.0.1'], timeoutMs: 5000 },
    ...extra,
  });
}
