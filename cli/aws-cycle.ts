import type { Config } from '#shared/config/schema.ts';
import type { TopicPack } from '#shared/classify/topic-pack.ts';
import { createClassifier } from '#shared/classify/classifier.ts';
import { fetchFeed } from '#shared/fetch/fetch-feed.ts';
import { parseFeed } from '#shared/feed/parse-feed.ts';
import { createDuplicateFinder } from '#shared/alerts/near-duplicates.ts';
import { createDocumentClient } from '#shared/store/dynamo-client.ts';
import { DynamoStore } from '#shared/store/dynamo-store.ts';
import { runPollCycle } from '#shared/pipeline/poll-cycle.ts';
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
    const report = await runPollCycle(config, {
      store: new DynamoStore({ client, tableName: outputs.tableName, retentionDays: config.retention.matchDays }),
      fetchFeed,
      parseFeed,
      classifier: createClassifier(pack),
      duplicateFinder: createDuplicateFinder,
    });
    out.write(json ? `${JSON.stringify(report)}\n` : `${formatCycle(report, new Date())}\n  Alerts go out through the deployed notify function.\n`);
  } finally {
    client.destroy();
  }
}
