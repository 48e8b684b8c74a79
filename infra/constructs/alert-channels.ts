import { Aws, Duration, Validations } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Alias, CfnPermission } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Subscription, SubscriptionFilter, SubscriptionProtocol, type Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { Config, Subscription as SubscriptionConfig, WebhookSubscription } from '#shared/config/schema.ts';
import { ALERT_MESSAGE_ATTRIBUTES } from '#shared/alerts/message-attributes.ts';
import { webhookAliasName } from '#shared/alerts/webhook-delivery.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import { FundwatchFunction } from './fundwatch-function.ts';

/** The filter policy that routes a subscriber's topics in its mode (instant or daily) to it. */
export function filterPolicyFor(subscription: Pick<SubscriptionConfig, 'topics' | 'mode'>) {
  return {
    [ALERT_MESSAGE_ATTRIBUTES.topic]: SubscriptionFilter.stringFilter({ allowlist: [...subscription.topics] }),
    [ALERT_MESSAGE_ATTRIBUTES.mode]: SubscriptionFilter.stringFilter({ allowlist: [subscription.mode] }),
  };
}

/** What one webhook subscription may read: its own secret (and, for a customer key, decrypt through that service). */
export function secretGrants(sub: WebhookSubscription): PolicyStatement[] {
  const ssm = sub.secretStore === 'ssm';
  const statements = [
    ssm
      ? new PolicyStatement({
          actions: ['ssm:GetParameter'],
          resources: [`arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${Aws.ACCOUNT_ID}:parameter/${sub.secretName.replace(/^\//, '')}`],
        })
      : new PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          // Secrets Manager appends "-" and six random characters to every secret's ARN.
          resources: [`arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:${sub.secretName}-??????`],
        }),
  ];
  if (sub.kmsKeyArn) {
    statements.push(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [sub.kmsKeyArn],
        conditions: { StringEquals: { 'kms:ViaService': `${ssm ? 'ssm' : 'secretsmanager'}.${Aws.REGION}.amazonaws.com` } },
      }),
    );
  }
  return statements;
}

export interface AlertChannelsProps {
  config: Config;
  topic: Topic;
}

/**
 * Every subscription of the alert topic, one per config entry, each with its filter policy:
 * `email` natively; `sqs` and `lambda` natively, to the user's own queue or function (SQS with
 * raw message delivery, so the queue receives the alert JSON itself); `https` and `slack`
 * through one delivery function, subscribed once per webhook through its own alias.
 */
