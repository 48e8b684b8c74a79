import { beforeAll, describe, expect, it } from 'vitest';
import { Annotations, Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { GSI1, KEY, ROW, ROW_TYPE_ATTRIBUTE, TTL_ATTRIBUTE } from '#shared/store/table-design.ts';
import { FUNCTION_ENV, METRICS, STACK_OUTPUTS } from '#infra/outputs.ts';
import { QUERY_ROUTES, QUERY_THROTTLE, QUERY_WRITE_ROUTES } from '#infra/constructs/query-api.ts';
import { FEEDBACK_WRITES } from '#infra/table-access.ts';
import { pollTimeout } from '#infra/constructs/poller.ts';
import { actionsOfFunction, logicalId, resourcesOf, sorted, synth, testConfig, type Synthesized } from './support.ts';

const subscriptions = [
  { email: 'analyst@example.org', topics: ['ukraine-fund', 'nato-mission'], mode: 'instant' as const },
  { email: 'editor@example.org', topics: ['ukraine-fund'], mode: 'daily' as const },
];
const config = testConfig({ subscriptions, operations: { alarmEmail: 'ops@example.org' } });

let s: Synthesized;
beforeAll(() => {
  s = synth(config);
});

describe('poller', () => {
  it('runs on a rate schedule of schedule.pollEveryMinutes, and the config changes it', () => {
    s.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(s.stack, s.stack.poller.fn), 'Arn'] } })],
    });
    const every30 = synth(testConfig({ schedule: { pollEveryMinutes: 30 } }));
    every30.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(30 minutes)' });
    expect(JSON.stringify(every30.template.toJSON())).not.toContain('rate(15 minutes)');
  });

  it('runs one cycle at a time, with the timeout from the feed-count formula', () => {
    const expected = pollTimeout(config).seconds;
    // 2 feeds on 2 hosts, default concurrency: one wave of (10 s fetch timeout + 5 s) after 30 s overhead.
    expect(expected).toBe(60);
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('poll the feeds'),
      ReservedConcurrentExecutions: 1,
      Timeout: expected,
    });
  });

  it('sizes the timeout by the slowest chain of waits and caps it below the poll interval', () => {
    const sameHost = Array.from({ length: 12 }, (_, i) => ({ url: `https://news.google.com/rss/search?q=${i}`, name: `G${i}` }));
    // 12 feeds on one host at 2 per host: 6 waves × 15 s + 30 s.
    expect(pollTimeout(testConfig({ feeds: sameHost })).seconds).toBe(120);
    const many = Array.from({ length: 2_400 }, (_, i) => ({ url: `https://h${i}.example.org/feed`, name: `F${i}` }));
    const capped = pollTimeout(testConfig({ feeds: many }));
    expect(capped.seconds).toBe(15 * 60 - 60);
    expect(capped.wanted).toBeGreaterThan(capped.ceiling);
    // An operator who keeps the single poller past its limit is warned at synth, and told how to fan out.
    const big = synth(testConfig({ feeds: many, scale: { fanOutAboveFeeds: 5_000 } }));
    Annotations.fromStack(big.stack).hasWarning('/Fundwatch/Poller', Match.stringLikeRegexp('capped at 840 s.*scale.fanOutAboveFeeds below 2400'));
  });

  it('does not retry a failed cycle and sends failures to an encrypted queue', () => {
    const queueId = s.stack.getLogicalId(s.stack.poller.failures.node.defaultChild as never);
    s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(s.stack, s.stack.poller.fn) },
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    s.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      Targets: [Match.objectLike({ DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } } })],
    });
    const queues = Object.values(resourcesOf(s.template, 'AWS::SQS::Queue'));
    expect(queues).toHaveLength(3);
    for (const queue of queues) expect(queue.Properties?.SqsManagedSseEnabled).toBe(true);
  });
});

