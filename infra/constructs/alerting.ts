import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Key } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { Config } from '#shared/config/schema.ts';
import { MATCH_INSERT_FILTER_PATTERN } from '#shared/alerts/stream-batch.ts';
import { FUNCTION_ENV } from '../outputs.ts';
import { AlertChannels } from './alert-channels.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import { FundwatchFunction } from './fundwatch-function.ts';
import { TableAccess } from '../table-access.ts';

export { filterPolicyFor } from './alert-channels.ts';

export interface AlertingProps {
  config: Config;
  topicPackJson: string;
  table: ITable;
  /** The query API's base URL, for "see more" links in emails. */
  queryApiUrl: string;
}

/**
 * Alerts: one encrypted SNS topic with a subscription per configured subscriber (AlertChannels), the
 * notify function on the table's stream (new matches only) and the daily digest function.
 */
export class Alerting extends Construct {
  readonly key: Key;
  readonly topic: Topic;
  readonly channels: AlertChannels;
  readonly notify: FundwatchFunction;
  readonly notifyFailures: DeadLetterQueue;
  readonly digest: FundwatchFunction;
  readonly digestFailures: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: AlertingProps) {
    super(scope, id);
    const { config } = props;

    // A customer key rather than aws/sns: CloudWatch alarms can only publish to a topic whose
    // key policy lets cloudwatch.amazonaws.com use it (alarms.ts adds that), and the AWS-managed
    // key's policy cannot be edited. One key serves both topics.
    this.key = new Key(this, 'TopicKey', {
      description: 'fundwatch: encrypts the alert and operations SNS topics',
      enableKeyRotation: true,
      // Nothing is stored under this key beyond in-flight SNS messages; keeping it after
      // `cdk destroy` would only cost $1 a month.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.topic = new Topic(this, 'Topic', {
      displayName: 'fundwatch',
      masterKey: this.key,
      enforceSSL: true,
    });

    this.channels = new AlertChannels(this, 'Channels', { config, topic: this.topic });

    const alertEnvironment = { [FUNCTION_ENV.queryApiUrl]: props.queryApiUrl };

    this.notifyFailures = new DeadLetterQueue(this, 'NotifyFailures');
    this.notify = new FundwatchFunction(this, 'Notify', {
      entry: 'functions/notify.ts',
      description: 'fundwatch: instant alert emails for newly stored matches (table stream)',
      config,
      topicPackJson: props.topicPackJson,
      memorySize: 256,
      timeout: Duration.seconds(60),
      // One sender at a time: the publisher paces itself to 5 messages/s, which holds only if
      // no second invocation (another stream shard) publishes beside it; SNS suspends an email
      // endpoint that receives more than 10/s.
      reservedConcurrentExecutions: 1,
      environment: alertEnvironment,
    })
      .bindTable(props.table, TableAccess.Alert)
      .allowPublish(this.topic, this.key);

    this.notify.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.LATEST,
        // One poll cycle's inserts arrive within seconds; a short window lets one invocation
        // see them together, so a topic gets one email per cycle rather than one per match.
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(30),
        // Only the first write of a match alerts; topic rows, feed state and claims never do.
        filters: [
          FilterCriteria.filter(MATCH_INSERT_FILTER_PATTERN),
        ],
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: 3,
        // An alert older than this is news nobody wants by email; it goes to the queue instead.
        maxRecordAge: Duration.hours(6),
        onFailure: new SqsDlq(this.notifyFailures),
      }),
    );
    Validations.of(this.notify).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked synchronously by the stream event source mapping, whose on-failure destination (NotifyFailures) receives what could not be processed; a function DLQ only serves asynchronous invocations.',
    });
    Validations.of(this.notify.executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListStreams, added by the stream event source, supports no resource-level permissions (it lists stream ARNs only); every other action of this role names its resource.',
    });

    this.digestFailures = new DeadLetterQueue(this, 'DigestFailures');
    this.digest = new FundwatchFunction(this, 'Digest', {
      entry: 'functions/digest.ts',
      description: 'fundwatch: the daily digest email per topic',
      config,
      topicPackJson: props.topicPackJson,
      memorySize: 256,
      timeout: Duration.minutes(5),
      environment: alertEnvironment,
    })
      .bindTable(props.table, TableAccess.Alert)
      .allowPublish(this.topic, this.key);
    this.digest.configureAsyncInvoke({
      // The digest claims each (topic, day) before sending, so a retry cannot send it twice.
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.digestFailures),
    });
    const digestRule = new Rule(this, 'DigestSchedule', {
      description: `fundwatch: daily digest at ${config.schedule.digestHourUtc}:00 UTC`,
      schedule: Schedule.cron({ minute: '0', hour: String(config.schedule.digestHourUtc) }),
    });
    digestRule.addTarget(
      new LambdaFunction(this.digest, {
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
        deadLetterQueue: this.digestFailures,
      }),
    );
    Validations.of(this.digest).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Failed asynchronous invocations go to the on-failure destination (DigestFailures), which records the request and the error; a DeadLetterConfig as well would deliver each failure twice.',
    });
  }
}
