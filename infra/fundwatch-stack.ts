import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Config } from '#shared/config/schema.ts';
import { STACK_OUTPUTS } from './outputs.ts';
import { Alarms } from './constructs/alarms.ts';
import { Alerting } from './constructs/alerting.ts';
import { Poller } from './constructs/poller.ts';
import { FanOutPoller } from './constructs/fan-out-poller.ts';
import { QueryApi } from './constructs/query-api.ts';
import { Store } from './constructs/store.ts';

export interface FundwatchStackProps extends StackProps {
  /** The validated config; its feeds and settings are compiled into every function bundle. */
  config: Config;
  /** The operator's topic pack JSON when `config.topicPack` is not "default". */
  topicPackJson: string;
}

/**
 * The whole deployment. It only composes constructs; each holds its own defaults and the
 * cdk-nag acknowledgements for what it creates. Environment-agnostic, so `cdk synth` needs no
 * account or credentials.
 */
export class FundwatchStack extends Stack {
  readonly store: Store;
  /** The single poller, or above `scale.fanOutAboveFeeds` feeds the dispatcher and its workers. */
  readonly poller: Poller | FanOutPoller;
  readonly queryApi: QueryApi;
  readonly alerting: Alerting;
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: FundwatchStackProps) {
    super(scope, id, props);
    const { config, topicPackJson } = props;

    this.store = new Store(this, 'Store');
    const table = this.store.table;
    const fanOut = config.feeds.length > config.scale.fanOutAboveFeeds;
    this.poller = fanOut ? new FanOutPoller(this, 'FanOut', { config, topicPackJson, table }) : new Poller(this, 'Poller', { config, topicPackJson, table });
    const poller = this.poller;
    this.queryApi = new QueryApi(this, 'QueryApi', { config, topicPackJson, table });
    this.alerting = new Alerting(this, 'Alerting', { config, topicPackJson, table, queryApiUrl: this.queryApi.url });
    this.alarms = new Alarms(this, 'Alarms', {
      config,
      key: this.alerting.key,
      poll: this.poller.fn,
      fanOut: poller instanceof FanOutPoller ? { queue: poller.queue } : undefined,
      notify: this.alerting.notify,
      digest: this.alerting.digest,
      deadLetterQueues: {
        Poll: this.poller.failures,
        ...(poller instanceof FanOutPoller ? { PollWorker: poller.workerDeadLetters } : {}),
        Notify: this.alerting.notifyFailures,
        Digest: this.alerting.digestFailures,
        ...(this.alerting.channels.deliverFailures ? { Deliver: this.alerting.channels.deliverFailures } : {}),
        ...(this.alerting.channels.subscriptionFailures ? { SnsDelivery: this.alerting.channels.subscriptionFailures } : {}),
      },
      ...(this.alerting.channels.deliver ? { webhooks: this.alerting.channels.deliver } : {}),
    });

    new CfnOutput(this, STACK_OUTPUTS.apiUrl, { value: this.queryApi.url, description: 'Query API base URL (IAM-signed requests)' });
    new CfnOutput(this, STACK_OUTPUTS.tableName, { value: table.tableName, description: 'DynamoDB table of matches and feed state' });
    new CfnOutput(this, STACK_OUTPUTS.alertTopicArn, { value: this.alerting.topic.topicArn, description: 'SNS topic of alert emails' });
    new CfnOutput(this, STACK_OUTPUTS.opsTopicArn, { value: this.alarms.topic.topicArn, description: 'SNS topic of operational alarms' });
  }
}
