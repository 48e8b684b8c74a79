import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Subscription, SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Config } from '#shared/config/schema.ts';
import { METRICS } from '../outputs.ts';

/** A feed has to fail this long, cycle after cycle, before anyone is woken. */
export const FEEDS_FAILING_HOURS = 3;

export interface AlarmsProps {
  config: Config;
  /** The key of the alert topic, reused for the operations topic. */
  key: IKey;
  /** The scheduled poll function: the single poller, or the fan-out's dispatcher. */
  poll: IFunction;
  /** Set when the stack fans out: the queue of feed batches the workers consume. */
  fanOut?: { queue: IQueue };
  notify: IFunction;
  digest: IFunction;
  /** The webhook delivery function, when some subscription is a webhook. */
  webhooks?: IFunction;
  /** Dead-letter queues by a short name used in the alarm's id. */
  deadLetterQueues: Record<string, IQueue>;
}

/**
 * What tells the operator something is wrong, on its own SNS topic (never the subscribers').
 * The operator's email comes from `operations.alarmEmail`; without it the topic has no
 * subscription and the alarms are only visible in the console.
 */
export class Alarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const { config } = props;

    this.topic = new Topic(this, 'Topic', {
      displayName: 'fundwatch operations',
      masterKey: props.key,
      enforceSSL: true,
    });
    // CloudWatch publishes as itself: the topic policy (which enforceSSL makes explicit, so the
    // default allow is gone) and the topic's key must both let the service in, for this account only.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    props.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToEncryptedTopics',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
      }),
    );
    if (config.operations.alarmEmail) {
      const email = new Subscription(this, 'Email', {
        topic: this.topic,
        protocol: SubscriptionProtocol.EMAIL,
        endpoint: config.operations.alarmEmail,
      });
      Validations.of(email).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason: 'Email subscription for alarm notifications: SNS retries delivery itself and an alarm that cannot be mailed stays visible in the CloudWatch console; a redrive queue would collect copies nobody reads.',
      });
    }

    const pollPeriod = Duration.minutes(config.schedule.pollEveryMinutes);
    this.add('PollErrors', 'A poll cycle failed as a whole (not a single feed): nothing was fetched this cycle.', {
      metric: props.poll.metricErrors({ period: pollPeriod, statistic: 'Sum' }),
      threshold: 1,
    });

    // The single poller reports how many feeds are currently failing once a cycle; the minimum
    // over each hour stays above zero only when some feed failed in every cycle of that hour.
    // Fan-out workers report their own batch's count, so there the cycle's figure is the sum of
    // a poll period, and the alarm wants every period of the window above zero.
    const failingPeriod = props.fanOut ? pollPeriod : Duration.minutes(Math.max(60, config.schedule.pollEveryMinutes));
    const failingPeriods = Math.max(1, Math.ceil((FEEDS_FAILING_HOURS * 60) / failingPeriod.toMinutes()));
    this.add('FeedsFailing', `At least one feed has failed in every poll cycle for ${FEEDS_FAILING_HOURS} hours.`, {
      metric: new Metric({
        namespace: METRICS.namespace,
        metricName: METRICS.feedsFailing,
        dimensionsMap: { service: METRICS.service },
        statistic: props.fanOut ? 'Sum' : 'Minimum',
        period: failingPeriod,
      }),
      threshold: 1,
      evaluationPeriods: failingPeriods,
    });

    if (props.fanOut) {
      // A batch still queued a whole poll interval after its dispatch is skipped by its worker:
      // the workers are not keeping up with the schedule (too few, or too slow feeds per batch).
      this.add('PollBehindSchedule', 'Feed batches wait longer than one poll interval in the queue: the workers do not keep up; raise scale.maxWorkers.', {
        metric: props.fanOut.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: config.schedule.pollEveryMinutes * 60,
      });
    }

    this.add('NotifyErrors', 'The notify function failed: instant alerts may be late or missing.', {
      metric: props.notify.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
    });
    this.add('DigestErrors', 'The daily digest function failed.', {
      metric: props.digest.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }),
      threshold: 1,
    });

    if (props.webhooks) {
      // Refusals are not retried (resending would be refused again), so nothing reaches a
      // dead-letter queue: this alarm is how the operator learns of a revoked or moved webhook.
      this.add('WebhookRejected', 'A webhook refused an alert (4xx, a redirect or a blocked address): it was not retried; check the delivery function\'s log and the webhook\'s secret.', {
        metric: new Metric({
          namespace: METRICS.namespace,
          metricName: METRICS.webhookRejected,
          dimensionsMap: { service: METRICS.service },
          statistic: 'Sum',
          period: Duration.minutes(15),
        }),
        threshold: 1,
      });
    }

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.add(`${name}DeadLetters`, `Messages are waiting in the ${name} dead-letter queue: read them, fix, redrive.`, {
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: 1,
      });
    }
  }

  private add(id: string, description: string, options: { metric: IMetric; threshold: number; evaluationPeriods?: number }) {
    const alarm = new Alarm(this, id, {
      alarmDescription: `fundwatch: ${description}`,
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      // No data means no failures (no cycle reported failing feeds, no errors, empty queue).
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
