import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { actionsOfFunction, logicalId, resourcesOf, sorted, synth, testConfig, type Synthesized } from './support.ts';

/** A webhook URL that must never appear in the template: the config only names its secret. */
const SLACK_URL = 'https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX';

const config = testConfig({
  subscriptions: [
    { email: 'analyst@example.org', topics: ['ukraine-fund'], mode: 'instant' },
    { protocol: 'slack', name: 'ops-slack', secretName: 'fundwatch/ops-slack', topics: ['ukraine-fund', 'nato-mission'], mode: 'instant' },
    {
      protocol: 'https',
      name: 'newsroom',
      secretName: '/fundwatch/newsroom-hook',
      secretStore: 'ssm',
      kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
      topics: ['us-aid'],
      mode: 'daily',
    },
    { protocol: 'sqs', queueArn: 'arn:aws:sqs:eu-west-1:123456789012:my-automation', topics: ['nato-mission'], mode: 'instant' },
    { protocol: 'lambda', functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:my-handler', topics: ['us-aid'], mode: 'daily' },
  ],
});

const findings = (scope: IConstruct) =>
  [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack.validateScope(scope).violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`)),
  );

type Sub = { Protocol: string; Endpoint: unknown; FilterPolicy: unknown; RawMessageDelivery?: boolean; RedrivePolicy?: unknown };

describe('alert channels in the stack (one synth with a subscription of every protocol)', () => {
  let s: Synthesized;
  let subs: Sub[];
  let outdir: string;
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));
  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'fundwatch-channels-'));
    s = synth(config, { nag: true, outdir });
    subs = Object.values(resourcesOf(s.template, 'AWS::SNS::Subscription')).map((r) => r.Properties as Sub);
  }, 60_000);

  const policy = (topics: string[], mode: string) => ({ topic: topics, mode: [mode] });

  it('subscribes each entry with its protocol and its own filter policy', () => {
    const byProtocol = (p: string) => subs.filter((x) => x.Protocol === p);
    expect(byProtocol('email').map((x) => [x.Endpoint, x.FilterPolicy])).toEqual([['analyst@example.org', policy(['ukraine-fund'], 'instant')]]);
    expect(byProtocol('sqs').map((x) => [x.Endpoint, x.FilterPolicy, x.RawMessageDelivery])).toEqual([
      ['arn:aws:sqs:eu-west-1:123456789012:my-automation', policy(['nato-mission'], 'instant'), true],
    ]);
    const lambdas = byProtocol('lambda');
    expect(lambdas).toHaveLength(3);
    expect(lambdas.find((x) => x.Endpoint === 'arn:aws:lambda:eu-west-1:123456789012:function:my-handler')?.FilterPolicy).toEqual(policy(['us-aid'], 'daily'));
    // Each webhook reaches the delivery function through its own alias, with its own policy.
    const deliverId = logicalId(s.stack, s.stack.alerting.channels.deliver!);
    const aliases = resourcesOf(s.template, 'AWS::Lambda::Alias');
    const aliasIdNamed = (name: string) => Object.entries(aliases).find(([, a]) => a.Properties?.Name === name)?.[0];
    expect(sorted(Object.values(aliases).map((a) => a.Properties?.Name))).toEqual(['hook-newsroom', 'hook-ops-slack']);
    for (const a of Object.values(aliases)) expect(a.Properties?.FunctionName).toEqual({ Ref: deliverId });
    expect(lambdas.find((x) => JSON.stringify(x.Endpoint) === JSON.stringify({ Ref: aliasIdNamed('hook-ops-slack') }))?.FilterPolicy).toEqual(
      policy(['ukraine-fund', 'nato-mission'], 'instant'),
    );
    expect(lambdas.find((x) => JSON.stringify(x.Endpoint) === JSON.stringify({ Ref: aliasIdNamed('hook-newsroom') }))?.FilterPolicy).toEqual(policy(['us-aid'], 'daily'));
    // Everything but email has a redrive queue for messages SNS cannot hand over at all.
    expect(subs.filter((x) => x.Protocol !== 'email').every((x) => x.RedrivePolicy !== undefined)).toBe(true);
  });

  it('lets only the alert topic invoke the user function and the webhook aliases', () => {
    const permissions = Object.values(resourcesOf(s.template, 'AWS::Lambda::Permission')).filter((p) => p.Properties?.Principal === 'sns.amazonaws.com');
    expect(permissions).toHaveLength(3);
    const topicRef = { Ref: s.stack.getLogicalId(s.stack.alerting.topic.node.defaultChild as import('aws-cdk-lib').CfnElement) };
    for (const p of permissions) expect(p.Properties?.SourceArn).toEqual(topicRef);
    expect(permissions.map((p) => p.Properties?.FunctionName)).toContainEqual('arn:aws:lambda:eu-west-1:123456789012:function:my-handler');
  });

  it('retries failed webhook deliveries twice, then records them in an encrypted queue with an alarm', () => {
    const channels = s.stack.alerting.channels;
    const dlqId = s.stack.getLogicalId(channels.deliverFailures!.node.defaultChild as import('aws-cdk-lib').CfnElement);
    const configs = Object.values(resourcesOf(s.template, 'AWS::Lambda::EventInvokeConfig'));
    const forAliases = configs.filter((c) => JSON.stringify(c.Properties?.Qualifier).includes('ChannelsWebhook'));
    expect(forAliases).toHaveLength(2);
    for (const c of forAliases) {
      expect(c.Properties?.MaximumRetryAttempts).toBe(2);
      expect(JSON.stringify(c.Properties?.DestinationConfig?.OnFailure)).toContain(dlqId);
    }
    s.template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    const alarms = Object.values(resourcesOf(s.template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties!);
    const deadLetterAlarm = alarms.find((a) => JSON.stringify(a.Dimensions ?? []).includes(dlqId));
    expect(deadLetterAlarm?.MetricName).toBe('ApproximateNumberOfMessagesVisible');
    expect(alarms.find((a) => a.MetricName === 'WebhookRejected')).toMatchObject({ Namespace: 'fundwatch', Threshold: 1 });
  });

  it('grants the delivery function exactly the named secrets and the customer key, nothing else', () => {
    const deliver = s.stack.alerting.channels.deliver!;
    // The sqs actions are CDK's grant for the on-failure destination (DeliverFailures).
    expect(sorted(actionsOfFunction(s.stack, s.template, deliver))).toEqual([
      'kms:Decrypt', 'logs:CreateLogStream', 'logs:PutLogEvents', 'secretsmanager:GetSecretValue',
      'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage', 'ssm:GetParameter',
    ]);
    const statements = Object.values(resourcesOf(s.template, 'AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties?.Roles).includes(s.stack.getLogicalId(deliver.executionRole.node.defaultChild as import('aws-cdk-lib').CfnElement)))
      .flatMap((p) => p.Properties?.PolicyDocument.Statement);
    const resourceOf = (action: string) => JSON.stringify(statements.find((st: { Action: unknown }) => st.Action === action)?.Resource);
    expect(resourceOf('secretsmanager:GetSecretValue')).toMatch(/:secret:fundwatch\/ops-slack-\?\?\?\?\?\?"/);
    expect(resourceOf('ssm:GetParameter')).toMatch(/:parameter\/fundwatch\/newsroom-hook"/);
    const kms = statements.find((st: { Action: unknown }) => st.Action === 'kms:Decrypt');
    expect(kms.Resource).toBe('arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b');
    expect(JSON.stringify(kms.Condition)).toContain('kms:ViaService');
  });

  it('never puts a webhook URL in the template: only secret names', () => {
    const text = JSON.stringify(s.template.toJSON());
    expect(text).not.toContain(SLACK_URL);
    expect(text).not.toContain('hooks.slack.com');
    expect(text).toContain('fundwatch/ops-slack');
  });

  it('has no unacknowledged cdk-nag finding and no CDK warning', () => {
    expect(findings(s.stack)).toEqual([]);
    // Policy validation (cdk-nag and CloudFormation's own checks) runs in synth, throws on any
    // unacknowledged finding and writes what it saw to the report.
    expect(() => s.app.synth()).not.toThrow();
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((r: { violations?: unknown[] }) => r.violations ?? [])).toEqual([]);
    expect(Annotations.fromStack(s.stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('adds no delivery function or extra queue when every subscription is email', () => {
    const quiet = synth(testConfig({ subscriptions: [{ email: 'a@example.org', topics: ['ukraine-fund'] }] }));
    expect(quiet.stack.alerting.channels.deliver).toBeUndefined();
    quiet.template.resourceCountIs('AWS::Lambda::Alias', 0);
    quiet.template.resourceCountIs('AWS::SNS::Subscription', 1);
  });
});
