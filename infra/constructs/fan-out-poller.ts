import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Rule } from 'aws-cdk-lib/aws-events';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Config } from '#shared/config/schema.ts';
import { planFeedBatches } from '#shared/fanout/plan-batches.ts';
import { FUNCTION_ENV } from '../outputs.ts';
import { TableAccess } from '../table-access.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import { FundwatchFunction } from './fundwatch-function.ts';
import { pollTimeout, runOnSchedule } from './poller.ts';

/** Deliveries of a feed batch before it goes to the dead-letter queue. */
export const WORKER_MAX_RECEIVES = 3;
/** AWS's advice for an SQS event source: a visibility timeout of six times the function's timeout. */
const VISIBILITY_PER_TIMEOUT = 6;
const SQS_MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

/**
 * The worker's timeout: the poll timeout of the slowest batch the dispatcher will make (a batch
 * is a host's feeds together, so one large host can make the slowest one).
 */
export function workerTimeout(config: Config): number {
  const byUrl = new Map(config.feeds.map((feed) => [feed.url, feed]));
  const batches = planFeedBatches(config.feeds.map((feed) => feed.url), config.scale.feedsPerMessage);
  return Math.max(...batches.map((urls) => pollTimeout({ ...config, feeds: urls.map((url) => byUrl.get(url)!) }).seconds));
}

export interface FanOutPollerProps {
  config: Config;
  topicPackJson: string;
  table: ITable;
}

/**
 * The poller above `scale.fanOutAboveFeeds` feeds: a dispatcher on the schedule queues the
 * feeds in host-grouped batches on SQS, and the poll worker takes them through an event source
 * mapping, at most `scale.maxWorkers` at once, one batch per invocation, reporting the batches
 * it could not poll as partial failures. A batch delivered `WORKER_MAX_RECEIVES` times without
 * success moves to `workerDeadLetters` (alarmed). The queue's visibility timeout is six worker
 * timeouts, so a batch comes back only when its worker is gone, never while it still runs.
 */
export class FanOutPoller extends Construct {
  /** The scheduled function (the dispatcher), as `Poller.fn` is the single poller. */
  readonly fn: FundwatchFunction;
  readonly worker: FundwatchFunction;
  readonly queue: Queue;
  readonly workerDeadLetters: DeadLetterQueue;
  /** Failed dispatcher invocations (as the single poller's). */
  readonly failures: DeadLetterQueue;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: FanOutPollerProps) {
    super(scope, id);
    const { config } = props;
    const timeoutSeconds = workerTimeout(config);

    this.workerDeadLetters = new DeadLetterQueue(this, 'WorkerDeadLetters');
    this.queue = new Queue(this, 'FeedBatches', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(Math.min(SQS_MAX_VISIBILITY_SECONDS, VISIBILITY_PER_TIMEOUT * timeoutSeconds)),
      // A batch older than a poll interval is skipped by its worker (the next dispatch has its
      // feeds); keeping it longer than a few intervals only hides a stalled consumer.
      retentionPeriod: Duration.minutes(Math.max(60, 4 * config.schedule.pollEveryMinutes)),
      deadLetterQueue: { queue: this.workerDeadLetters, maxReceiveCount: WORKER_MAX_RECEIVES },
    });

    this.worker = new FundwatchFunction(this, 'Worker', {
      entry: 'functions/poll-worker.ts',
      description: 'fundwatch: poll one batch of feeds from the queue, classify, store matches',
      config,
      topicPackJson: props.topicPackJson,
      memorySize: 512,
      timeout: Duration.seconds(timeoutSeconds),
    }).bindTable(props.table, TableAccess.Poll);
    this.worker.addEventSource(
      new SqsEventSource(this.queue, {
        // One batch per invocation: the worker's timeout is sized for one.
        batchSize: 1,
        maxConcurrency: config.scale.maxWorkers,
        reportBatchItemFailures: true,
      }),
    );
    Validations.of(this.worker).acknowledge(
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          'Invoked only by its SQS event source mapping, never asynchronously: a batch that keeps failing moves to the queue\'s own dead-letter queue through the redrive policy (WorkerDeadLetters, alarmed).',
      },
      {
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          'For an SQS source Lambda has no on-failure destination: failed batches go back to the queue and, after WORKER_MAX_RECEIVES deliveries, to WorkerDeadLetters through the queue\'s redrive policy.',
      },
    );

    this.failures = new DeadLetterQueue(this, 'Failures');
    this.fn = new FundwatchFunction(this, 'Dispatcher', {
      entry: 'functions/dispatch.ts',
      description: 'fundwatch: queue the feeds for the poll workers, in host-grouped batches',
      config,
      topicPackJson: props.topicPackJson,
      memorySize: 256,
      timeout: Duration.seconds(60),
      reservedConcurrentExecutions: 1,
    });
    // SendMessageBatch is authorised as sqs:SendMessage; the queue is encrypted with SQS-managed keys, so no KMS grant.
    this.fn.executionRole.addToPrincipalPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }));
    this.fn.addEnvironment(FUNCTION_ENV.feedBatchQueueUrl, this.queue.queueUrl);
    this.rule = runOnSchedule(this, this.fn, config, this.failures);
  }
}
