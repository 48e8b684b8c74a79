import { describe, expect, it } from 'vitest';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { MAX_PAYLOAD_BYTES, renderAlert } from '#shared/alerts/alert-payload.ts';
import { SNS_MAX_MESSAGE_BYTES, SnsAlertPublisher } from '#shared/alerts/sns-publisher.ts';
import { aMatch } from '#tests/support/matches.ts';

describe('the alert payload beside the email', () => {
  it('is published in the same message: plain text for email, the payload JSON for every other protocol', async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    const email = renderAlert('ukraine-fund', 'instant', [aMatch({ id: 'a' })], { maxItems: 5 });
    await new SnsAlertPublisher({ client: new SNSClient({ region: 'eu-west-1' }), topicArn: 'arn:aws:sns:eu-west-1:123456789012:t', pacer: async () => {} }).publish(email);
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(input.MessageStructure).toBe('json');
    const message = JSON.parse(input.Message!);
    expect(Object.keys(message).sort()).toEqual(['default', 'email']);
    expect(message.email).toBe(email.body);
    expect(JSON.parse(message.default)).toEqual(email.payload);
    expect(email.payload!.items.map((i) => i.id)).toEqual(['a']);
  });

  it('stays within its byte budget, counting what it left out, so the whole message fits SNS', () => {
    const huge = 'x'.repeat(50_000);
    const matches = Array.from({ length: 100 }, (_, i) => aMatch({ id: `m${i}`, title: `${huge} ${i}`, summary: huge, evidence: { 'ukraine-fund': Array(100).fill(huge.slice(0, 500)) } }));
    const email = renderAlert('ukraine-fund', 'daily', matches, { maxItems: 100 });
    const payload = email.payload!;
    expect(Buffer.byteLength(JSON.stringify(payload))).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    expect(payload.items.length).toBeGreaterThan(0);
    expect(payload.total).toBe(100);
    expect(payload.more).toBe(100 - payload.items.length);
    const message = JSON.stringify({ default: JSON.stringify(payload), email: email.body });
    expect(Buffer.byteLength(message) + Buffer.byteLength(email.subject)).toBeLessThan(SNS_MAX_MESSAGE_BYTES);
  });

  it('tells with each item where to label it: the web page\'s panel, or the command without one', () => {
    const matches = [
      aMatch({ id: '3f9a0c1d2e4b5a6c7d8e9f01', scores: { 'ukraine-fund': 0.9 } }),
      aMatch({ id: '0b1c2d3e4f5a6b7c8d9e0f12', scores: { 'ukraine-fund': 0.8 } }),
    ];
    const withPage = renderAlert('ukraine-fund', 'instant', matches, { maxItems: 5, queryUrl: 'http://127.0.0.1:8787/' }).payload!;
    expect(withPage.items.map((i) => i.feedback)).toEqual([
      'http://127.0.0.1:8787/?feedback=3f9a0c1d2e4b5a6c7d8e9f01',
      'http://127.0.0.1:8787/?feedback=0b1c2d3e4f5a6b7c8d9e0f12',
    ]);
    const withoutPage = renderAlert('ukraine-fund', 'instant', matches.slice(0, 1), { maxItems: 5 }).payload!;
    expect(withoutPage.items[0]!.feedback).toBe('fundwatch feedback 3f9a0c1d2e4b5a6c7d8e9f01 --not-relevant');
    expect(renderAlert('ukraine-fund', 'instant', [aMatch({ id: 'x y' })], { maxItems: 5 }).payload!.items[0]!.feedback).toBeNull();
  });
});
