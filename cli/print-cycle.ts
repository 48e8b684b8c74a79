import type { AlertEmail, Match } from '#shared/model.ts';
import type { CycleReport, FeedReport } from '#shared/pipeline/poll-cycle.ts';

/** Human-readable output of a poll cycle for the terminal. */

const MARK: Record<FeedReport['outcome'], string> = {
  fetched: '✓',
  'not-modified': '=',
  failed: '✗',
  'not-due': '·',
  deferred: '…',
};

function pad(text: string, width: number): string {
  return text.length >= width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

export function formatFeedLine(r: FeedReport): string {
  const name = pad(r.name, 22);
  const status = r.status !== undefined ? String(r.status) : '---';
  switch (r.outcome) {
    case 'fetched': {
      const parts = [`${r.entries} entries`, `${r.newEntries} new`, `${r.matches} matched`, `${r.stored} stored`];
      if (r.duplicates) parts.push(`${r.duplicates} as duplicates`);
      const holes = Object.entries(r.languageNotCovered);
      if (holes.length > 0) parts.push(`language not covered: ${holes.map(([lang, n]) => `${n} ${lang}`).join(', ')}`);
      const moved = r.movedTo ? `  (moved permanently to ${r.movedTo})` : '';
      return `  ${MARK.fetched} ${name} ${status}  ${parts.join(', ')}  ${r.durationMs} ms${moved}`;
    }
    case 'not-modified':
      return `  ${MARK['not-modified']} ${name} 304  not modified, nothing to parse  ${r.durationMs} ms`;
    case 'failed':
      return `  ${MARK.failed} ${name} ${status}  failed (${r.error}): ${r.message}  [${r.consecutiveFailures} in a row]`;
    default:
      return `  ${MARK[r.outcome]} ${name} ---  ${r.message ?? r.outcome}`;
  }
}

function ago(iso: string, now: Date): string {
  const minutes = Math.round((now.getTime() - Date.parse(iso)) / 60_000);
  if (minutes < 60) return `${minutes} min ago`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h ago`;
  return `${Math.round(minutes / 1440)} days ago`;
}

export function formatStoredMatch(m: Match, now: Date): string {
  const note = m.duplicateOf ? `  duplicate of ${m.duplicateOf}, no alert` : m.alertSuppressed === 'stale' ? '  too old to alert' : '';
  return `  [${m.topics.join(', ')}] ${m.title}\n      ${m.source}, ${ago(m.publishedAt, now)}, score ${m.score.toFixed(2)}${note}`;
}

export function formatCycle(report: CycleReport, now: Date): string {
  const lines = report.feeds.map(formatFeedLine);
  for (const warning of report.warnings) lines.push(`  ! ${warning}`);
  lines.push('');
  if (report.stored.length === 0) {
    lines.push('  No new matches stored.');
  } else {
    lines.push(`  Stored ${report.stored.length} new match${report.stored.length === 1 ? '' : 'es'}:`);
    for (const m of report.stored) lines.push(formatStoredMatch(m, now));
  }
  return lines.join('\n');
}

export function formatEmail(email: AlertEmail): string {
  const rule = '─'.repeat(72);
  return [rule, `Subject: ${email.subject}`, `Topic: ${email.topic}`, `Mode: ${email.mode}`, '', email.body, rule].join('\n');
}
