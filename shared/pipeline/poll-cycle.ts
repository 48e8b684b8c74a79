import type { Config, FeedConfig } from '#shared/config/schema.ts';
import type { Classifier, FeedState, Match, NewsItem, ParsedFeed } from '#shared/model.ts';
import type { MatchStore } from '#shared/store/ports.ts';
import type { FetchFeedOptions, FetchOutcome } from '#shared/fetch/fetch-feed.ts';
import type { DuplicateFinder, KnownReport } from '#shared/alerts/near-duplicates.ts';
import { normaliseEntry } from '#shared/feed/normalise-entry.ts';
import { languageCoverage } from '#shared/classify/language-coverage.ts';
import { hostOf } from '#shared/fetch/host-of.ts';
import { createLimiter } from './concurrency.ts';
import { createDuplicateCounts, type DuplicateCounts } from './duplicate-counts.ts';
import { createStoryArbiter, type StoryArbiter } from './story-arbiter.ts';
import { storedEvidence } from './stored-evidence.ts';
import { addTallies, countLanguage, type LanguageTally } from './language-tally.ts';
import { isDue, nextPollAfterFailure, nextPollAfterSuccess } from './feed-schedule.ts';

/** The ports one poll cycle needs; the Lambda handler and the CLI pass real adapters. */
export interface PollDeps {
  store: MatchStore;
  fetchFeed: (url: string, options: FetchFeedOptions) => Promise<FetchOutcome>;
  parseFeed: (xml: string, options: { maxEntries: number }) => Promise<ParsedFeed>;
  classifier: Classifier;
  duplicateFinder: (recent: readonly KnownReport[], options: { windowHours: number }) => DuplicateFinder;
  now?: () => Date;
  /** Feeds not started by then are left for the next cycle (the Lambda's remaining time). */
  deadline?: Date;
  onFeed?: (report: FeedReport) => void;
}

export type FeedReportOutcome = 'fetched' | 'not-modified' | 'failed' | 'not-due' | 'deferred';

export interface FeedReport {
  url: string;
  name: string;
  outcome: FeedReportOutcome;
  status?: number;
  /** Machine-readable failure kind, e.g. `timeout`, `parse`, `storage`. */
  error?: string;
  message?: string;
  bytes: number;
  entries: number;
  newEntries: number;
  matches: number;
  stored: number;
  duplicates: number;
  /**
   * New entries in a language the topic pack does not cover, by language (`{ sv: 3, tr: 1 }`).
   * They are classified like any other (names and acronyms match in every language), but the
   * pack's words cannot find them: this is the hole an operator should see.
   */
  languageNotCovered: LanguageTally;
  movedTo?: string;
  consecutiveFailures: number;
  durationMs: number;
}

export interface CycleReport {
  startedAt: string;
  finishedAt: string;
  feeds: FeedReport[];
  /** Matches this cycle stored for the first time. */
  stored: Match[];
  /** Feeds whose last success is older than `failingAfterHours` (or that never succeeded and keep failing). */
  failingFeeds: number;
  /** Problems that lost nothing but are worth a log line (a duplicate count left short). */
  warnings: string[];
}

/** What the feeds of one cycle share: who decides first reports, and what the cycle learns. */
interface CycleContext {
  stories: StoryArbiter;
  /** Stored matches by id (recent ones and this cycle's), so counting a duplicate needs no read. */
  known: Map<string, Match>;
  /** Near-duplicates stored this cycle, counted on their first reports as the cycle goes. */
  duplicateCounts: DuplicateCounts;
}

// 40 bits: a new entry is mistaken for a seen one with odds of about 1 in 2 billion per feed.
const FINGERPRINT_LENGTH = 10;
const STATE_HEARTBEAT_MS = 6 * 60 * 60_000;
const FAILING_AFTER_FAILURES = 3;
export const RECENT_MATCHES_LIMIT = 5_000;