describe('alerting', () => {
  it('sends from one notify invocation at a time, so the SNS pacing holds across stream shards', () => {
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('instant alert emails'),
      ReservedConcurrentExecutions: 1,
    });
  });

  it('feeds notify only INSERTs of match rows, with partial batch failures, bisect and a DLQ', () => {
    const pattern = new Capture();
    const dlqId = s.stack.getLogicalId(s.stack.alerting.notifyFailures.node.defaultChild as never);
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(s.stack, s.stack.alerting.notify) },
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StoreTable'), 'StreamArn'] },
      FilterCriteria: { Filters: [{ Pattern: pattern }] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: Match.anyValue(),
      MaximumRecordAgeInSeconds: Match.anyValue(),
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
    });
    expect(JSON.parse(pattern.asString())).toEqual({
      eventName: ['INSERT'],
      dynamodb: { NewImage: { [ROW_TYPE_ATTRIBUTE]: { S: [ROW.match] } } },
    });
    const mapping = Object.values(resourcesOf(s.template, 'AWS::Lambda::EventSourceMapping'))[0]!.Properties!;
    expect(mapping.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(mapping.MaximumRecordAgeInSeconds).toBeGreaterThan(0);
  });

  it('routes each subscriber with a filter policy on the topic and mode attributes', () => {
    const subs = Object.values(resourcesOf(s.template, 'AWS::SNS::Subscription'));
    const alertTopicId = s.stack.getLogicalId(s.stack.alerting.topic.node.defaultChild as never);
    const alertSubs = subs.filter((sub) => JSON.stringify(sub.Properties?.TopicArn) === JSON.stringify({ Ref: alertTopicId }));
    const captured = alertSubs.map((sub) => ({
      email: sub.Properties?.Endpoint,
      protocol: sub.Properties?.Protocol,
      filter: sub.Properties?.FilterPolicy,
      scope: sub.Properties?.FilterPolicyScope ?? 'MessageAttributes',
    }));
    expect(captured.sort((a, b) => a.email.localeCompare(b.email))).toEqual(
      subscriptions.map((sub) => ({
        email: sub.email,
        protocol: 'email',
        filter: { topic: sub.topics, mode: [sub.mode] },
        scope: 'MessageAttributes',
      })),
    );
  });

  it('encrypts both topics with a rotated key and refuses publishers without TLS', () => {
    s.template.resourceCountIs('AWS::SNS::Topic', 2);
    s.template.allResourcesProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    s.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    for (const topic of [s.stack.alerting.topic, s.stack.alarms.topic]) {
      s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: s.stack.getLogicalId(topic.node.defaultChild as never) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('runs the digest daily at schedule.digestHourUtc', () => {
    s.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 7 * * ? *)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(s.stack, s.stack.alerting.digest), 'Arn'] } })],
    });
    const late = synth(testConfig({ schedule: { digestHourUtc: 22 } }));
    late.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 22 * * ? *)' });
  });

  it('refuses a config that subscribes one address twice in the same mode', () => {
    const twice = testConfig({ subscriptions: [subscriptions[0]!, { ...subscriptions[0]!, topics: ['other'] }] });
    expect(() => synth(twice)).toThrow(/subscribed twice/);
  });
});

