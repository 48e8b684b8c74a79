import { Command } from 'commander';
import { BadRequestError } from '#shared/query/errors.ts';
import { LIMIT_MAX, parseListParams, type ListParams, type RawParams } from '#shared/query/params.ts';
import type { UpdatesPage } from '#shared/query/service.ts';
import type { UpdateView } from '#shared/query/views.ts';
import { DEFAULT_DATA_DIR } from '#cli/local-store.ts';
import { UsageError } from '#cli/errors.ts';
import { usageExit } from './serve.ts';

/**
 * `fundwatch query`: the stored updates, newest first, from the local store or (with --aws)
 * from the deployed API. The same parameters and validation as the HTTP API; the CLI's
 * `--limit` may exceed one API page, and is then met by following cursors.
 */

interface QueryOptions {
  dataDir: string;
  topic?: string;
  since?: string;
  until?: string;
  q?: string;
  minScore?: string;
  lang?: string;
  source?: string;
  limit: string;
  duplicates?: string;
  json?: boolean;
  aws?: boolean;
}

const CLI_LIMIT_MAX = 100_000;
const FLAG_OF: Record<string, string> = { minScore: '--min-score' };

function flagFor(parameter: string): string {
  return FLAG_OF[parameter] ?? `--${parameter}`;
}

function parseCliLimit(value: string): number {
  const n = /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= CLI_LIMIT_MAX)) throw new UsageError(`--limit: expected an integer from 1 to ${CLI_LIMIT_MAX}, got ${JSON.stringify(value)}`);
  return n;
}

/** The API's parameters from the flags, without limit (the CLI pages itself). */
function apiParams(opts: QueryOptions): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const name of ['topic', 'since', 'until', 'q', 'minScore', 'lang', 'source', 'duplicates'] as const) {
    const value = opts[name];
    if (value !== undefined) raw[name] = value;
  }
  return raw;
}

function validate(raw: RawParams, topicIds: readonly string[]): ListParams {
  try {
    return parseListParams(raw, topicIds);
  } catch (err) {
    if (err instanceof BadRequestError) throw new UsageError(`${flagFor(err.parameter)}: ${err.message}`);
    throw err;
  }
}

type FetchPage = (limit: number, cursor: string | undefined) => Promise<UpdatesPage>;

async function* updates(fetchPage: FetchPage, total: number): AsyncGenerator<UpdateView> {
  let cursor: string | undefined;
  let left = total;
  while (left > 0) {
    const page = await fetchPage(Math.min(LIMIT_MAX, left), cursor);
    for (const item of page.items.slice(0, left)) yield item;
    left -= page.items.length;
    if (!page.nextCursor) return;
    cursor = page.nextCursor;
  }
}

function clip(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= width ? flat.padEnd(width) : `${flat.slice(0, Math.max(0, width - 1))}…`;
}

function tableRow(item: UpdateView, titleWidth: number): string {
  const when = item.publishedAt.slice(0, 16).replace('T', ' ');
  const dup = item.duplicateOf ? 'dup' : item.duplicateCount ? `+${item.duplicateCount}` : '';
  return [when, item.score.toFixed(2), clip(item.topics.join(','), 28), clip(item.source, 18), dup.padEnd(4), clip(item.title, titleWidth)].join('  ').trimEnd();
}

async function print(items: AsyncIterable<UpdateView>, json: boolean): Promise<void> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (json) {
    for await (const item of items) out(JSON.stringify(item));
    return;
  }
  const titleWidth = Math.max(20, (process.stdout.columns ?? 140) - 16 - 4 - 28 - 18 - 4 - 10);
  out(['published (UTC) ', 'score', clip('topics', 28), clip('source', 18), 'dups', 'title'].join('  '));
  let count = 0;
  for await (const item of items) {
    out(tableRow(item, titleWidth));
    count++;
  }
  out(count === 0 ? '(no updates match)' : `(${count} update${count === 1 ? '' : 's'}, newest first)`);
}

async function awsPages(params: Record<string, string>): Promise<FetchPage> {
  const { readStackOutputs } = await import('#cli/aws-stack.ts');
  const { createSigner, regionOfApiUrl, signedFetch } = await import('#shared/query/api-client.ts');
  const outputs = await readStackOutputs();
  const signer = createSigner({ region: regionOfApiUrl(outputs.apiUrl) ?? outputs.region });
  return async (limit, cursor) => {
    const url = new URL('updates', outputs.apiUrl.endsWith('/') ? outputs.apiUrl : `${outputs.apiUrl}/`);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    url.searchParams.set('limit', String(limit));
    if (cursor) url.searchParams.set('cursor', cursor);
    const response = await signedFetch(signer, { method: 'GET', url: url.href, headers: { accept: 'application/json' } });
    const text = await response.text();
    if (!response.ok) {
      let detail = text.slice(0, 300);
      try {
        const body = JSON.parse(text) as { parameter?: string; message?: string };
        if (response.status === 400 && body.parameter) throw new UsageError(`${flagFor(body.parameter)}: ${body.message ?? 'rejected'}`);
        if (body.message) detail = body.message;
      } catch (err) {
        if (err instanceof UsageError) throw err;
      }
      throw new Error(`the query API answered ${response.status}: ${detail}`);
    }
    return JSON.parse(text) as UpdatesPage;
  };
}

export function queryCommand(): Command {
  return new Command('query')
    .description('List stored updates, newest first (a table, or JSON Lines with --json).')
    .option('--data-dir <dir>', 'local data directory', DEFAULT_DATA_DIR)
    .option('--topic <id>', 'only this topic')
    .option('--since <iso>', 'published at or after (ISO 8601; a date means its start, UTC)')
    .option('--until <iso>', 'published at or before (ISO 8601; a date means its end, UTC)')
    .option('--q <text>', 'words that must all occur in the title or summary (case and accents ignored)')
    .option('--min-score <n>', 'minimum score, 0 to 1')
    .option('--lang <code>', 'two-letter language code')
    .option('--source <name>', 'only this source (feed name)')
    .option('--limit <n>', 'how many updates at most', '50')
    .option('--duplicates <mode>', '"collapse" (default: hide near-duplicates, count them) or "include"')
    .option('--json', 'print JSON Lines')
    .option('--aws', 'query the deployed API (SigV4-signed with your AWS credentials)')
    .exitOverride(usageExit)
    .action(async (opts: QueryOptions) => {
      const total = parseCliLimit(opts.limit);
      const raw = apiParams(opts);
      // Loaded on use, so the rest of the CLI never depends on what this command needs.
      const { loadTopicPack } = await import('#shared/classify/topic-pack.ts');
      const topicPack = await loadTopicPack('default');
      // Validated before anything starts, so a typo costs no database start-up.
      const params = validate(raw, topicPack.topics.map((t) => t.id));
      if (opts.aws) {
        await print(updates(await awsPages(raw), total), opts.json === true);
        return;
      }
      const { openLocalStore } = await import('#cli/local-store.ts');
      const { createDynamoQueryService } = await import('#shared/query/create.ts');
      const local = await openLocalStore(opts.dataDir);
      try {
        const service = createDynamoQueryService({ client: local.doc, tableName: local.tableName, topicPack });
        const fetchPage: FetchPage = (limit, cursor) => service.listUpdates({ ...params, limit, ...(cursor ? { cursor } : {}) });
        await print(updates(fetchPage, total), opts.json === true);
      } finally {
        await local.stop();
      }
    });
}
