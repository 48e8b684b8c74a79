import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '#shared/config/load.ts';
import { loadTopicPack } from '#shared/classify/topic-pack.ts';
import { DEFAULT_DATA_DIR, openLocalStore } from '../local-store.ts';
import { LocalCycleRunner } from '../local-cycle.ts';
import { runAwsCycle } from '../aws-cycle.ts';

export function runCommand(): Command {
  return new Command('run')
    .description('Run one poll cycle: fetch, classify, store matches, send alerts (outbox locally, SNS with --aws).')
    .requiredOption('--config <file>', 'config file (fundwatch.config.json)')
    .addOption(new Option('--data-dir <dir>', 'embedded DynamoDB Local data folder').default(DEFAULT_DATA_DIR))
    .option('--aws', 'use the deployed stack (table and topic from its outputs) instead of the embedded store')
    .option('--json', 'print the cycle report as JSON instead of text')
    .addOption(
      new Option('--workers <n>', 'fan the cycle out as the stack does at scale: a dispatcher and N worker processes on one queue')
        .argParser(parseWorkers)
        .conflicts('aws'),
    )
    .action(async (options: { config: string; dataDir: string; aws?: boolean; json?: boolean; workers?: number }) => {
      const config = await loadConfig(options.config);
      const pack = await loadTopicPack(config.topicPack);
      if (options.aws) {
        await runAwsCycle(config, pack, process.stdout, options.json === true);
        return;
      }
      const local = await openLocalStore(options.dataDir);
      const out = options.json ? { write: () => true } : process.stdout;
      const runner = new LocalCycleRunner(local, config, pack, out);
      try {
        const result = options.workers ? await runner.runFanOut(options.workers) : await runner.run();
        if (options.json) {
          process.stdout.write(
            `${JSON.stringify({ ...result.report, emails: result.emails.map((e) => ({ topic: e.topic, mode: e.mode, subject: e.subject, itemIds: e.itemIds })) })}\n`,
          );
        }
      } finally {
        runner.close();
        await local.stop();
      }
    });
}

function parseWorkers(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError(`expected a whole number of workers from 1 to 64, got ${JSON.stringify(value)}`);
  return n;
}