describe('least privilege', () => {
  const logs = ['logs:CreateLogStream', 'logs:PutLogEvents'];
  const failureQueue = ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];
  const publish = ['sns:Publish', 'kms:GenerateDataKey', 'kms:Decrypt'];
  const alertTable = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'];
  const streamRead = ['dynamodb:ListStreams', 'dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'];

  it('grants each function exactly its actions', () => {
    const { stack, template } = s;
    expect(sorted(actionsOfFunction(stack, template, stack.poller.fn))).toEqual(
      sorted([
        ...logs,
        ...failureQueue,
        ...['GetItem', 'PutItem', 'UpdateItem', 'BatchGetItem', 'BatchWriteItem', 'Query', 'PartiQLInsert'].map((a) => `dynamodb:${a}`),
      ]),
    );
    expect(sorted(actionsOfFunction(stack, template, stack.alerting.notify))).toEqual(
      sorted([...logs, ...failureQueue, ...alertTable, ...publish, ...streamRead]),
    );
    expect(sorted(actionsOfFunction(stack, template, stack.alerting.digest))).toEqual(
      sorted([...logs, ...failureQueue, ...alertTable, ...publish]),
    );
    expect(sorted(actionsOfFunction(stack, template, stack.queryApi.fn))).toEqual(
      sorted([...logs, 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']),
    );
  });

  it('lets the query API write labels only: UpdateItem on match rows\' two label attributes and on FEEDBACK entries', () => {
    const roleId = s.stack.getLogicalId(s.stack.queryApi.fn.executionRole.node.defaultChild as never);
    const statements = Object.values(resourcesOf(s.template, 'AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties!.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((p) => p.Properties!.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, string[]>> }[]);
    const writes = statements.filter((st) => [st.Action].flat().includes('dynamodb:UpdateItem'));
    expect(writes).toHaveLength(2);
    for (const write of writes) {
      expect(write.Action).toBe('dynamodb:UpdateItem');
      expect(write.Resource).toEqual(expect.objectContaining({ 'Fn::GetAtt': [expect.stringMatching(/^StoreTable/), 'Arn'] }));
      expect(Object.keys(write.Condition ?? {}).sort()).toEqual(['ForAllValues:StringEquals', 'ForAllValues:StringLike', 'StringEqualsIfExists']);
      expect(write.Condition!.StringEqualsIfExists).toEqual({ 'dynamodb:ReturnValues': ['NONE'] });
    }
    const byKeys = Object.fromEntries(writes.map((w) => [String(w.Condition!['ForAllValues:StringLike']!['dynamodb:LeadingKeys']), w.Condition!['ForAllValues:StringEquals']!['dynamodb:Attributes']]));
    expect(byKeys).toEqual({
      'ITEM#*': ['pk', 'sk', 'feedback', 'feedbackAt'],
      FEEDBACK: FEEDBACK_WRITES[1]!.attributes,
    });
    // The match row's own fields stay out of reach of the API.
    for (const field of ['topics', 'title', 'summary', 'score', 'expiresAt', 'duplicateCount']) expect(byKeys['ITEM#*']).not.toContain(field);
    // Other table actions of the API carry no write at all.
    for (const st of statements.filter((st) => !writes.includes(st))) expect([st.Action].flat().filter((a) => /^dynamodb:.*(Put|Update|Delete|Write)/.test(a))).toEqual([]);
  });

  it('scopes table actions to the table and the gsi1 index, and publishing to the alert topic', () => {
    const tableArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^StoreTable'), 'Arn'] };
    const indexArn = { 'Fn::Join': ['', [tableArn, `/index/${GSI1}`]] };
    for (const fn of [s.stack.poller.fn, s.stack.alerting.notify, s.stack.alerting.digest, s.stack.queryApi.fn]) {
      const roleId = s.stack.getLogicalId(fn.executionRole.node.defaultChild as never);
      s.template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: roleId }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['dynamodb:Query']), Resource: [tableArn, indexArn] })]),
        },
      });
    }
    const topicId = s.stack.getLogicalId(s.stack.alerting.topic.node.defaultChild as never);
    const publishers = Object.values(resourcesOf(s.template, 'AWS::IAM::Policy')).flatMap((p) =>
      p.Properties!.PolicyDocument.Statement.filter((st: { Action: unknown }) => [st.Action].flat().includes('sns:Publish')),
    );
    expect(publishers).toHaveLength(2);
    for (const statement of publishers) expect(statement.Resource).toEqual({ Ref: topicId });
  });

  it('has no wildcard action in any IAM policy, and no managed policy on any role', () => {
    const actions = Object.values(resourcesOf(s.template, 'AWS::IAM::Policy')).flatMap((p) =>
      p.Properties!.PolicyDocument.Statement.flatMap((st: { Action: unknown }) => [st.Action].flat()),
    );
    expect(actions.length).toBeGreaterThan(20);
    expect(actions.filter((a) => String(a).includes('*'))).toEqual([]);
    for (const role of Object.values(resourcesOf(s.template, 'AWS::IAM::Role'))) {
      expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('keeps the key policy to the account root and CloudWatch', () => {
    const statements = Object.values(resourcesOf(s.template, 'AWS::KMS::Key'))[0]!.Properties!.KeyPolicy.Statement;
    expect(statements).toHaveLength(2);
    expect(statements[1]).toMatchObject({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:GenerateDataKey', 'kms:Decrypt'] });
  });
});

describe('functions', () => {
  it('run Node.js 22 on ARM64 with the Powertools and source-map environment', () => {
    const functions = Object.values(resourcesOf(s.template, 'AWS::Lambda::Function'));
    expect(functions).toHaveLength(4);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Environment: {
          Variables: {
            [FUNCTION_ENV.tableName]: { Ref: expect.stringMatching(/^StoreTable/) },
            [FUNCTION_ENV.serviceName]: METRICS.service,
            [FUNCTION_ENV.metricsNamespace]: METRICS.namespace,
            NODE_OPTIONS: '--enable-source-maps',
          },
        },
        LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
      });
      expect(fn.Properties!.MemorySize).toBeGreaterThanOrEqual(256);
    }
  });

  it('give notify and digest the alert topic and the query API URL', () => {
    for (const fn of [s.stack.alerting.notify, s.stack.alerting.digest]) {
      const variables = s.template.toJSON().Resources[logicalId(s.stack, fn)].Properties.Environment.Variables;
      expect(variables[FUNCTION_ENV.alertTopicArn]).toEqual({ Ref: s.stack.getLogicalId(s.stack.alerting.topic.node.defaultChild as never) });
      expect(JSON.stringify(variables[FUNCTION_ENV.queryApiUrl])).toContain('execute-api');
    }
    const poll = s.template.toJSON().Resources[logicalId(s.stack, s.stack.poller.fn)].Properties.Environment.Variables;
    expect(poll[FUNCTION_ENV.alertTopicArn]).toBeUndefined();
  });

  it('keep their logs for a bounded time', () => {
    const groups = Object.values(resourcesOf(s.template, 'AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(5);
    for (const group of groups) expect(group.Properties?.RetentionInDays).toBeGreaterThan(0);
  });
});

describe('store', () => {
  it('is the table of table-design.ts: keys, gsi1, TTL, stream, PITR, protected and retained', () => {
    s.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: KEY.pk, KeyType: 'HASH' },
          { AttributeName: KEY.sk, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
        GlobalSecondaryIndexes: [
          {
            IndexName: GSI1,
            KeySchema: [
              { AttributeName: KEY.gsi1pk, KeyType: 'HASH' },
              { AttributeName: KEY.gsi1sk, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      },
    });
  });
});

describe('query API', () => {
  it('requires IAM authorisation on every route, and serves exactly the documented GET routes and the one POST', () => {
    const routes = Object.values(resourcesOf(s.template, 'AWS::ApiGatewayV2::Route'));
    expect(sorted(routes.map((r) => r.Properties!.RouteKey))).toEqual(
      sorted([...QUERY_ROUTES.map((p) => `GET ${p}`), ...QUERY_WRITE_ROUTES.map((p) => `POST ${p}`)]),
    );
    expect(QUERY_WRITE_ROUTES).toEqual(['/updates/{id}/feedback']);
    for (const route of routes) expect(route.Properties!.AuthorizationType).toBe('AWS_IAM');
  });

  it('throttles the stage and writes JSON access logs to a log group', () => {
    const format = new Capture();
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: QUERY_THROTTLE.rateLimit, ThrottlingBurstLimit: QUERY_THROTTLE.burstLimit },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [s.stack.getLogicalId(s.stack.queryApi.accessLogs.node.defaultChild as never), 'Arn'] },
        Format: format,
      },
    });
    expect(JSON.parse(format.asString())).toMatchObject({ requestId: '$context.requestId', status: '$context.status', userArn: '$context.identity.userArn' });
  });
});

