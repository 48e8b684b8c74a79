import { writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { openConfigForEdit, saveFeeds, type ConfigEdit } from '#shared/config/config-edit.ts';
import { mergeFeeds, type FeedCandidate, type MergeLine } from '#shared/config/feed-list-merge.ts';
import { loadConfig } from '#shared/config/load.ts';
import { candidateOfOutline } from '#shared/config/opml-import.ts';
import { OpmlError, readOpmlFile } from '#shared/config/opml-read.ts';
import { writeOpml } from '#shared/config/opml-write.ts';
import { findFeeds, type Discovery, type FoundFeed } from '#shared/discovery/find-feeds.ts';
import { fetchFeed } from '#shared/fetch/fetch-feed.ts';
import { UsageError } from '#cli/errors.ts';
import { mergeLineText, mergeSummary } from '#cli/print-feed-merge.ts';

/**
 * `fundwatch feeds import | export | add`: bring a feed list from another reader (OPML), hand
 * ours to one, or find a site's feed from its address. Import and add edit the config file in
 * place and write it only when the result is a valid config.
 */

export const DEFAULT_CONFIG_PATH = 'fundwatch.config.json';

interface Out {
  write(chunk: string): unknown;
}

const configOption = () => new Option('--config <file>', 'config file to read and update').default(DEFAULT_CONFIG_PATH);

export function feedsCommand(out: Out = process.stdout): Command {
  const feeds = new Command('feeds').description("Import, export or discover the config's feeds.");
  feeds.addCommand(importCommand(out));
  feeds.addCommand(exportCommand(out));
  feeds.addCommand(addCommand(out));
  return feeds;
}

function importCommand(out: Out): Command {
  return new Command('import')
    .description("Add the feeds of an OPML file (another reader's export) to the config.")
    .argument('<file>', 'OPML file, e.g. an export from Inoreader, Feedly, Miniflux or FreshRSS')
    .addOption(configOption())
    .action(async (file: string, options: { config: string }) => {
      const edit = await openConfigForEdit(options.config);
      let document;
      try {
        document = await readOpmlFile(file);
      } catch (err) {
        const why = err instanceof OpmlError ? err.message : `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
        throw new Error(`${file}: ${why}; ${options.config} was not changed`);
      }
      await addToConfig(edit, document.entries.map(candidateOfOutline), out);
    });
}

function exportCommand(out: Out): Command {
  return new Command('export')
    .description("Write the config's feeds as OPML 2.0, for any feed reader to import.")
    .addOption(configOption())
    .option('--out <file>', 'write to this file instead of standard output')
    .action(async (options: { config: string; out?: string }) => {
      const config = await loadConfig(options.config);
      const opml = writeOpml(config.feeds, { title: 'fundwatch feeds', dateCreated: new Date() });
      if (options.out === undefined) {
        out.write(opml);
        return;
      }
      await writeFile(options.out, opml);
      process.stderr.write(`wrote ${config.feeds.length} feed${config.feeds.length === 1 ? '' : 's'} to ${options.out}\n`);
    });
}

function addCommand(out: Out): Command {
  return new Command('add')
    .description('Find the feed of a site or page (or take a feed URL as it is) and add it to the config.')
    .argument('<url>', 'a feed, or a page that links to its feeds')
    .addOption(configOption())
    .option('--all', 'add every feed found')
    .addOption(new Option('--pick <n>', 'add the feed numbered N in the list found').argParser(positiveInt).conflicts('all'))
    .action(async (url: string, options: { config: string; all?: boolean; pick?: number }) => {
      const edit = await openConfigForEdit(options.config);
      // The same limits and private-address rules as every poll.
      const discovery = await findFeeds(url, (target) => fetchFeed(target, { limits: edit.current.fetch }));
      printDiscovery(discovery, out);
      const chosen = choose(discovery, options);
      await addToConfig(edit, chosen.map(candidateOfFound), out);
    });
}

async function addToConfig(edit: ConfigEdit, candidates: Array<FeedCandidate | MergeLine>, out: Out): Promise<void> {
  const merge = mergeFeeds(edit.current.feeds, candidates);
  for (const line of merge.lines) out.write(`${mergeLineText(line)}\n`);
  if (merge.added.length === 0) {
    out.write(`${mergeSummary(merge.lines, edit.path, undefined)}\n`);
    return;
  }
  const existing = Array.isArray(edit.document.feeds) ? edit.document.feeds : [];
  const saved = await saveFeeds(edit, [...existing, ...merge.added]);
  out.write(`${mergeSummary(merge.lines, edit.path, saved.feeds.length)}\n`);
}

function printDiscovery(discovery: Discovery, out: Out): void {
  if (discovery.found.length === 0) return;
  const how = {
    'is-a-feed': 'is itself a feed',
    'page-links': `links to ${discovery.found.length} feed${discovery.found.length === 1 ? '' : 's'}`,
    'common-paths': `links to no feed; found at common paths`,
    nothing: '',
  }[discovery.how];
  out.write(`${discovery.page} ${how}:\n`);
  discovery.found.forEach((feed, i) => {
    const note = feed.polled ? '' : ' — not added: fundwatch polls RSS and Atom only';
    out.write(`  ${i + 1}. ${feed.title ?? '(untitled)'} — ${feed.url} (${FORMAT_NAMES[feed.format]})${note}\n`);
  });
}

const FORMAT_NAMES: Record<FoundFeed['format'], string> = { rss: 'RSS', atom: 'Atom', json: 'JSON Feed' };

function choose(discovery: Discovery, options: { all?: boolean; pick?: number }): FoundFeed[] {
  const { found } = discovery;
  if (found.length === 0) {
    throw new Error(`no feed found at ${discovery.page}: it links to none, and none of /feed, /rss, /rss.xml, /atom.xml, /feed.xml, /index.xml is one`);
  }
  const polled = found.filter((feed) => feed.polled);
  if (options.pick !== undefined) {
    const picked = found[options.pick - 1];
    if (!picked) throw new UsageError(`--pick ${options.pick}: the list has ${found.length} feed${found.length === 1 ? '' : 's'}`);
    if (!picked.polled) throw new UsageError(`--pick ${options.pick}: that is a JSON Feed; fundwatch polls RSS and Atom only`);
    return [picked];
  }
  if (polled.length === 0) throw new Error(`only JSON Feeds found at ${discovery.page}; fundwatch polls RSS and Atom only`);
  if (options.all || polled.length === 1) return polled;
  throw new UsageError(`${polled.length} feeds found: choose one with --pick N, or add them all with --all`);
}

function candidateOfFound(feed: FoundFeed): FeedCandidate {
  return { url: feed.url, ...(feed.title ? { name: feed.title } : {}), ...(feed.language ? { language: feed.language } : {}) };
}

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a positive whole number.');
  return Number(value);
}
