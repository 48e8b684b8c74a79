import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { encodeCompiledJson } from '#shared/config/runtime.ts';
import type { Config } from '#shared/config/schema.ts';
import { GSI1 } from '#shared/store/table-design.ts';
import { FUNCTION_ENV, METRICS } from '../outputs.ts';
import { TABLE_ACTIONS, type ConditionedWrite, type TableAccess } from '../table-access.ts';

/** The repository root: esbuild resolves `#shared/*` from its package.json. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface FundwatchFunctionProps {
  /** Handler file relative to the repository root, e.g. `functions/poll.ts`; it exports `handler`. */
  entry: string;
  description: string;
  /** The validated config, compiled into the bundle (compressed) as `process.env.FUNDWATCH_CONFIG`. */
  config: Config;
  /** The topic pack JSON (validated at synth), compiled in (compressed) as `process.env.FUNDWATCH_TOPIC_PACK`. */
  topicPackJson: string;
  timeout: Duration;
  /** Sized per function; Lambda's CPU share grows with memory. */
  memorySize: number;
  reservedConcurrentExecutions?: number;
  environment?: Record<string, string>;
  logRetention?: RetentionDays;
}

/**
 * Every fundwatch Lambda: Node.js 22 on ARM64, one ESM bundle with the AWS SDK inside, the
 * config compiled in, its own log group with a retention, and a role that starts with nothing
 * but writing to that log group (no AWS managed policy). Rights are added by `bindTable` and
 * `allowPublish`, which also set the environment variable the handler reads, in the same call.
 */
export class FundwatchFunction extends NodejsFunction {
  /** The function's own role, as a concrete Role (the base class exposes it as optional IRole). */
  readonly executionRole: Role;

  constructor(scope: Construct, id: string, props: FundwatchFunctionProps) {
    // Siblings rather than children: a NodejsFunction subclass cannot create children before super().
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      // Operational logs age out by retention anyway; keeping them after `cdk destroy` only
      // leaves orphans behind. The data that matters is the retained table.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `fundwatch ${id} function`,
    });
    logGroup.grantWrite(role);

    // String literals holding JSON texts (gzip + base64, see encodeCompiledJson), parsed at cold
    // start. Both were validated at synth, so the bundles need no schema library (zod alone
    // would be ~450 KB of each bundle).
    const define: Record<string, string> = {
      'process.env.FUNDWATCH_CONFIG': JSON.stringify(encodeCompiledJson(JSON.stringify(props.config))),
      'process.env.FUNDWATCH_TOPIC_PACK': JSON.stringify(encodeCompiledJson(props.topicPackJson)),
    };

    super(scope, id, {
      entry: join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: {
        [FUNCTION_ENV.serviceName]: METRICS.service,
        [FUNCTION_ENV.metricsNamespace]: METRICS.namespace,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        // ESM entry points of the SDK v3 let esbuild drop the commands we never send.
        mainFields: ['module', 'main'],
        minify: true,
        // Error class names survive minification, so logs say ConditionalCheckFailedException.
        keepNames: true,
        sourceMap: true,
        sourcesContent: false,
        // The SDK is bundled, not taken from the runtime: the versions we test (package-lock)
        // are the versions that run, and tree-shaking keeps the bundle smaller than the layer.
        bundleAwsSDK: true,
        externalModules: [],
        define,
        // Bundled CommonJS dependencies (rss-parser, xml2js, sax) call require() for Node
        // built-ins, which an ESM bundle does not have unless we create it.
        banner: "import { createRequire as __fwCreateRequire } from 'node:module'; const require = __fwCreateRequire(import.meta.url);",
        // Dead weight swapped for small local modules (each file says why): together ~200 KB of
        // every bundle, which Lambda loads on every cold start.
        esbuildArgs: {
          '--alias:xmlbuilder': './infra/lambda-shims/xml-builder-unused.cjs',
          '--alias:entities': './infra/lambda-shims/html-entities.ts',
          '--alias:@aws-sdk/credential-provider-node': './infra/lambda-shims/lambda-credentials.ts',
        },
      },
    });
    this.executionRole = role;

    Validations.of(this).acknowledge(
      {
        id: 'Serverless-LambdaTracing',
        reason:
          'No X-Ray: the handlers carry no tracer, so traces would show one segment per invocation; structured logs and Powertools metrics cover the diagnosis, and tracing would add a wildcard-resource xray policy.',
      },
      {
        id: 'AwsSolutions-L1',
        reason:
          'Pinned to nodejs22.x on purpose: middy 6 and Powertools 2.35 are the versions tested on Node 20/22 here; moving to a newer runtime is a reviewed change, not a side effect of a CDK upgrade.',
      },
      {
        id: 'Serverless-LambdaLatestVersion',
        reason: 'Same as AwsSolutions-L1: nodejs22.x is pinned deliberately and upgraded by a reviewed change.',
      },
    );
  }

  /**
   * Grants exactly the DynamoDB actions of `access` on the table and its `gsi1` index, and sets
   * TABLE_NAME. The index is named, not `index/*`, so the grant cannot widen with new indexes.
   */
  bindTable(table: ITable, access: TableAccess): this {
    this.executionRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: TABLE_ACTIONS[access].map((action) => `dynamodb:${action}`),
        resources: [table.tableArn, `${table.tableArn}/index/${GSI1}`],
      }),
    );
    this.addEnvironment(FUNCTION_ENV.tableName, table.tableName);
    return this;
  }

  /**
   * Writes narrowed to some rows and attributes of the table (see ConditionedWrite). No
   * ReturnValues either: the writes may not read back what they are not allowed to name.
   */
  allowConditionedWrites(table: ITable, writes: readonly ConditionedWrite[]): this {
    for (const write of writes) {
      this.executionRole.addToPrincipalPolicy(
        new PolicyStatement({
          actions: write.actions.map((action) => `dynamodb:${action}`),
          resources: [table.tableArn],
          conditions: {
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...write.leadingKeys] },
            'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...write.attributes] },
            StringEqualsIfExists: { 'dynamodb:ReturnValues': ['NONE'] },
          },
        }),
      );
    }
    return this;
  }

  /**
   * sns:Publish on one topic, plus the two KMS actions SNS needs to encrypt the message with the
   * topic's key (GenerateDataKey for the data key, Decrypt to reuse a cached one), and sets the
   * topic's ARN in `envName`.
   */
  allowPublish(topic: ITopic, key: IKey, envName: string = FUNCTION_ENV.alertTopicArn): this {
    this.executionRole.addToPrincipalPolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }));
    this.executionRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [key.keyArn] }),
    );
    this.addEnvironment(envName, topic.topicArn);
    return this;
  }
}
