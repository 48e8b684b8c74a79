import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '#shared/config/load.ts';

const feeds = [{ url: 'https://www.nato.int/rss.xml', name: 'NATO' }];
const problemsOf = (subscriptions: unknown[]): string[] => {
  try {
    parseConfig({ feeds, subscriptions });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};
const slack = { protocol: 'slack', name: 'ops-slack', secretName: 'fundwatch/ops-slack', topics: ['ukraine-fund'] };

describe('subscriptions by protocol', () => {
  it('reads an entry without protocol as email, and every protocol with its defaults', () => {
    const { subscriptions } = parseConfig({
      feeds,
      subscriptions: [
        { email: 'a@example.org', topics: ['us-aid'] },
        slack,
        { protocol: 'https', name: 'newsroom', secretName: '/fw/newsroom', secretStore: 'ssm', topics: ['us-aid'], mode: 'daily' },
        { protocol: 'sqs', queueArn: 'arn:aws:sqs:eu-west-1:123456789012:mine', topics: ['us-aid'] },
        { protocol: 'lambda', functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:mine:live', topics: ['us-aid'] },
      ],
    });
    expect(subscriptions.map((s) => [s.protocol, s.mode])).toEqual([
      ['email', 'instant'],
      ['slack', 'instant'],
      ['https', 'daily'],
      ['sqs', 'instant'],
      ['lambda', 'instant'],
    ]);
    expect(subscriptions[1]).toMatchObject({ secretStore: 'secrets-manager' });
  });

  it.each([
    [{ ...slack, protocol: 'fax' }, '$.subscriptions[0].protocol: expected "protocol" to be one of "email", "https", "slack", "sqs", "lambda"'],
    [{ protocol: 'https', name: 'x', topics: ['t'] }, '$.subscriptions[0].secretName: expected the name of the secret that holds the webhook URL (never the URL itself)'],
    [{ ...slack, secretName: 'https://hooks.slack.com/services/T/B/X' }, "$.subscriptions[0].secretName: looks like a URL: put the webhook URL in the secret and give the secret's name here"],
    [{ ...slack, secretName: 'has spaces' }, '$.subscriptions[0].secretName: expected a Secrets Manager secret name (1-512 of letters, digits and /_+=.@-)'],
    [{ ...slack, secretStore: 'ssm', secretName: 'fundwatch/x' }, '$.subscriptions[0].secretName: expected an SSM parameter name starting with "/" (letters, digits, "_", ".", "-", "/")'],
    [{ ...slack, name: 'Ops Slack' }, '$.subscriptions[0].name: expected a short name of lower-case letters, digits and hyphens, e.g. "ops-slack"'],
    [{ ...slack, url: 'https://hooks.slack.com/x' }, '$.subscriptions[0]: unknown key "url"'],
    [{ protocol: 'sqs', queueArn: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q', topics: ['t'] }, '$.subscriptions[0].queueArn: expected an SQS queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME; FIFO queues cannot subscribe to a standard topic)'],
    [{ protocol: 'lambda', functionArn: 'my-function', topics: ['t'] }, '$.subscriptions[0].functionArn: expected a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)'],
  ])('refuses %j naming the JSON path', (entry, problem) => {
    expect(problemsOf([entry])).toEqual([problem]);
  });

  it('refuses two webhooks with one name (the name picks the Lambda alias)', () => {
    expect(problemsOf([slack, { ...slack, protocol: 'https' }])).toEqual(['$.subscriptions[1].name: "ops-slack" is already the name of subscriptions[0]; webhook names must be unique']);
  });
});