export class AlertChannels extends Construct {
  /** Set when some subscription is a webhook. */
  readonly deliver?: FundwatchFunction;
  /** Webhook deliveries that still failed after Lambda's retries (on-failure destination). */
  readonly deliverFailures?: DeadLetterQueue;
  /** Messages SNS could not hand to a queue or function at all (subscription redrive policy). */
  readonly subscriptionFailures?: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: AlertChannelsProps) {
    super(scope, id);
    const { config, topic } = props;
    const subs = config.subscriptions;
    const seen = new Set<string>();
    const once = (id: string, problem: string) => {
      if (seen.has(id)) throw new Error(`config: ${problem}`);
      seen.add(id);
    };

    if (subs.some((s) => s.protocol !== 'email')) this.subscriptionFailures = new DeadLetterQueue(this, 'SubscriptionFailures');
    const redrive = this.subscriptionFailures;

    const webhooks = subs.filter((s): s is WebhookSubscription => s.protocol === 'https' || s.protocol === 'slack');
    if (webhooks.length > 0) {
      this.deliverFailures = new DeadLetterQueue(this, 'DeliverFailures');
      this.deliver = new FundwatchFunction(this, 'Deliver', {
        entry: 'functions/deliver-webhook.ts',
        description: 'fundwatch: delivers alerts to https and slack webhook subscriptions',
        config,
        // Delivery needs no topic pack: the payload carries the topic's title.
        topicPackJson: '{}',
        memorySize: 256,
        timeout: Duration.seconds(30),
      });
      Validations.of(this.deliver).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason:
          'SNS invokes the webhook aliases asynchronously; each alias has an on-failure destination (DeliverFailures) that records the event and the error, so a DeadLetterConfig as well would deliver each failure twice.',
      });
    }

    for (const sub of subs) {
      const filterPolicy = filterPolicyFor(sub);
      switch (sub.protocol) {
        case 'email': {
          // Stable ids: reordering the config must not replace (and re-confirm) a subscription.
          const subscriptionId = `Email ${sub.email} ${sub.mode}`;
          once(subscriptionId, `${sub.email} is subscribed twice in ${sub.mode} mode; merge the topics into one subscription`);
          const created = new Subscription(scope, subscriptionId, { topic, protocol: SubscriptionProtocol.EMAIL, endpoint: sub.email, filterPolicy });
          Validations.of(created).acknowledge({
            id: 'Serverless-SNSRedrivePolicy',
            reason:
              "Email subscription: SNS retries delivery itself, and a message the mail server refuses is not something the system can reprocess; a redrive queue would only collect copies nobody reads. Delivery failures show in the topic's NumberOfNotificationsFailed metric.",
          });
          break;
        }
        case 'sqs': {
          const subscriptionId = `Sqs ${sub.queueArn} ${sub.mode}`;
          once(subscriptionId, `${sub.queueArn} is subscribed twice in ${sub.mode} mode; merge the topics into one subscription`);
          // The queue is the user's: its policy must let sns.amazonaws.com send from this topic (docs/deploy.md).
          new Subscription(this, subscriptionId, { topic, protocol: SubscriptionProtocol.SQS, endpoint: sub.queueArn, rawMessageDelivery: true, filterPolicy, deadLetterQueue: redrive });
          break;
        }
        case 'lambda': {
          const subscriptionId = `Lambda ${sub.functionArn} ${sub.mode}`;
          once(subscriptionId, `${sub.functionArn} is subscribed twice in ${sub.mode} mode; merge the topics into one subscription`);
          new Subscription(this, subscriptionId, { topic, protocol: SubscriptionProtocol.LAMBDA, endpoint: sub.functionArn, filterPolicy, deadLetterQueue: redrive });
          // Lets this topic, and only it, invoke the user's function (same account; another
          // account's function needs the same permission added there).
          new CfnPermission(this, `${subscriptionId} Invoke`, {
            action: 'lambda:InvokeFunction',
            functionName: sub.functionArn,
            principal: 'sns.amazonaws.com',
            sourceArn: topic.topicArn,
          });
          break;
        }
        case 'https':
        case 'slack': {
          const deliver = this.deliver!;
          for (const statement of secretGrants(sub)) deliver.executionRole.addToPrincipalPolicy(statement);
          const alias = new Alias(this, `Webhook ${sub.name}`, {
            aliasName: webhookAliasName(sub.name),
            version: deliver.currentVersion,
            // 5xx and timeouts: two more tries over a few minutes, then the failure is kept.
            retryAttempts: 2,
            maxEventAge: Duration.hours(1),
            onFailure: new SqsDestination(this.deliverFailures!),
          });
          alias.addPermission('InvokeFromAlertTopic', { principal: new ServicePrincipal('sns.amazonaws.com'), sourceArn: topic.topicArn });
          const subscription = new Subscription(this, `Webhook ${sub.name} Subscription`, { topic, protocol: SubscriptionProtocol.LAMBDA, endpoint: alias.functionArn, filterPolicy, deadLetterQueue: redrive });
          Validations.of(subscription).acknowledge({
            id: 'CloudFormation-Validate::W3694',
            reason: "The endpoint is the alias's Ref, which is the alias's qualified function ARN: SNS invokes that function version through the alias, which is what tells the delivery function which webhook the message is for.",
          });
          break;
        }
      }
    }
  }
}