describe('alarms', () => {
  const alarmsOf = (t: Template) => Object.values(resourcesOf(t, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties!);

  it('watch poll and notify errors, failing feeds and every dead-letter queue, all on the operations topic', () => {
    const opsTopic = { Ref: s.stack.getLogicalId(s.stack.alarms.topic.node.defaultChild as never) };
    const alarms = alarmsOf(s.template);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([opsTopic]);
    const byFunction = (fn: typeof s.stack.poller.fn) =>
      alarms.find((a) => a.MetricName === 'Errors' && JSON.stringify(a.Dimensions).includes(logicalId(s.stack, fn)));
    expect(byFunction(s.stack.poller.fn)).toMatchObject({ Namespace: 'AWS/Lambda', Threshold: 1 });
    expect(byFunction(s.stack.alerting.notify)).toMatchObject({ Namespace: 'AWS/Lambda', Threshold: 1 });
    const queues = [s.stack.poller.failures, s.stack.alerting.notifyFailures, s.stack.alerting.digestFailures];
    for (const queue of queues) {
      const name = { 'Fn::GetAtt': [s.stack.getLogicalId(queue.node.defaultChild as never), 'QueueName'] };
      expect(alarms.find((a) => JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'QueueName', Value: name }]))).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
      });
    }
  });

  it('alarms on FeedsFailing as the poll function emits it, failing for hours', () => {
    const feeds = alarmsOf(s.template).find((a) => a.MetricName === METRICS.feedsFailing);
    expect(feeds).toMatchObject({
      Namespace: METRICS.namespace,
      // Powertools Metrics adds the service dimension to everything it emits.
      Dimensions: [{ Name: 'service', Value: METRICS.service }],
      Statistic: 'Minimum',
      Period: 3600,
      EvaluationPeriods: 3,
      Threshold: 1,
    });
  });

  it('mails the operations topic to operations.alarmEmail, and nobody when it is absent', () => {
    s.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.org',
      TopicArn: { Ref: s.stack.getLogicalId(s.stack.alarms.topic.node.defaultChild as never) },
    });
    const quiet = synth(testConfig());
    quiet.template.resourceCountIs('AWS::SNS::Subscription', 0);
    expect(alarmsOf(quiet.template).length).toBe(alarmsOf(s.template).length);
  });

  it('lets CloudWatch publish to the encrypted operations topic', () => {
    s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: s.stack.getLogicalId(s.stack.alarms.topic.node.defaultChild as never) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' }),
        ]),
      },
    });
  });
});

describe('outputs', () => {
  it('exports the keys the CLI reads', () => {
    const outputs = s.template.toJSON().Outputs;
    expect(sorted(Object.keys(outputs))).toEqual(sorted(Object.values(STACK_OUTPUTS)));
    expect(outputs[STACK_OUTPUTS.tableName].Value).toEqual({ Ref: expect.stringMatching(/^StoreTable/) });
    expect(outputs[STACK_OUTPUTS.alertTopicArn].Value).toEqual({ Ref: s.stack.getLogicalId(s.stack.alerting.topic.node.defaultChild as never) });
    expect(outputs[STACK_OUTPUTS.opsTopicArn].Value).toEqual({ Ref: s.stack.getLogicalId(s.stack.alarms.topic.node.defaultChild as never) });
    expect(JSON.stringify(outputs[STACK_OUTPUTS.apiUrl].Value)).toContain('execute-api');
  });
});
