import { Command, Option } from 'commander';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '#shared/config/load.ts';
import { loadTopicPack } from '#shared/classify/topic-pack.ts';
import { startFixtureServer, type FixtureServer } from '#shared/local/fixture-server.ts';
import { UsageError } from '../errors.ts';
import { DEFAULT_DATA_DIR, openLocalStore, type LocalStore } from '../local-store.ts';
import { LocalCycleRunner } from '../local-cycle.ts';
import { formatStoredMatch } from '../print-cycle.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const DEFAULT_CONFIG = `${FIXTURES}demo.config.json`;

function fixturePort(feedUrl: string): number {
  const url = new URL(feedUrl);
  if (url.hostname !== '127.0.0.1' || !url.port) {
    throw new UsageError(`the demo serves its feeds on 127.0.0.1; ${feedUrl} is elsewhere`);
  }
  return Number(url.port);
}

/**
 * `npm start`: the whole job on the embedded default. Two cycles over the sample feeds; between
 * them one feed publishes one new item, so the second cycle shows 304s and a single alert.
 */
export function demoCommand(): Command {
  return new Command('demo')
    .description('Run the main job on the embedded default: sample feeds on loopback, DynamoDB Local, two poll cycles.')
    .addOption(new Option('--data-dir <dir>', 'embedded DynamoDB Local data folder').default(DEFAULT_DATA_DIR))
    .addOption(new Option('--config <file>', 'config for the sample feeds').default(DEFAULT_CONFIG, 'fixtures/demo.config.json'))
    .action(async (options: { dataDir: string; config: string }) => {
      const out = process.stdout;
      const config = await loadConfig(options.config);
      const pack = await loadTopicPack(config.topicPack);
      let server: FixtureServer | undefined;
      let local: LocalStore | undefined;
      let runner: LocalCycleRunner | undefined;
      const cleanup = async () => {
        runner?.close();
        await Promise.allSettled([server?.close(), local?.stop()]);
      };
      // Ctrl-C must not leave DynamoDB Local or the feed server behind.
      const onSignal = (signal: NodeJS.Signals) => {
        void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        server = await startFixtureServer({ dir: `${FIXTURES}feeds`, port: fixturePort(config.feeds[0]!.url) });
        out.write('Starting DynamoDB Local…\n');
        local = await openLocalStore(options.dataDir);
        out.write(
          `fundwatch demo\n  store:  DynamoDB Local at ${local.endpoint}, data in ${local.dataDir}/db\n` +
            `  feeds:  ${config.feeds.length} sample feeds served on ${server.url}\n` +
            `  alerts: printed below and written to ${local.dataDir}/outbox/\n\n`,
        );
        runner = new LocalCycleRunner(local, config, pack, out);

        out.write('━━ Cycle 1: first poll of every feed ━━\n');
        const first = await runner.run();
        server.publishLateItems();
        out.write('━━ Cycle 2: one sample feed has published one new item ━━\n');
        const second = await runner.run();

        const stored = await local.store.recentMatches('0000', 200);
        out.write(`━━ Stored matches (${stored.length}, newest first; \`npx fundwatch query\` reads them) ━━\n`);
        const now = new Date();
        for (const match of stored) out.write(`${formatStoredMatch(match, now)}\n`);
        out.write(
          `\nDone: cycle 1 stored ${first.report.stored.length} and sent ${first.emails.length} email(s); ` +
            `cycle 2 stored ${second.report.stored.length} and sent ${second.emails.length}.\n` +
            'Run `npm start` again: everything is already stored, so no alert is sent twice.\n',
        );
      } finally {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
        await cleanup();
      }
    });
}
