import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { createPacer, SnsAlertPublisher } from '#shared/alerts/sns-publisher.ts';
import { OutboxPublisher } from '#shared/local/outbox-publisher.ts';
import type { AlertEmail } from '#shared/model.ts';

const email = (overrides: Partial<AlertEmail> = {}): AlertEmail => ({
  topic: 'ukraine-fund',
  mode: 'instant',
  subject: '[fundwatch] Ukraine fund: 1 new — NATO allies back €100bn plan',
  body: 'Ukraine fund: 1 new match\n\n1. NATO allies back €100bn plan\n',
  itemIds: ['a'],
  ...overrides,
});

/** A virtual clock: sleeping advances it, so pacing is checked without waiting. */
function virtualClock() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
    advance: (ms: number) => (now += ms),
  };
}

describe('pacer', () => {
  it('keeps publishes at or below the rate, across concurrent callers', async () => {
    const now = 1_000_000;
    const starts: number[] = [];
    // Time stands still; each caller records when its wait would end.
    const pace = createPacer({ perSecond: 5, now: () => now, sleep: async (ms) => void starts.push(now + ms) });
    await Promise.all(Array.from({ length: 11 }, () => pace().then(() => undefined)));
    const all = [now, ...starts].sort((a, b) => a - b);
    expect(all).toHaveLength(11);
    for (let i = 5; i < all.length; i++) expect(all[i]! - all[i - 5]!).toBeGreaterThanOrEqual(1000);
    expect(all[10]! - all[0]!).toBe(2000);
  });

  it('does not wait when publishes are already spread out', async () => {
    const clock = virtualClock();
    const pace = createPacer({ perSecond: 5, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 3; i++) {
      await pace();
      clock.advance(500);
    }
    expect(clock.sleeps).toEqual([]);
  });
});

describe('SNS publisher', () => {
  const sns = mockClient(SNSClient);
  beforeEach(() => sns.reset());

  it('publishes subject, body and the routing attributes topic and mode', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const clock = virtualClock();
    const publisher = new SnsAlertPublisher({
      client: new SNSClient({ region: 'eu-west-1' }),
      topicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts',
      pacer: createPacer({ now: clock.now, sleep: clock.sleep }),
    });
    await publisher.publish(email());
    await publisher.publish(email({ topic: 'nato-mission', mode: 'daily' }));
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(sns).toHaveReceivedNthCommandWith(PublishCommand, 1, {
      TopicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts',
      Subject: '[fundwatch] Ukraine fund: 1 new — NATO allies back €100bn plan',
      Message: 'Ukraine fund: 1 new match\n\n1. NATO allies back €100bn plan\n',
      MessageAttributes: {
        topic: { DataType: 'String', StringValue: 'ukraine-fund' },
        mode: { DataType: 'String', StringValue: 'instant' },
      },
    });
    expect(sns).toHaveReceivedNthCommandWith(PublishCommand, 2, {
      MessageAttributes: {
        topic: { DataType: 'String', StringValue: 'nato-mission' },
        mode: { DataType: 'String', StringValue: 'daily' },
      },
    });
    // The second publish came 200 ms after the first: 5 a second.
    expect(clock.sleeps).toEqual([200]);
  });

  it('refuses a message over SNS size limit before calling SNS', async () => {
    const publisher = new SnsAlertPublisher({ client: new SNSClient({ region: 'eu-west-1' }), topicArn: 'arn:x', pacer: async () => {} });
    await expect(publisher.publish(email({ body: 'x'.repeat(300_000) }))).rejects.toThrow(/over SNS/);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it('lets a failed Publish surface', async () => {
    sns.on(PublishCommand).rejects(new Error('Throttling'));
    const publisher = new SnsAlertPublisher({ client: new SNSClient({ region: 'eu-west-1' }), topicArn: 'arn:x', pacer: async () => {} });
    await expect(publisher.publish(email())).rejects.toThrow('Throttling');
  });
});

describe('outbox publisher', () => {
  it('writes one time-sortable file per email and prints it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fundwatch-outbox-'));
    let printed = '';
    const times = [new Date('2024-04-03T09:12:00.123Z'), new Date('2024-04-03T09:12:01.000Z')];
    const outbox = new OutboxPublisher({ dataDir, out: { write: (s: string) => (printed += s) }, now: () => times.shift()! });
    await outbox.publish(email());
    await outbox.publish(email({ topic: 'nato-mission', mode: 'daily', subject: 'Second' }));

    const files = await readdir(join(dataDir, 'outbox'));
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^20240403T091200Z-ukraine-fund-instant-[0-9a-f]{8}\.txt$/);
    expect(files[1]).toMatch(/^20240403T091201Z-nato-mission-daily-[0-9a-f]{8}\.txt$/);
    const text = await readFile(join(dataDir, 'outbox', files[0]!), 'utf8');
    expect(text).toBe(
      'Subject: [fundwatch] Ukraine fund: 1 new — NATO allies back €100bn plan\n' +
        'Topic: ukraine-fund\nMode: instant\n\n' +
        'Ukraine fund: 1 new match\n\n1. NATO allies back €100bn plan\n',
    );
    expect(printed).toContain(text);
    expect(printed).toContain('Subject: Second');
  });
});
