import { Annotations, Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Construct } from 'constructs';
import type { Config } from '#shared/config/schema.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import { FundwatchFunction } from './fundwatch-function.ts';
import { TableAccess } from '../table-access.ts';

/** Cold start, config and topic pack load, feed-state batch read, final writes. */
const CYCLE_OVERHEAD_SECONDS = 30;
/** Parsing, classifying and storing one feed after its body has arrived. */
const PER_FEED_PROCESSING_SECONDS = 5;
const LAMBDA_MAX_SECONDS = 900;

/**
 * The poll function's timeout, from the config:
 *
 *   waves   = max(ceil(feeds / fetch.concurrency), max over hosts of ceil(feedsOnHost / fetch.perHostConcurrency))
 *   timeout = 30 s + waves × (fetch.timeoutMs / 1000 + 5 s)
 *
 * i.e. every feed in the slowest chain of waits hits the full fetch timeout, which is the
 * worst case, not the usual one (most answers are 304s in well under a second). It is capped
 * one minute below the poll interval, so a cycle never overlaps the next, and at Lambda's 15
 * minutes. When the cap bites, the poll handler defers the feeds it cannot start before its
 * deadline to the next cycle, and synth warns: that feed count wants the fan-out design in
 * docs/deploy.md ("Scale on paper").
 */
export function pollTimeout(config: Config): { seconds: number; wanted: number; ceiling: number } {
  const perHost = new Map<string, number>();
  for (const feed of config.feeds) {
    const host = new URL(feed.url).host;
    perHost.set(host, (perHost.get(host) ?? 0) + 1);
  }
  const hostWaves = Math.max(...[...perHost.values()].map((n) => Math.ceil(n / config.fetch.perHostConcurrency)));
  const waves = Math.max(Math.ceil(config.feeds.length / config.fetch.concurrency), hostWaves);
  const wanted = CYCLE_OVERHEAD_SECONDS + waves * (config.fetch.timeoutMs / 1000 + PER_FEED_PROCESSING_SECONDS);
  const ceiling = Math.min(LAMBDA_MAX_SECONDS, config.schedule.pollEveryMinutes * 60 - 60);
  return { seconds: Math.ceil(Math.max(60, Math.min(wanted, ceiling))), wanted, ceiling };
}

export interface PollerProps {
  config: Config;
  topicPackJson: string;
  table: ITable;
}

/**
 * The poll function on an EventBridge schedule (`runOnSchedule`), for installs up to
 * `scale.fanOutAboveFeeds` feeds. One cycle at a time (reserved concurrency 1): two overlapping
 * cycles would fetch every feed twice and race on the feed state.
 */
export class Poller extends Construct {
  readonly fn: FundwatchFunction;
  readonly rule: Rule;
  readonly failures: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: PollerProps) {
    super(scope, id);
    const { config } = props;
    const timeout = pollTimeout(config);
    if (timeout.wanted > timeout.ceiling) {
      Annotations.of(this).addWarningV2(
        'fundwatch:poll-timeout-capped',
        `${config.feeds.length} feeds want a ${Math.ceil(timeout.wanted)} s cycle but the poll timeout is capped at ${timeout.ceiling} s; slow feeds will be deferred to the next cycle. Fan out instead: set scale.fanOutAboveFeeds below ${config.feeds.length} (docs/deploy.md, "Fan-out").`,
      );
    }

    this.failures = new DeadLetterQueue(this, 'Failures');
    this.fn = new FundwatchFunction(this, 'Function', {
      entry: 'functions/poll.ts',
      description: 'fundwatch: poll the feeds, classify new items, store matches',
      config,
      topicPackJson: props.topicPackJson,
      // Feed parsing and classification are CPU-bound; 512 MB buys a bigger CPU share.
      memorySize: 512,
      timeout: Duration.seconds(timeout.seconds),
      reservedConcurrentExecutions: 1,
    }).bindTable(props.table, TableAccess.Poll);

    this.rule = runOnSchedule(this, this.fn, config, this.failures);
  }
}

/**
 * Invokes `fn` every `schedule.pollEveryMinutes`. A failed cycle is not retried: the next
 * scheduled cycle is the retry (the cycle is idempotent), and a retry would only queue behind
 * the function's concurrency limit of 1. Failures land in `failures`.
 */
export function runOnSchedule(scope: Construct, fn: FundwatchFunction, config: Config, failures: DeadLetterQueue): Rule {
  fn.configureAsyncInvoke({
    retryAttempts: 0,
    // An invocation still waiting when the next one is due is stale: drop it to the failure queue.
    maxEventAge: Duration.minutes(Math.min(config.schedule.pollEveryMinutes, 360)),
    onFailure: new SqsDestination(failures),
  });
  const rule = new Rule(scope, 'Schedule', {
    description: `fundwatch: poll every ${config.schedule.pollEveryMinutes} minutes`,
    schedule: Schedule.rate(Duration.minutes(config.schedule.pollEveryMinutes)),
  });
  rule.addTarget(
    new LambdaFunction(fn, {
      // Only when EventBridge cannot hand the event to Lambda at all (throttled API, deleted function).
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      deadLetterQueue: failures,
    }),
  );
  Validations.of(fn).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason:
      'Failed asynchronous invocations go to the on-failure destination (the Failures queue), which records the request and the error; a DeadLetterConfig as well would deliver each failure twice.',
  });
  return rule;
}