const fingerprint = (id: string) => id.slice(0, FINGERPRINT_LENGTH);

/**
 * One poll cycle: every due feed is fetched (conditional GET, bounded concurrency, per-host
 * limit), parsed, and only its entries not seen before are classified; matches are stored once.
 * A failing feed is reported and backed off without stopping the others.
 */
export async function runPollCycle(config: Config, deps: PollDeps): Promise<CycleReport> {
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const windowStart = new Date(startedAt.getTime() - config.alerts.duplicateWindowHours * 3_600_000).toISOString();
  const states = await deps.store.getFeedStates(config.feeds.map((f) => f.url));
  // Listed before any state is written, so a cycle that dies part-way leaves no unlisted feed.
  await deps.store.registerFeeds(config.feeds.filter((f) => !states.has(f.url)).map((f) => f.url));

  // Fetches and writes take separate slots: a feed waiting on DynamoDB must not hold a network
  // slot that another feed could use, nor a feed waiting on a slow publisher a write slot.
  const fetchSlots = createLimiter({ concurrency: config.fetch.concurrency, perKey: config.fetch.perHostConcurrency });
  const writeSlots = createLimiter({ concurrency: config.fetch.concurrency, perKey: config.fetch.concurrency });
  const writer: FeedWriter = {
    putMatches: (matches) => writeSlots.run('', () => deps.store.putMatches(matches)),
    saveFeedState: (state) => writeSlots.run('', () => deps.store.saveFeedState(state)),
  };
  // Read when the first match needs a decision, not at the start: most batches of a fanned-out
  // cycle bring nothing relevant and need neither the recent matches nor the story log.
  let opened: Promise<CycleContext> | undefined;
  const cycle = () => (opened ??= openCycleContext(config, deps, startedAt, now, writeSlots));

  const reports: FeedReport[] = [];
  const stored: Match[] = [];
  const report = (r: FeedReport) => {
    reports.push(r);
    deps.onFeed?.(r);
  };

  const due = config.feeds.filter((feed) => {
    const state = states.get(feed.url);
    if (isDue(state, startedAt)) return true;
    report(idleReport(feed, state, 'not-due', `next poll at ${state?.nextPollAt}`));
    return false;
  });

  await Promise.all(
    due.map(async (feed) => {
      const state = states.get(feed.url);
      const fetched = await fetchSlots.run(hostOf(feed.url), async () => {
        if (deps.deadline && now().getTime() >= deps.deadline.getTime()) return undefined;
        const started = now();
        const outcome = await deps.fetchFeed(state?.movedTo ?? feed.url, {
          validators: { etag: state?.etag, lastModified: state?.lastModified },
          limits: config.fetch,
        });
        return { started, outcome };
      });
      if (!fetched) {
        report(idleReport(feed, state, 'deferred', 'left for the next cycle: out of time'));
        return;
      }
      const result = await settleFeed(feed, state, fetched, config, deps, writer, cycle, now);
      stored.push(...result.stored);
      report(result.report);
    }),
  );

  const warnings = opened ? await (await opened).duplicateCounts.settle() : [];

  const byUrl = new Map(reports.map((r) => [r.url, r]));
  const ordered = config.feeds.map((f) => byUrl.get(f.url)).filter((r): r is FeedReport => r !== undefined);
  return {
    startedAt: startedAt.toISOString(),
    finishedAt: now().toISOString(),
    feeds: ordered,
    stored,
    failingFeeds: ordered.filter((r) => r.consecutiveFailures >= FAILING_AFTER_FAILURES).length,
    warnings,
  };
}

