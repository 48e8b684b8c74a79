import { parseCompiledJson } from '#shared/config/runtime.ts';
import type { TopicPack } from './topic-pack.ts';

/**
 * The topic pack a Lambda uses: compiled into the bundle by the stack as
 * `process.env.FUNDWATCH_TOPIC_PACK`, validated at synth (the built-in pack or an operator's),
 * so the function neither reads files nor carries the pack's schema validator.
 */
export function compiledTopicPack(): TopicPack {
  const pack = parseCompiledJson('FUNDWATCH_TOPIC_PACK', process.env.FUNDWATCH_TOPIC_PACK) as TopicPack;
  if (!Array.isArray(pack.topics) || typeof pack.concepts !== 'object') {
    throw new Error('FUNDWATCH_TOPIC_PACK is not a validated topic pack: build the function with the stack (cdk synth)');
  }
  return pack;
}
