import type { Config } from '#shared/config/schema.ts';
import { loadTopicPack, parseTopicPack, type TopicPack } from './topic-pack.ts';

/**
 * The topic pack a Lambda uses: the built-in one, or an operator's pack that the stack's
 * bundling compiled in as `process.env.FUNDWATCH_TOPIC_PACK` (there is no config file to read
 * beside a Lambda bundle).
 */
export async function loadRuntimeTopicPack(config: Config): Promise<TopicPack> {
  if (config.topicPack === 'default') return loadTopicPack('default');
  const json = process.env.FUNDWATCH_TOPIC_PACK;
  if (!json) return loadTopicPack(config.topicPack);
  return parseTopicPack(JSON.parse(json), `FUNDWATCH_TOPIC_PACK (${config.topicPack})`);
}