/** Decides each match's story, writes the matches once, and counts the copies on their first reports. */
async function storeMatches(matches: Match[], context: CycleContext, store: FeedWriter, staleBefore: number, result: FeedReport): Promise<Match[]> {
  // All registered in one synchronous pass, so that each is compared with the ones before it.
  const decided = await Promise.all(matches.map((match) => context.stories.decide(match)));
  matches.forEach((match, i) => {
    const firstReport = decided[i];
    if (firstReport) {
      match.duplicateOf = firstReport;
      match.alertSuppressed = 'duplicate';
    } else if (Date.parse(match.publishedAt) < staleBefore) {
      match.alertSuppressed = 'stale';
    }
  });
  const written = await store.putMatches(matches);
  const stored = matches.filter((match) => written.get(match.id) === 'created');
  for (const match of stored) {
    context.known.set(match.id, match);
    context.duplicateCounts.stored(match.id);
    result.stored++;
    if (match.duplicateOf) {
      result.duplicates++;
      context.duplicateCounts.add(match.duplicateOf);
    }
  }
  return stored;
}

/** What the cycle's feeds decide stories against: the recent matches and the story log. */
async function openCycleContext(
  config: Config,
  deps: PollDeps,
  startedAt: Date,
  now: () => Date,
  writeSlots: ReturnType<typeof createLimiter>,
): Promise<CycleContext> {
  const windowStart = new Date(startedAt.getTime() - config.alerts.duplicateWindowHours * 3_600_000).toISOString();
  const recent = await deps.store.recentMatches(windowStart, RECENT_MATCHES_LIMIT);
  const known = new Map(recent.map((m) => [m.id, m]));
  const windowHours = config.alerts.duplicateWindowHours;
  const stories = await createStoryArbiter({
    log: deps.store,
    finder: deps.duplicateFinder(recent, { windowHours }),
    finderOf: (reports) => deps.duplicateFinder(reports, { windowHours }),
    stored: known,
    now,
  });
  return {
    stories,
    known,
    // Copies of a story that arrive while its count is being written share the next update:
    // a syndicated story can bring dozens.
    duplicateCounts: createDuplicateCounts({
      isStored: (id) => known.has(id),
      write: (firstId, by) => writeSlots.run('', () => deps.store.countDuplicate(firstId, by, stories.firstReport(firstId))),
    }),
  };
}

/** A feed the cycle did not fetch, and why. */
export function idleReport(feed: FeedConfig, state: FeedState | undefined, outcome: FeedReportOutcome, message: string): FeedReport {
  return {
    url: feed.url,
    name: feed.name,
    outcome,
    message,
    bytes: 0,
    entries: 0,
    newEntries: 0,
    matches: 0,
    stored: 0,
    duplicates: 0,
    languageNotCovered: {},
    consecutiveFailures: state?.consecutiveFailures ?? 0,
    durationMs: 0,
  };
}

/** The writes a feed makes, each through the cycle's write slots. */
type FeedWriter = Pick<MatchStore, 'putMatches' | 'saveFeedState'>;

