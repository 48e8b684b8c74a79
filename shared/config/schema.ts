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

const routing = {
  topics: z.array(z.string().min(1)).min(1, 'expected at least one topic'),
  mode: z.enum(['instant', 'daily']).default('instant'),
};

/** How a deployment refers to a webhook: by a short name used in logs, metrics and the Lambda alias. */
export const WEBHOOK_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;
/** Secrets Manager's own alphabet for secret names (1–512 characters). */
const SECRETS_MANAGER_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
/** SSM parameter names; the leading slash makes the parameter ARN `…:parameter/<name without slash>`. */
const SSM_PARAMETER_NAME = /^\/[A-Za-z0-9_.\-/]{1,1010}$/;

/**
 * A webhook's URL carries its credential (a Slack incoming-webhook URL is the whole secret), so
 * the config names where it is kept and never holds it: it stays out of the template and logs.
 */
const webhookSubscription = <P extends 'https' | 'slack'>(protocol: P) =>
  z
    .strictObject({
      protocol: z.literal(protocol),
      name: z.string().regex(WEBHOOK_NAME_PATTERN, 'expected a short name of lower-case letters, digits and hyphens, e.g. "ops-slack"'),
      secretName: z.string({ error: 'expected the name of the secret that holds the webhook URL (never the URL itself)' }),
      secretStore: z.enum(['secrets-manager', 'ssm']).default('secrets-manager'),
      /** Only for a secret or SecureString encrypted with a customer managed key; AWS managed keys need no grant. */
      kmsKeyArn: z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, 'expected a KMS key ARN').optional(),
      ...routing,
    })
    .superRefine((sub, ctx) => {
      const ssm = sub.secretStore === 'ssm';
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(sub.secretName)) {
        ctx.addIssue({ code: 'custom', path: ['secretName'], message: 'looks like a URL: put the webhook URL in the secret and give the secret\'s name here' });
      } else if (ssm ? !SSM_PARAMETER_NAME.test(sub.secretName) : !SECRETS_MANAGER_NAME.test(sub.secretName)) {
        ctx.addIssue({
          code: 'custom',
          path: ['secretName'],
          message: ssm
            ? 'expected an SSM parameter name starting with "/" (letters, digits, "_", ".", "-", "/")'
            : 'expected a Secrets Manager secret name (1-512 of letters, digits and /_+=.@-)',
        });
      }
    });

export const emailSubscriptionSchema = z.strictObject({
  protocol: z.literal('email'),
  email: z.email({ error: 'expected an email address' }),
  ...routing,
});

/** The user's own automation, subscribed natively (SQS with raw message delivery). */
const sqsSubscriptionSchema = z.strictObject({
  protocol: z.literal('sqs'),
  queueArn: z.string().regex(/^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}$/, 'expected an SQS queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME; FIFO queues cannot subscribe to a standard topic)'),
  ...routing,
});

const lambdaSubscriptionSchema = z.strictObject({
  protocol: z.literal('lambda'),
  functionArn: z.string().regex(/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$/, 'expected a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)'),
  ...routing,
});

export const SUBSCRIPTION_PROTOCOLS = ['email', 'https', 'slack', 'sqs', 'lambda'] as const;

const subscriptionSchema = z.preprocess(
  // An entry without `protocol` is an email subscription, as every config before channels wrote it.
  (value) => (value && typeof value === 'object' && !Array.isArray(value) && !('protocol' in value) ? { protocol: 'email', ...value } : value),
  z.discriminatedUnion(
    'protocol',
    [emailSubscriptionSchema, webhookSubscription('https'), webhookSubscription('slack'), sqsSubscriptionSchema, lambdaSubscriptionSchema],
    { error: `expected "protocol" to be one of ${SUBSCRIPTION_PROTOCOLS.map((p) => `"${p}"`).join(', ')}` },
  ),
);

const subscriptionsSchema = z.array(subscriptionSchema).superRefine((subs, ctx) => {
  const names = new Map<string, number>();
  subs.forEach((sub, index) => {
    if (sub.protocol !== 'https' && sub.protocol !== 'slack') return;
    const first = names.get(sub.name);
    if (first === undefined) names.set(sub.name, index);
    else ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `"${sub.name}" is already the name of subscriptions[${first}]; webhook names must be unique` });
  });
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
  subscriptions: subscriptionsSchema.default([]),
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
export type SubscriptionProtocol = Subscription['protocol'];
export type EmailSubscription = Extract<Subscription, { protocol: 'email' }>;
export type WebhookSubscription = Extract<Subscription, { protocol: 'https' | 'slack' }>;
export type SqsSubscription = Extract<Subscription, { protocol: 'sqs' }>;
export type LambdaSubscription = Extract<Subscription, { protocol: 'lambda' }>;
export type ScaleSettings = Config['scale'];
