import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createClassifier } from '#shared/classify/classifier.ts';
import { loadTopicPack } from '#shared/classify/topic-pack.ts';
import { loadConfig } from '#shared/config/load.ts';
import { DynamoFeedbackStore } from '#shared/feedback/dynamo-feedback-store.ts';
import { feedbackEvalLines, findRegressions, type Regression } from '#shared/feedback/feedback-eval.ts';
import type { LabelledMatch } from '#shared/feedback/ports.ts';
import { evaluateText, formatEvalResult, type EvalResult } from './commands/eval.ts';
import { UsageError } from './errors.ts';

/**
 * `fundwatch eval --feedback`: the current topic pack scored on every match an analyst labelled,
 * with the same metrics and printing as `eval --data`, plus the regressions: labels an analyst
 * rejected that the pack would give again. Exits 1 when there are any, so the CI of a pack
 * change fails before the change ships.
 */

export interface FeedbackEvalResult extends EvalResult {
  regressions: Regression[];
}

export function evaluateFeedback(pack: Parameters<typeof createClassifier>[0], labelled: readonly LabelledMatch[]): FeedbackEvalResult {
  const result = evaluateText(createClassifier(pack), feedbackEvalLines(labelled));
  // A rejected label the pack gives makes the item misclassified, so its prediction is listed there.
  const predicted = new Map(result.misclassified.map((m) => [m.id, m.predicted]));
  return { ...result, regressions: findRegressions(labelled, predicted) };
}

export function formatRegressions(regressions: readonly Regression[]): string {
  if (regressions.length === 0) return 'regressions: 0 (no rejected label comes back)\n';
  const lines = [`regressions: ${regressions.length} (labels an analyst rejected that this pack gives again)`];
  for (const r of regressions) {
    const why = r.verdict === 'not-relevant' ? 'marked not relevant' : 'topics corrected';
    lines.push(`  ${r.itemId}  ${r.title}`, `    ${why} at ${r.at}; the pack gives: ${r.labels.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

async function readLabelled(options: { dataDir: string; aws?: boolean }): Promise<LabelledMatch[]> {
  const read = (client: DynamoDBDocumentClient, tableName: string) => new DynamoFeedbackStore({ client, tableName }).labelledMatches();
  if (options.aws) {
    // As `fundwatch run --aws`: the deployed table, with the caller's own credentials.
    const { readStackOutputs } = await import('./aws-stack.ts');
    const { createDocumentClient } = await import('#shared/store/dynamo-client.ts');
    const outputs = await readStackOutputs();
    const client = createDocumentClient({ region: outputs.region });
    try {
      return await read(client, outputs.tableName);
    } finally {
      client.destroy();
    }
  }
  const { openLocalStore } = await import('./local-store.ts');
  const local = await openLocalStore(options.dataDir);
  try {
    return await read(local.doc, local.tableName);
  } finally {
    await local.stop();
  }
}

export async function evalFeedback(options: { config?: string; pack: string; dataDir: string; aws?: boolean; json?: boolean }): Promise<void> {
  if (options.config && options.pack !== 'default') throw new UsageError('give --config or --pack, not both: the config names its topic pack');
  const pack = await loadTopicPack(options.config ? (await loadConfig(options.config)).topicPack : options.pack);
  const labelled = await readLabelled(options);
  if (labelled.length === 0) {
    process.stderr.write('fundwatch eval: no labelled matches yet; label some with `fundwatch feedback ITEM_ID --not-relevant | --topics a,b`\n');
  }
  const result = evaluateFeedback(pack, labelled);
  process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : `${formatEvalResult(result)}\n${formatRegressions(result.regressions)}`);
  if (result.regressions.length > 0 || result.skipped.length > 0) process.exitCode = 1;
}