/** What a fetch answered, parsed, classified and stored, and the feed's new state saved. */
async function settleFeed(
  feed: FeedConfig,
  previous: FeedState | undefined,
  fetched: { started: Date; outcome: FetchOutcome },
  config: Config,
  deps: PollDeps,
  store: FeedWriter,
  cycle: () => Promise<CycleContext>,
  now: () => Date,
): Promise<{ report: FeedReport; stored: Match[] }> {
  const { started, outcome } = fetched;
  const base: FeedState = previous ?? { url: feed.url, name: feed.name, consecutiveFailures: 0 };
  const result: FeedReport = { ...idleReport(feed, previous, 'failed', ''), message: undefined };
  const stored: Match[] = [];
  const finish = () => {
    result.durationMs = now().getTime() - started.getTime();
    return { report: result, stored };
  };

  result.bytes = outcome.bytes;
  if (outcome.movedTo) result.movedTo = outcome.movedTo;
  const movedTo = outcome.movedTo ?? previous?.movedTo;

  if (outcome.kind === 'failed') {
    await recordFailure(store, base, feed, started, result, {
      error: outcome.error,
      message: outcome.message,
      status: outcome.status,
      retryAfterSeconds: outcome.retryAfterSeconds,
      gone: outcome.error === 'gone',
      movedTo,
    });
    return finish();
  }

  if (outcome.kind === 'not-modified') {
    result.outcome = 'not-modified';
    result.status = 304;
    result.consecutiveFailures = 0;
    const next: FeedState = {
      ...base,
      name: feed.name,
      etag: outcome.etag ?? base.etag,
      lastModified: outcome.lastModified ?? base.lastModified,
      lastOutcome: 'not-modified',
      lastStatus: 304,
      lastError: undefined,
      lastAttemptAt: started.toISOString(),
      lastSuccessAt: started.toISOString(),
      consecutiveFailures: 0,
      gone: undefined,
      movedTo,
      nextPollAt: nextPollAfterSuccess(started, feed.intervalMinutes),
    };
    // A 304 changes nothing that matters; writing the state every cycle would cost a write
    // unit per feed per cycle, so it is refreshed every 6 hours unless something else changed
    // (/feeds shows a last success at most that old for a healthy feed; failures are written
    // at once).
    const unchanged =
      previous?.lastOutcome !== 'failed' &&
      previous?.consecutiveFailures === 0 &&
      previous.etag === next.etag &&
      previous.lastModified === next.lastModified &&
      previous.movedTo === next.movedTo &&
      previous.nextPollAt === undefined &&
      next.nextPollAt === undefined &&
      previous.writtenAt !== undefined &&
      started.getTime() - Date.parse(previous.writtenAt) < STATE_HEARTBEAT_MS;
    if (!unchanged) await saveState(store, { ...next, writtenAt: started.toISOString() }, base, result);
    return finish();
  }

  result.status = outcome.status;
  let parsed: ParsedFeed;
  try {
    parsed = await deps.parseFeed(outcome.body, { maxEntries: config.fetch.maxItemsPerFeed });
  } catch (err) {
    await recordFailure(store, base, feed, started, result, {
      error: 'parse',
      message: err instanceof Error ? err.message : String(err),
      status: outcome.status,
      movedTo,
    });
    return finish();
  }

  // Classifying a feed's entries takes a few milliseconds of CPU in one go: first let the
  // responses that have come in meanwhile (other feeds' writes finishing, so that their next
  // writes leave) be handled, or DynamoDB waits idle behind this feed's work.
  await new Promise<void>((resolve) => setImmediate(resolve));
  const fetchedAt = started.toISOString();
  const language = feed.language ?? parsed.language?.slice(0, 2).toLowerCase();
  const items: NewsItem[] = [];
  for (const entry of parsed.entries) {
    const item = normaliseEntry(entry, { url: feed.url, name: feed.name, language }, fetchedAt);
    if (item) items.push(item);
  }
  const seen = new Set(previous?.seen ?? []);
  const fresh = items.filter((item) => !seen.has(fingerprint(item.id)));
  result.entries = items.length;
  result.newEntries = fresh.length;

  const staleBefore = started.getTime() - config.alerts.maxAgeHours * 3_600_000;
  const matches: Match[] = [];
  for (const item of fresh) {
    const coverage = languageCoverage({ title: item.title, summary: item.summary, feedLanguage: item.lang }, deps.classifier.languages);
    if (!coverage.covered) countLanguage(result.languageNotCovered, coverage.lang!);
    const classification = deps.classifier.classify({
      title: item.title,
      summary: item.summary,
      // A detected language is left to the classifier, which also reads the headline's own.
      lang: coverage.source === 'detected' ? undefined : coverage.lang,
      categories: item.categories,
    });
    if (classification.labels.length === 0) continue;
    const topicScores = classification.labels.map((label) => classification.scores[label] ?? 0);
    // Compared and stored in the form the store keeps, so a copy next cycle is compared like with like.
    const match = deps.store.storedForm({
      ...item,
      topics: classification.labels,
      score: Math.max(...topicScores),
      scores: classification.scores,
      evidence: storedEvidence(classification.evidence, classification.labels),
      storedAt: now().toISOString(),
    });
    matches.push(match);
  }
  result.matches = matches.length;
  try {
    if (matches.length > 0) stored.push(...(await storeMatches(matches, await cycle(), store, staleBefore, result)));
  } catch (err) {
    // The entries stay unseen, so the next cycle retries them; conditional writes make that safe.
    await recordFailure(store, base, feed, started, result, {
      error: 'storage',
      message: `storing matches failed: ${err instanceof Error ? err.message : String(err)}`,
      status: outcome.status,
      movedTo,
    });
    return finish();
  }

  result.outcome = 'fetched';
  result.consecutiveFailures = 0;
  await saveState(store, {
    ...base,
    name: feed.name,
    etag: outcome.etag,
    lastModified: outcome.lastModified,
    lastOutcome: 'fetched',
    lastStatus: outcome.status,
    lastError: undefined,
    lastAttemptAt: fetchedAt,
    lastSuccessAt: fetchedAt,
    consecutiveFailures: 0,
    gone: undefined,
    movedTo,
    nextPollAt: nextPollAfterSuccess(started, feed.intervalMinutes),
    itemCount: items.length,
    seen: items.slice(0, config.fetch.maxItemsPerFeed).map((item) => fingerprint(item.id)),
    writtenAt: fetchedAt,
    languageNotCovered: languageHoles(base.languageNotCovered, result.languageNotCovered),
  }, base, result);
  return finish();
}

