import { Command, Option } from 'commander';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Feedback } from '#shared/feedback/feedback.ts';
import { BadRequestError } from '#shared/query/errors.ts';
import { DEFAULT_DATA_DIR } from '#cli/local-store.ts';
import { UsageError } from '#cli/errors.ts';
import { localUserName } from '#cli/local-user.ts';
import { usageExit } from './serve.ts';

/**
 * `fundwatch feedback ITEM_ID --not-relevant | --topics a,b`: records an analyst's label on a
 * stored match, in the local store or (with --aws) in the deployed stack's table. The label is
 * data for `fundwatch eval --feedback`; it never changes the pack.
 */

interface FeedbackOptions {
  notRelevant?: boolean;
  topics?: string;
  by?: string;
  config?: string;
  dataDir: string;
  aws?: boolean;
  json?: boolean;
}

const FLAG_OF: Record<string, string> = { verdict: '--not-relevant or --topics', topics: '--topics', id: 'ITEM_ID' };

/** The label as the feedback service parses it, from the flags. */
function bodyOf(opts: FeedbackOptions): Record<string, unknown> {
  if (opts.notRelevant) return { verdict: 'not-relevant' };
  if (opts.topics !== undefined) return { verdict: 'topics', topics: opts.topics.split(',').map((t) => t.trim()).filter(Boolean) };
  throw new UsageError('give --not-relevant or --topics a,b');
}

function describe(feedback: Feedback): string {
  const label = feedback.verdict === 'not-relevant' ? 'not relevant' : `topics ${feedback.topics!.join(', ')}`;
  return `recorded on ${feedback.itemId}: ${label} (at ${feedback.at}${feedback.by ? `, by ${feedback.by}` : ''})`;
}

async function topicIdsOf(configPath: string | undefined): Promise<string[]> {
  const { loadTopicPack } = await import('#shared/classify/topic-pack.ts');
  const packName = configPath ? (await (await import('#shared/config/load.ts')).loadConfig(configPath)).topicPack : 'default';
  return (await loadTopicPack(packName)).topics.map((t) => t.id);
}

/** Both stores take the label through the same service: validated first, so a typo costs no start-up. */
async function recordIn(
  open: () => Promise<{ doc: DynamoDBDocumentClient; tableName: string; stop: () => Promise<void> | void }>,
  itemId: string,
  body: Record<string, unknown>,
  opts: FeedbackOptions,
): Promise<Feedback> {
  const topicIds = await topicIdsOf(opts.config);
  const { createFeedbackService } = await import('#shared/feedback/service.ts');
  const { parseFeedback } = await import('#shared/feedback/feedback.ts');
  parseFeedback(body, { itemId, topicIds, at: new Date().toISOString() });
  const { DynamoFeedbackStore } = await import('#shared/feedback/dynamo-feedback-store.ts');
  const store = await open();
  try {
    const service = createFeedbackService({ store: new DynamoFeedbackStore({ client: store.doc, tableName: store.tableName }), topicIds });
    return await service.record(itemId, body, opts.by ?? localUserName());
  } finally {
    await store.stop();
  }
}

async function openLocal(opts: FeedbackOptions) {
  const { openLocalStore } = await import('#cli/local-store.ts');
  return openLocalStore(opts.dataDir);
}

/**
 * As `fundwatch eval --feedback --aws` reads it: the deployed table, with the caller's own
 * credentials, so the label needs no deployed web page or API signing.
 */
async function openDeployed() {
  const { readStackOutputs } = await import('#cli/aws-stack.ts');
  const { createDocumentClient } = await import('#shared/store/dynamo-client.ts');
  const outputs = await readStackOutputs();
  const doc = createDocumentClient({ region: outputs.region });
  return { doc, tableName: outputs.tableName, stop: () => doc.destroy() };
}

export function feedbackCommand(): Command {
  return new Command('feedback')
    .description('Label a stored match for the eval: not relevant, or the topics it should have (the pack is never changed by it).')
    .argument('<item-id>', 'the id of the stored match (the "id" of `fundwatch query --json`)')
    .addOption(new Option('--not-relevant', 'the match is about none of the topics').conflicts('topics'))
    .option('--topics <ids>', 'the topics it should have, comma-separated (ids of the topic pack)')
    .option('--by <name>', 'who gives the label (default: your user name)')
    .option('--config <file>', 'config file whose topic pack the topics are checked against')
    .option('--data-dir <dir>', 'local data directory', DEFAULT_DATA_DIR)
    .option('--aws', "record it in the deployed stack's table (with your AWS credentials)")
    .option('--json', 'print the recorded label as JSON')
    .exitOverride(usageExit)
    .action(async (itemId: string, opts: FeedbackOptions) => {
      const body = bodyOf(opts);
      let feedback: Feedback;
      try {
        feedback = await recordIn(opts.aws ? openDeployed : () => openLocal(opts), itemId, body, opts);
      } catch (err) {
        if (err instanceof BadRequestError) throw new UsageError(`${FLAG_OF[err.parameter] ?? err.parameter}: ${err.message}`);
        const { NoSuchMatchError } = await import('#shared/feedback/ports.ts');
        if (err instanceof NoSuchMatchError) throw new UsageError(err.message);
        throw err;
      }
      process.stdout.write(opts.json ? `${JSON.stringify(feedback)}\n` : `${describe(feedback)}\n`);
    });
}
