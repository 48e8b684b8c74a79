import { hostOf } from '#shared/fetch/host-of.ts';
import { MAX_BATCH_MESSAGE_BYTES, batchMessageBytes } from './feed-batch.ts';

/**
 * Splits the due feeds into worker batches so that every host's feeds travel together: one
 * worker then holds all of a host's requests of a cycle, and `fetch.perHostConcurrency` holds
 * across workers by construction, with no lock shared between them. Hosts are packed into
 * batches of about `feedsPerBatch` feeds in config order; a host with more feeds than that gets
 * a batch of its own. The one exception is a host whose URLs alone outgrow a queue message
 * (thousands of long URLs on one host): it is split, and its requests may then run in as many
 * workers as it has batches.
 */
export function planFeedBatches(urls: readonly string[], feedsPerBatch: number): string[][] {
  const byHost = new Map<string, string[]>();
  for (const url of urls) {
    const host = hostOf(url);
    const group = byHost.get(host);
    if (group) group.push(url);
    else byHost.set(host, [url]);
  }

  const batches: string[][] = [];
  let current: string[] = [];
  const close = () => {
    if (current.length > 0) batches.push(current);
    current = [];
  };
  for (const group of byHost.values()) {
    for (const part of splitBySize(group)) {
      if (current.length > 0 && (current.length + part.length > feedsPerBatch || batchMessageBytes([...current, ...part]) > MAX_BATCH_MESSAGE_BYTES)) {
        close();
      }
      current.push(...part);
      if (current.length >= feedsPerBatch) close();
    }
  }
  close();
  return batches;
}

/** A host's URLs in as few parts as fit one message each (almost always one part). */
function splitBySize(group: string[]): string[][] {
  if (batchMessageBytes(group) <= MAX_BATCH_MESSAGE_BYTES) return [group];
  const parts: string[][] = [];
  let part: string[] = [];
  for (const url of group) {
    if (part.length > 0 && batchMessageBytes([...part, url]) > MAX_BATCH_MESSAGE_BYTES) {
      parts.push(part);
      part = [];
    }
    part.push(url);
  }
  if (part.length > 0) parts.push(part);
  return parts;
}
