import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { PublishCommand, SNSClient, type MessageAttributeValue } from '@aws-sdk/client-sns';
import { SnsAlertPublisher } from '#shared/alerts/sns-publisher.ts';
import { filterPolicyFor } from '#infra/constructs/alerting.ts';
import { policyOfPairs } from '#cli/commands/subscribe.ts';
import type { AlertMode } from '#shared/model.ts';

/**
 * SNS delivers an alert to a subscriber only when the message attributes the publisher sets pass
 * the subscription's filter policy, and a mismatch fails no call: nobody gets email. SNS has no
 * local peer, so the publisher's real request is captured (aws-sdk-client-mock) and matched
 * against the policies the stack and `fundwatch subscribe` write, with SNS's rule for the subset
 * they use: every named attribute must hold one of its listed strings; `$or` takes any clause.
 */
function delivers(policy: Record<string, unknown>, attributes: Record<string, MessageAttributeValue>): boolean {
  const clauses = (policy.$or as Record<string, unknown>[] | undefined) ?? [policy];
  return clauses.some((clause) =>
    Object.entries(clause).every(([name, allowed]) => {
      const value = attributes[name]?.StringValue;
      return value !== undefined && (allowed as string[]).includes(value);
    }),
  );
}

const sns = mockClient(SNSClient);
beforeEach(() => sns.reset());

/** The message attributes of the alert the real publisher sends for `topic` in `mode`. */
async function attributesOf(topic: string, mode: AlertMode): Promise<Record<string, MessageAttributeValue>> {
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  const publisher = new SnsAlertPublisher({ client: new SNSClient({ region: 'eu-west-1' }), topicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts', pacer: async () => {} });
  await publisher.publish({ topic, mode, subject: 's', body: 'b', itemIds: ['i'] });
  const calls = sns.commandCalls(PublishCommand);
  return calls[calls.length - 1]!.args[0].input.MessageAttributes ?? {};
}

describe('alert routing: what the publisher sends against what subscriptions filter on', () => {
  it("reaches a stack subscription for its topics in its mode, and nothing else", async () => {
    const deployed = filterPolicyFor({ topics: ['nato-mission', 'us-aid'], mode: 'daily' });
    const policy = Object.fromEntries(Object.entries(deployed).map(([name, filter]) => [name, filter.conditions]));

    expect(delivers(policy, await attributesOf('nato-mission', 'daily'))).toBe(true);
    expect(delivers(policy, await attributesOf('us-aid', 'daily'))).toBe(true);
    expect(delivers(policy, await attributesOf('nato-mission', 'instant'))).toBe(false);
    expect(delivers(policy, await attributesOf('ukraine-fund', 'daily'))).toBe(false);
  });

  it('reaches a `fundwatch subscribe` subscription for exactly the (topic, mode) pairs it chose', async () => {
    const pairs = new Set([`nato-mission\u0000instant`, `ukraine-fund\u0000daily`] as const);
    const policy = JSON.parse(policyOfPairs(pairs)) as Record<string, unknown>;

    expect(delivers(policy, await attributesOf('nato-mission', 'instant'))).toBe(true);
    expect(delivers(policy, await attributesOf('ukraine-fund', 'daily'))).toBe(true);
    expect(delivers(policy, await attributesOf('nato-mission', 'daily'))).toBe(false);
    expect(delivers(policy, await attributesOf('ukraine-fund', 'instant'))).toBe(false);
  });
});