/** The feed's "language not covered" counts after a fetch; kept off the row until there is one. */
function languageHoles(previous: FeedState['languageNotCovered'], lastFetch: LanguageTally): FeedState['languageNotCovered'] {
  if (previous === undefined && Object.keys(lastFetch).length === 0) return undefined;
  return { lastFetch: { ...lastFetch }, total: addTallies(previous?.total ?? {}, lastFetch) };
}

async function recordFailure(
  store: FeedWriter,
  base: FeedState,
  feed: FeedConfig,
  at: Date,
  result: FeedReport,
  failure: { error: string; message: string; status?: number; retryAfterSeconds?: number; gone?: boolean; movedTo?: string },
): Promise<void> {
  const failures = base.consecutiveFailures + 1;
  result.outcome = 'failed';
  result.error = failure.error;
  result.message = failure.message;
  if (failure.status !== undefined) result.status = failure.status;
  result.consecutiveFailures = failures;
  await saveState(store, {
    ...base,
    name: feed.name,
    lastOutcome: 'failed',
    lastStatus: failure.status,
    lastError: `${failure.error}: ${failure.message}`,
    lastAttemptAt: at.toISOString(),
    consecutiveFailures: failures,
    gone: failure.gone || undefined,
    movedTo: failure.movedTo,
    // A storage fault is ours, not the publisher's: retry next cycle instead of backing off the
    // feed, or a long DynamoDB outage would leave feeds unpolled for hours after it ends.
    nextPollAt: failure.error === 'storage' ? undefined : nextPollAfterFailure(at, failures, failure),
    writtenAt: at.toISOString(),
  }, base, result);
}

/**
 * A feed state that cannot be written fails that feed, not the cycle: the other feeds still run.
 * The old state stays, so the next cycle polls the feed again and finds what it stored (conditional
 * writes make that safe).
 */
async function saveState(store: FeedWriter, state: FeedState, base: FeedState, result: FeedReport): Promise<void> {
  try {
    await store.saveFeedState(state);
  } catch (err) {
    const reason = `saving the feed state failed: ${err instanceof Error ? err.message : String(err)}`;
    if (result.outcome === 'failed' && result.message) {
      result.message = `${result.message}; ${reason}`;
      return;
    }
    result.outcome = 'failed';
    result.error = 'storage';
    result.message = reason;
    result.consecutiveFailures = base.consecutiveFailures + 1;
  }
}
