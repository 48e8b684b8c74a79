import { userInfo } from 'node:os';
import { Command, Option } from 'commander';
import type { Feedback } from '#shared/feedback/feedback.ts';
import { BadRequestError } from '#shared/query/errors.ts';
import { DEFAULT_DATA_DIR } from '#cli/local-store.ts';
import { UsageError } from '#cli/errors.ts';
import { usageExit } from './serve.ts';

/**
 * `fundwatch feedback ITEM_ID --not-relevant | --topics a,b`: records an analyst's label on a
 * stored match, in the local store or (with --aws) through the deployed API, as the web page's
 * buttons do. The label is data for `fundwatch eval --feedback`; it never changes the pack.
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

/** The request body the API takes, from the flags. */
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

async function recordLocally(itemId: string, body: Record<string, unknown>, opts: FeedbackOptions): Promise<Feedback> {
  const topicIds = await topicIdsOf(opts.config);
  const { createFeedbackService } = await import('#shared/feedback/service.ts');
  const { parseFeedback } = await import('#shared/feedback/feedback.ts');
  // Validated before the database starts, so a typo costs no start-up.
  parseFeedback(body, { itemId, topicIds, at: new Date().toISOString() });
  const { openLocalStore } = await import('#cli/local-store.ts');
  const { DynamoFeedbackStore } = await import('#shared/feedback/dynamo-feedback-store.ts');
  const local = await openLocalStore(opts.dataDir);
  try {
    const service = createFeedbackService({ store: new DynamoFeedbackStore({ client: local.doc, tableName: local.tableName }), topicIds });
    return await service.record(itemId, body, opts.by ?? userInfo().username);
  } finally {
    await local.stop();
  }
}

/** Through the deployed API, signed: the label records the caller's IAM identity as `by`. */
async function recordOnAws(itemId: string, body: Record<string, unknown>): Promise<Feedback> {
  const { readStackOutputs } = await import('#cli/aws-stack.ts');
  const { createSigner, regionOfApiUrl, signedFetch } = await import('#shared/query/api-client.ts');
  const outputs = await readStackOutputs();
  const signer = createSigner({ region: regionOfApiUrl(outputs.apiUrl) ?? outputs.region });
  const url = new URL(`updates/${encodeURIComponent(itemId)}/feedback`, outputs.apiUrl.endsWith('/') ? outputs.apiUrl : `${outputs.apiUrl}/`);
  const response = await signedFetch(signer, {
    method: 'POST',
    url: url.href,
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: new TextEncoder().encode(JSON.stringify(body)),
  });
  const text = await response.text();
  let parsed: { feedback?: Feedback; parameter?: string; message?: string } = {};
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    // Not ours (a gateway error page): reported below with the status.
  }
  if (response.status === 400 && parsed.parameter) throw new BadRequestError(parsed.parameter, parsed.message ?? 'rejected');
  if (response.status === 404 && parsed.message) throw new UsageError(parsed.message);
  if (!response.ok || !parsed.feedback) throw new Error(`the query API answered ${response.status}: ${(parsed.message ?? text).slice(0, 300)}`);
  return parsed.feedback;
}

export function feedbackCommand(): Command {
  return new Command('feedback')
    .description('Label a stored match for the eval: not relevant, or the topics it should have (the pack is never changed by it).')
    .argument('<item-id>', 'the id of the stored match (the "id" of `fundwatch query --json`)')
    .addOption(new Option('--not-relevant', 'the match is about none of the topics').conflicts('topics'))
    .option('--topics <ids>', 'the topics it should have, comma-separated (ids of the topic pack)')
    .option('--by <name>', 'who gives the label (default: your user name; with --aws, your IAM identity)')
    .option('--config <file>', 'config file whose topic pack the topics are checked against')
    .option('--data-dir <dir>', 'local data directory', DEFAULT_DATA_DIR)
    .addOption(new Option('--aws', 'record it through the deployed API (SigV4-signed with your AWS credentials)').conflicts(['by', 'config']))
    .option('--json', 'print the recorded label as JSON')
    .exitOverride(usageExit)
    .action(async (itemId: string, opts: FeedbackOptions) => {
      const body = bodyOf(opts);
      let feedback: Feedback;
      try {
        feedback = opts.aws ? await recordOnAws(itemId, body) : await recordLocally(itemId, body, opts);
      } catch (err) {
        if (err instanceof BadRequestError) throw new UsageError(`${FLAG_OF[err.parameter] ?? err.parameter}: ${err.message}`);
        const { NoSuchMatchError } = await import('#shared/feedback/ports.ts');
        if (err instanceof NoSuchMatchError) throw new UsageError(err.message);
        throw err;
      }
      process.stdout.write(opts.json ? `${JSON.stringify(feedback)}\n` : `${describe(feedback)}\n`);
    });
}
