import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createHandler, type QueryHandlerDeps } from '#functions/query.ts';
import type { QueryService } from '#shared/query/service.ts';
import { localLambdaContext } from '#cli/local-lambda-context.ts';

/** An HTTP API (payload v2) event as API Gateway would send it. */
export function apiEvent(method: string, path: string, rawQueryString = ''): APIGatewayProxyEventV2 {
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    queryStringParameters[name] = name in queryStringParameters ? `${queryStringParameters[name]},${value}` : value;
  }
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString,
    headers: { host: 'api.example.test', 'x-forwarded-proto': 'https' },
    ...(rawQueryString ? { queryStringParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.test',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'vitest' },
      requestId: 'req',
      routeKey: '$default',
      stage: '$default',
      time: '31/Jul/2024:00:00:00 +0000',
      timeEpoch: 0,
    },
    isBase64Encoded: false,
  };
}


export function quietLogger(): Logger {
  return new Logger({ serviceName: 'query-test', logLevel: 'SILENT' });
}

export type Invoke = (method: string, path: string, query?: string) => Promise<APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string; headers: Record<string, string> }>;

export function invoker(
  service: QueryService,
  logger = quietLogger(),
  more: Pick<QueryHandlerDeps, 'feedback' | 'localCaller'> = {},
): { invoke: Invoke; handler: ReturnType<typeof createHandler> } {
  const handler = createHandler({ service, logger, now: () => new Date('2024-08-01T00:00:00Z'), ...more });
  const invoke: Invoke = async (method, path, query = '') =>
    (await handler(apiEvent(method, path, query), localLambdaContext('query'))) as Awaited<ReturnType<Invoke>>;
  return { invoke, handler };
}
