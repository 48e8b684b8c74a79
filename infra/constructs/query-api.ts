import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Config } from '#shared/config/schema.ts';
import { FundwatchFunction } from './fundwatch-function.ts';
import { FEEDBACK_WRITES, TableAccess } from '../table-access.ts';

/** Every path the query handler serves to GET; anything else is answered 404 by API Gateway itself. */
export const QUERY_ROUTES = [
  '/',
  '/updates',
  '/updates/{id}',
  '/updates/{id}/feedback',
  '/updates.rss',
  '/updates.json',
  '/topics',
  '/feeds',
  '/assets/{proxy+}',
] as const;

/** The only POST: an analyst's label on a stored match. */
export const QUERY_WRITE_ROUTES = ['/updates/{id}/feedback'] as const;

/** Per-stage limits: a reader's dashboard needs a few requests a second, not thousands. */
export const QUERY_THROTTLE = { rateLimit: 20, burstLimit: 40 } as const;

export interface QueryApiProps {
  config: Config;
  topicPackJson: string;
  table: ITable;
}

/**
 * The query API: an HTTP API whose every route requires SigV4 (IAM) signatures, in front of the
 * query function, with stage throttling and JSON access logs. Its one write is a label, and the
 * function's role can write nothing else (FEEDBACK_WRITES).
 */
export class QueryApi extends Construct {
  readonly fn: FundwatchFunction;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: QueryApiProps) {
    super(scope, id);
    this.fn = new FundwatchFunction(this, 'Function', {
      entry: 'functions/query.ts',
      description: 'fundwatch: query API over the stored matches, and analysts\' labels on them',
      config: props.config,
      topicPackJson: props.topicPackJson,
      memorySize: 256,
      // API Gateway gives up after 30 s; a longer timeout would only bill for answers nobody gets.
      timeout: Duration.seconds(29),
    })
      .bindTable(props.table, TableAccess.Read)
      .allowConditionedWrites(props.table, FEEDBACK_WRITES);

    this.api = new HttpApi(this, 'Api', {
      description: 'fundwatch query API (IAM-signed requests only)',
      defaultAuthorizer: new HttpIamAuthorizer(),
      // The stage is built below, with throttling and access logs the default stage cannot take.
      createDefaultStage: false,
    });
    const integration = new HttpLambdaIntegration('Query', this.fn);
    for (const path of QUERY_ROUTES) {
      this.api.addRoutes({ path, methods: [HttpMethod.GET], integration });
    }
    for (const path of QUERY_WRITE_ROUTES) {
      this.api.addRoutes({ path, methods: [HttpMethod.POST], integration });
    }

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: QUERY_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        // JSON, one object per request; the caller's IAM identity is what tells readers apart.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            sourceIp: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            caller: '$context.identity.caller',
            userArn: '$context.identity.userArn',
          }),
        ),
      },
    });

    Validations.of(this.fn).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: 'Invoked synchronously by API Gateway; the caller sees the error, there is no event to park.',
    });
  }

  /** The base URL, ending in "/". */
  get url(): string {
    return this.stage.url;
  }
}
