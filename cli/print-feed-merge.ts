import type { MergeLine } from '#shared/config/feed-list-merge.ts';

/**
 * The per-feed report of `fundwatch feeds import | add`: one line per outline or found feed,
 * then a count, so an operator sees what changed and what to fix in the file they imported.
 *
 *   added          line 4   Ars Technica — https://feeds.arstechnica.com/arstechnica/index
 *   already there  line 9   BBC News — https://feeds.bbci.co.uk/news/rss.xml (listed as "BBC")
 *   rejected       line 12  My blog: htmlUrl without xmlUrl: a web page, not a feed (https://blog.example/)
 */

const LABELS: Record<MergeLine['outcome'], string> = {
  added: 'added',
  'already-there': 'already there',
  rejected: 'rejected',
};

export function mergeLineText(line: MergeLine): string {
  const where = line.source ? `${line.source.padEnd(8)} ` : '';
  return `${LABELS[line.outcome].padEnd(14)} ${where}${describe(line)}`;
}

function describe(line: MergeLine): string {
  switch (line.outcome) {
    case 'added': {
      const notes = line.notes.length > 0 ? ` (${line.notes.join('; ')})` : '';
      return `${line.feed.name} — ${line.feed.url}${line.feed.language ? ` [${line.feed.language}]` : ''}${notes}`;
    }
    case 'already-there': {
      const as = line.addedFrom ? `same feed as ${line.addedFrom}, added above` : `listed as ${JSON.stringify(line.sameAs.name)}`;
      return `${line.name ?? line.url} — ${line.url} (${as})`;
    }
    case 'rejected':
      return `${line.name ?? 'untitled'}${line.url ? ` — ${line.url}` : ''}: ${line.reason}`;
  }
}

export function mergeSummary(lines: readonly MergeLine[], configPath: string, feedCount: number | undefined): string {
  const count = (outcome: MergeLine['outcome']) => lines.filter((line) => line.outcome === outcome).length;
  const what = `${count('added')} added, ${count('already-there')} already there, ${count('rejected')} rejected`;
  return feedCount === undefined ? `${what}; ${configPath} not changed` : `${what}; ${configPath} now lists ${feedCount} feed${feedCount === 1 ? '' : 's'}`;
}
