import { beforeEach, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { pairsOfPolicy, policyOfPairs, subscribeCommands } from '#cli/commands/subscribe.ts';
import { UsageError } from '#cli/errors.ts';

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:Fundwatch-AlertTopic';
const SUB_ARN = `${TOPIC_ARN}:0f1e2d3c-aaaa-bbbb-cccc-123456789012`;
const sns = mockClient(SNSClient);
const cfn = mockClient(CloudFormationClient);

async function run(...args: string[]): Promise<string> {
  let out = '';
  const program = new Command('fundwatch').exitOverride();
  for (const command of subscribeCommands({
    out: { write: (s: string) => (out += s) },
    topicIds: async () => ['ukraine-fund', 'nato-mission', 'us-aid'],
    sns: () => new SNSClient({ region: 'eu-west-1' }),
    cloudFormation: () => new CloudFormationClient({ region: 'eu-west-1' }),
  })) {
    program.addCommand(command.exitOverride());
  }
  await program.parseAsync(['node', 'fundwatch', ...args]);
  return out;
}

beforeEach(() => {
  sns.reset();
  cfn.reset();
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: 'Fundwatch', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [{ OutputKey: 'AlertTopicArn', OutputValue: TOPIC_ARN }] }],
  });
  sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
});

describe('fundwatch subscribe', () => {
  it('subscribes with a filter policy on the message attributes topic and mode, topic ARN from the stack', async () => {
    sns.on(SubscribeCommand).resolves({ SubscriptionArn: SUB_ARN });
    const out = await run('subscribe', 'analyst@example.org', '--topics', 'ukraine-fund,nato-mission', '--mode', 'daily');
    expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'Fundwatch' });
    expect(sns).toHaveReceivedCommandWith(SubscribeCommand, {
      TopicArn: TOPIC_ARN,
      Protocol: 'email',
      Endpoint: 'analyst@example.org',
      ReturnSubscriptionArn: true,
      Attributes: { FilterPolicy: '{"topic":["nato-mission","ukraine-fund"],"mode":["daily"]}', FilterPolicyScope: 'MessageAttributes' },
    });
    expect(out).toContain('--authenticate-on-unsubscribe true');
  });

  it('rejects unknown topics as a usage error that lists the valid ones, before calling AWS', async () => {
    const error = await run('subscribe', 'a@example.org', '--topics', 'ukraine-fund,weather', '--topic-arn', TOPIC_ARN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe('--topics: unknown topic "weather"; valid topics: ukraine-fund, nato-mission, us-aid');
    expect(sns).not.toHaveReceivedAnyCommand();
  });

  it('adds to the filter policy of an address that is already subscribed', async () => {
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [{ SubscriptionArn: SUB_ARN, Protocol: 'email', Endpoint: 'Analyst@Example.org', TopicArn: TOPIC_ARN }],
    });
    sns.on(GetSubscriptionAttributesCommand).resolves({ Attributes: { FilterPolicy: '{"topic":["ukraine-fund"],"mode":["instant"]}' } });
    await run('subscribe', 'analyst@example.org', '--topics', 'nato-mission', '--mode', 'daily', '--topic-arn', TOPIC_ARN);
    expect(cfn).not.toHaveReceivedAnyCommand();
    expect(sns).not.toHaveReceivedCommand(SubscribeCommand);
    expect(sns).toHaveReceivedCommandWith(SetSubscriptionAttributesCommand, {
      SubscriptionArn: SUB_ARN,
      AttributeName: 'FilterPolicy',
      AttributeValue: '{"$or":[{"topic":["ukraine-fund"],"mode":["instant"]},{"topic":["nato-mission"],"mode":["daily"]}]}',
    });
  });
});

describe('fundwatch unsubscribe and subscriptions', () => {
  beforeEach(() => {
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [
        { SubscriptionArn: SUB_ARN, Protocol: 'email', Endpoint: 'analyst@example.org', TopicArn: TOPIC_ARN },
        { SubscriptionArn: 'PendingConfirmation', Protocol: 'email', Endpoint: 'new@example.org', TopicArn: TOPIC_ARN },
      ],
    });
    sns.on(GetSubscriptionAttributesCommand).resolves({ Attributes: { FilterPolicy: '{"topic":["nato-mission","ukraine-fund"],"mode":["instant"]}' } });
  });

  it('removes only the named topics from the policy', async () => {
    await run('unsubscribe', 'analyst@example.org', '--topics', 'nato-mission', '--topic-arn', TOPIC_ARN);
    expect(sns).toHaveReceivedCommandWith(SetSubscriptionAttributesCommand, {
      AttributeName: 'FilterPolicy',
      AttributeValue: '{"topic":["ukraine-fund"],"mode":["instant"]}',
    });
    expect(sns).not.toHaveReceivedCommand(UnsubscribeCommand);
  });

  it('unsubscribes entirely without --topics or when nothing is left', async () => {
    await run('unsubscribe', 'analyst@example.org', '--topic-arn', TOPIC_ARN);
    expect(sns).toHaveReceivedCommandWith(UnsubscribeCommand, { SubscriptionArn: SUB_ARN });
    sns.resetHistory();
    await run('unsubscribe', 'analyst@example.org', '--topics', 'nato-mission,ukraine-fund', '--topic-arn', TOPIC_ARN);
    expect(sns).toHaveReceivedCommandWith(UnsubscribeCommand, { SubscriptionArn: SUB_ARN });
  });

  it('lists subscriptions with their routes', async () => {
    const out = await run('subscriptions', '--json', '--topic-arn', TOPIC_ARN);
    expect(out.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      {
        email: 'analyst@example.org',
        status: 'confirmed',
        subscriptionArn: SUB_ARN,
        routes: [
          { topic: 'nato-mission', mode: 'instant' },
          { topic: 'ukraine-fund', mode: 'instant' },
        ],
      },
      { email: 'new@example.org', status: 'pending', subscriptionArn: null, routes: [] },
    ]);
  });
});

describe('filter policy round trip', () => {
  it('reads back what it writes, for one mode and for both', () => {
    for (const policy of ['{"topic":["a","b"],"mode":["daily"]}', '{"$or":[{"topic":["a"],"mode":["instant"]},{"topic":["b"],"mode":["daily"]}]}']) {
      expect(policyOfPairs(pairsOfPolicy(policy))).toBe(policy);
    }
  });
});
