import type { Config } from '#shared/config/schema.ts';
import type { TopicPack } from '#shared/classify/topic-pack.ts';
import { createClassifier } from '#shared/classify/classifier.ts';
import { createDocumentClient } from '#shared/store/dynamo-client.ts';
import { DynamoStore } from '#shared/store/dynamo-store.ts';
import { runPollCycle } from '#shared/pipeline/poll-cycle.ts';
import { createPollDeps } from '#shared/pipeline/poll-deps.ts';
import { readStackOutputs } from './aws-stack.ts';
import { formatCycle } from './print-cycle.ts';

/**
 * One poll cycle from this machine into the deployed table. Alerts are not sent from here: the
 * table's stream triggers the deployed notify function, as after a scheduled cycle.
 */
export async function runAwsCycle(config: Config, pack: TopicPack, out: { write(s: string): unknown }, json: boolean): Promise<void> {
  const outputs = await readStackOutputs();
  const client = createDocumentClient({ region: outputs.region });
  try {
    const store = new DynamoStore({ client, tableName: outputs.tableName, retentionDays: config.retention.matchDays });
    const report = await runPollCycle(config, createPollDeps(store, createClassifier(pack)));
    out.write(json ? `${JSON.stringify(report)}\n` : `${formatCycle(report, new Date())}\n  Alerts go out through the deployed notify function.\n`);
  } finally {
    client.destroy();
  }
}
