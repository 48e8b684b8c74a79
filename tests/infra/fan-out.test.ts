import { beforeAll, describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { FanOutPoller, WORKER_MAX_RECEIVES, workerTimeout } from '#infra/constructs/fan-out-poller.ts';
import { Poller } from '#infra/constructs/poller.ts';
import { FUNCTION_ENV, METRICS } from '#infra/outputs.ts';
import type { Config } from '#shared/config/schema.ts';
import { actionsOfFunction, logicalId, resourcesOf, sorted, synth, testConfig, type Synthesized } from './support.ts';

/** 1,200 feeds over 300 hosts: above the default fan-out threshold of 1,000. */
function bigConfig(overrides: Partial<Config['scale']> = {}): Config {
  return testConfig({
    feeds: Array.from({ length: 1_200 }, (_, i) => ({ url: `https://outlet${i % 300}.example/feeds/${i}.xml`, name: `Outlet ${i}` })),
    scale: { maxWorkers: 16, ...overrides },
  });
}

const logs = ['logs:CreateLogStream', 'logs:PutLogEvents'];
const failureQueue = ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];
const pollTable = ['GetItem', 'PutItem', 'UpdateItem', 'BatchGetItem', 'BatchWriteItem', 'Query', 'PartiQLInsert'].map((a) => `dynamodb:${a}`);

describe('fan-out above scale.fanOutAboveFeeds', () => {
  let s: Synthesized;
  let fanOut: FanOutPoller;
  beforeAll(() => {
    s = synth(bigConfig(), { nag: true });
    fanOut = s.stack.poller as FanOutPoller;
  }, 120_000);

  it('keeps the single poller below the threshold and fans out above it, as the config says', () => {
    expect(synth(testConfig()).stack.poller).toBeInstanceOf(Poller);
    expect(fanOut).toBeInstanceOf(FanOutPoller);
    expect(synth(bigConfig(), {}).template.findResources('AWS::SQS::Queue')).not.toEqual({});
    // The same 1,200 feeds stay on one poller when the operator raises the threshold.
    expect(synth(testConfig({ ...bigConfig(), scale: { fanOutAboveFeeds: 5_000 } })).stack.poller).toBeInstanceOf(Poller);
  });

  it('queues feed batches on an encrypted, TLS-only queue whose redrive policy ends in a dead-letter queue', () => {
    const queueId = s.stack.getLogicalId(fanOut.queue.node.defaultChild as never);
    const dlqId = s.stack.getLogicalId(fanOut.workerDeadLetters.node.defaultChild as never);
    const queue = resourcesOf(s.template, 'AWS::SQS::Queue')[queueId]!.Properties!;
    expect(queue.SqsManagedSseEnabled).toBe(true);
    expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: WORKER_MAX_RECEIVES });
    // Six worker timeouts: a batch comes back only when its worker is gone.
    expect(queue.VisibilityTimeout).toBe(6 * workerTimeout(bigConfig()));
    s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('maps the queue to the worker one batch at a time, at most maxWorkers at once, with partial batch failures', () => {
    const queueId = s.stack.getLogicalId(fanOut.queue.node.defaultChild as never);
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(s.stack, fanOut.worker) },
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: 16 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const worker = resourcesOf(s.template, 'AWS::Lambda::Function')[logicalId(s.stack, fanOut.worker)]!.Properties!;
    expect(worker.Timeout).toBe(workerTimeout(bigConfig()));
    expect(worker.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('runs the dispatcher on the schedule, one at a time, with the queue URL', () => {
    s.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(s.stack, fanOut.fn), 'Arn'] } })],
    });
    const dispatcher = resourcesOf(s.template, 'AWS::Lambda::Function')[logicalId(s.stack, fanOut.fn)]!.Properties!;
    expect(dispatcher.ReservedConcurrentExecutions).toBe(1);
    expect(dispatcher.Environment.Variables[FUNCTION_ENV.feedBatchQueueUrl]).toEqual({ Ref: s.stack.getLogicalId(fanOut.queue.node.defaultChild as never) });
  });

  it('grants the dispatcher only sending to the queue, and the worker the poll table actions and consuming it', () => {
    const queueArn = { 'Fn::GetAtt': [s.stack.getLogicalId(fanOut.queue.node.defaultChild as never), 'Arn'] };
    // sqs:SendMessage is also the failure queue's grant: the explicit statement below is the one on the batch queue.
    expect(sorted(actionsOfFunction(s.stack, s.template, fanOut.fn))).toEqual(sorted([...logs, ...failureQueue]));
    s.template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: s.stack.getLogicalId(fanOut.fn.executionRole.node.defaultChild as never) }],
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'sqs:SendMessage', Effect: 'Allow', Resource: queueArn }]) },
    });
    expect(sorted(actionsOfFunction(s.stack, s.template, fanOut.worker))).toEqual(
      sorted([...logs, ...pollTable, 'sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']),
    );
  });

  it('alarms when batches wait longer than a poll interval, when batches reach the dead-letter queue, and on failing feeds summed per cycle', () => {
    const alarms = Object.values(resourcesOf(s.template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties!);
    const behind = alarms.find((a) => a.MetricName === 'ApproximateAgeOfOldestMessage');
    expect(behind).toMatchObject({ Namespace: 'AWS/SQS', Threshold: 900, Statistic: 'Maximum' });
    expect(behind!.Dimensions).toEqual([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [s.stack.getLogicalId(fanOut.queue.node.defaultChild as never), 'QueueName'] } }]);
    const deadLetters = alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible').map((a) => JSON.stringify(a.Dimensions));
    expect(deadLetters).toContainEqual(JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [s.stack.getLogicalId(fanOut.workerDeadLetters.node.defaultChild as never), 'QueueName'] } }]));
    const failing = alarms.find((a) => a.MetricName === METRICS.feedsFailing);
    expect(failing).toMatchObject({ Statistic: 'Sum', Period: 900, EvaluationPeriods: 12 });
  });

  it('is cdk-nag clean', () => {
    const violations = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
      pack.validateScope(s.stack).violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`)),
    );
    expect(violations).toEqual([]);
  });
});
