import { z } from 'zod';

/**
 * The one configuration file, `fundwatch.config.json`. Only `feeds` is required; unknown keys
 * are errors so that a typo never silently falls back to a default.
 */

export const feedSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
  name: z.string().trim().min(1, 'expected a non-empty feed name'),
  language: z.string().regex(/^[a-z]{2}$/, 'expected a two-letter language code such as "en"').optional(),
  intervalMinutes: z.int().min(5).max(1440).optional(),
});

/**
 * Feeds fetched at once. A fetch mostly waits on a publisher's server (100–300 ms), so a cycle's
 * wall time is about feeds ÷ this × that wait, and the poll function is billed for that wait.
 * 32 halves it against 16 (Miniflux's worker pool default) and measured faster on the
 * benchmark's 200 feeds (docs/benchmark.md); 32 × `maxBytes` (160 MiB, were every feed to send
 * its largest body at once) stays well below the poll function's 512 MB. `perHostConcurrency` keeps
 * any one publisher at 2.
 */
export const DEFAULT_FETCH_CONCURRENCY = 32;

const fetchSchema = z.strictObject({
  /** Hosts or IP literals that may resolve to loopback or private addresses (the demo and tests). */
  allowPrivateHosts: z.array(z.string().min(1)).default([]),
  timeoutMs: z.int().min(100).max(120_000).default(10_000),
  idleTimeoutMs: z.int().min(100).max(120_000).default(5_000),
  maxBytes: z.int().min(1024).max(50 * 1024 * 1024).default(5 * 1024 * 1024),
  maxRedirects: z.int().min(0).max(10).default(5),
  concurrency: z.int().min(1).max(64).default(DEFAULT_FETCH_CONCURRENCY),
  perHostConcurrency: z.int().min(1).max(8).default(2),
  maxItemsPerFeed: z.int().min(1).max(10_000).default(500),
});

const subscriptionSchema = z.strictObject({
  email: z.email({ error: 'expected an email address' }),
  topics: z.array(z.string().min(1)).min(1, 'expected at least one topic'),
  mode: z.enum(['instant', 'daily']).default('instant'),
});

const alertsSchema = z.strictObject({
  /** Older items are stored but never alerted: a new feed does not flood subscribers with its history. */
  maxAgeHours: z.number().positive().max(24 * 365).default(48),
  maxItemsPerEmail: z.int().min(1).max(100).default(20),
  duplicateWindowHours: z.number().positive().max(24 * 30).default(72),
  /** Printed under each email so a reader can find the rest of the matches. */
  queryUrl: z.url().optional(),
});

const scheduleSchema = z.strictObject({
  pollEveryMinutes: z.int().min(5).max(1440).default(15),
  digestHourUtc: z.int().min(0).max(23).default(7),
});

const retentionSchema = z.strictObject({
  matchDays: z.int().min(1).max(3650).default(365),
});

const operationsSchema = z.strictObject({
  alarmEmail: z.email({ error: 'expected an email address' }).optional(),
});

/**
 * When one poll function stops being enough (docs/deploy.md, "Fan-out"): above `fanOutAboveFeeds`
 * the stack deploys a dispatcher that queues the due feeds in batches of `feedsPerMessage` and
 * up to `maxWorkers` poll workers that take them from SQS.
 */
export const SCALE_DEFAULTS = { fanOutAboveFeeds: 1_000, feedsPerMessage: 50, maxWorkers: 10 } as const;

const scaleSchema = z.strictObject({
  fanOutAboveFeeds: z.int().min(1).max(1_000_000).default(SCALE_DEFAULTS.fanOutAboveFeeds),
  feedsPerMessage: z.int().min(1).max(500).default(SCALE_DEFAULTS.feedsPerMessage),
  // SQS event source mappings take a maximum concurrency from 2 to 1,000.
  maxWorkers: z.int().min(2).max(1_000).default(SCALE_DEFAULTS.maxWorkers),
});

export const configSchema = z.strictObject({
  feeds: z.array(feedSchema).min(1, 'expected at least one feed'),
  /** "default" (the built-in pack for the seed story) or a path to a topic pack JSON file. */
  topicPack: z.string().min(1).default('default'),
  fetch: fetchSchema.default(() => fetchSchema.parse({})),
  alerts: alertsSchema.default(() => alertsSchema.parse({})),
  subscriptions: z.array(subscriptionSchema).default([]),
  schedule: scheduleSchema.default(() => scheduleSchema.parse({})),
  retention: retentionSchema.default(() => retentionSchema.parse({})),
  operations: operationsSchema.default(() => operationsSchema.parse({})),
  scale: scaleSchema.default(() => scaleSchema.parse({})),
});

/**
 * The same config while `fundwatch feeds import | add` fill it: `feeds` may still be empty. What
 * they write back is checked against `configSchema` itself.
 */
export const editableConfigSchema = configSchema.extend({ feeds: z.array(feedSchema) });

export type Config = z.infer<typeof configSchema>;
export type EditableConfig = z.infer<typeof editableConfigSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type FeedConfig = Config['feeds'][number];
export type FetchLimits = Config['fetch'];
export type AlertSettings = Config['alerts'];
export type Subscription = Config['subscriptions'][number];
export type ScaleSettings = Config['scale'];
