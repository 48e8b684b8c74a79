import middy, { type MiddlewareObj } from '@middy/core';
import httpRouterHandler, { type Route } from '@middy/http-router';
import httpErrorHandler from '@middy/http-error-handler';
import httpSecurityHeaders from '@middy/http-security-headers';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { requireEnv } from '#shared/config/runtime.ts';
import { compiledTopicPack } from '#shared/classify/runtime-pack.ts';
import { createDocumentClient } from '#shared/store/dynamo-client.ts';
import { FUNCTION_ENV } from '#infra/outputs.ts';
import { createDynamoQueryService } from '#shared/query/create.ts';
import { BadRequestError, errorResponse, MethodNotAllowedError, NotFoundError, RefusedError } from '#shared/query/errors.ts';
import { crossSiteWriteReason, isJsonContentType } from '#shared/query/same-origin.ts';
import { DynamoFeedbackStore } from '#shared/feedback/dynamo-feedback-store.ts';
import { createFeedbackService, type FeedbackService } from '#shared/feedback/service.ts';
import { renderJsonFeed, renderRss, type FeedContext } from '#shared/query/feeds-output.ts';
import type { RawParams } from '#shared/query/params.ts';
import type { QueryService } from '#shared/query/service.ts';
import { SECURITY_HEADERS_OPTIONS, webSite, type StaticSite } from '#shared/query/static-assets.ts';

/**
 * The query API (HTTP API, payload v2, IAM auth): a thin router over the query service in
 * shared/query and, for analysts' labels, the feedback service in shared/feedback. Errors are
 * turned into responses by `errorResponse`, the one mapping of domain errors to statuses;
 * http-error-handler runs last as the net for anything that slips past.
 */

export type Event = APIGatewayProxyEventV2;
export type Result = APIGatewayProxyStructuredResultV2;
export type ApiRoute = Route<Event, Result>;

export interface QueryHandlerDeps {
  service: QueryService;
  logger: Logger;
  now?: () => Date;
  /**
   * Routes served beside the API. The web page (`GET /`, `GET /assets/{proxy+}`) plugs in here,
   * so it shares the router, the security headers and the error mapping.
   */
  extraRoutes?: readonly ApiRoute[];
  /** Analysts' labels (`/updates/{id}/feedback`); without it those routes answer 404. */
  feedback?: FeedbackService;
  /** Who a label is from when no IAM caller signed the request (`fundwatch serve`: the OS user). */
  localCaller?: string;
}

/** A label is two fields; anything near this size is not one. */
const MAX_FEEDBACK_BODY_BYTES = 4096;

const FEED_TITLE = 'fundwatch updates';
const FEED_DESCRIPTION = 'News matching the monitored story, newest first.';

function json(statusCode: number, body: unknown): Result {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
    body: JSON.stringify(body),
  };
}

/** Query parameters from the raw query string, so a repeated name is seen as repeated (API Gateway joins them with commas). */
export function rawParams(event: Event): RawParams {
  const out: Record<string, string[]> = Object.create(null);
  if (event.rawQueryString !== undefined) {
    for (const [name, value] of new URLSearchParams(event.rawQueryString)) (out[name] ??= []).push(value);
    return out;
  }
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) if (value !== undefined) out[name] = [value];
  return out;
}

const scheme = (event: Event) => (event.headers?.['x-forwarded-proto'] === 'http' ? 'http' : 'https');

function origin(event: Event): string {
  const host = event.requestContext?.domainName || event.headers?.host || 'localhost';
  return `${scheme(event)}://${host}`;
}

function feedContext(event: Event, nextCursor: string | null): FeedContext {
  const base = origin(event);
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  const ctx: FeedContext = {
    title: FEED_TITLE,
    description: FEED_DESCRIPTION,
    selfUrl: `${base}${event.rawPath}${query}`,
    homeUrl: `${base}/`,
  };
  if (nextCursor) {
    const params = new URLSearchParams(event.rawQueryString ?? '');
    params.set('cursor', nextCursor);
    ctx.nextUrl = `${base}${event.rawPath}?${params.toString()}`;
  }
  return ctx;
}

/** Path parameters reach us percent-encoded from some transports; a malformed escape is left as typed. */
function decodePathPart(value: string | undefined): string | undefined {
  if (value === undefined || !value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The JSON body of a write, refused before parsing when it could be a cross-site request or is not JSON. */
function writeBody(event: Event): unknown {
  const headers = event.headers ?? {};
  // The name the browser used (localhost or 127.0.0.1) is as much the page's own as the API's.
  const self = [origin(event), ...(headers.host ? [`${scheme(event)}://${headers.host}`] : [])];
  const crossSite = crossSiteWriteReason(headers, self);
  if (crossSite) throw new RefusedError(403, 'forbidden', crossSite);
  if (!isJsonContentType(headers['content-type'])) {
    throw new RefusedError(415, 'unsupported_media_type', 'send the label as JSON, with Content-Type: application/json');
  }
  const raw = event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(raw) > MAX_FEEDBACK_BODY_BYTES) {
    throw new RefusedError(413, 'payload_too_large', `a label is at most ${MAX_FEEDBACK_BODY_BYTES} bytes of JSON`);
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new BadRequestError('body', 'not valid JSON; expected {"verdict": "not-relevant"} or {"verdict": "topics", "topics": ["us-aid"]}');
  }
}

/** The signed caller behind API Gateway's IAM authorizer; absent locally. */
function iamCaller(event: Event): string | undefined {
  const iam = (event.requestContext as { authorizer?: { iam?: { userArn?: unknown } } } | undefined)?.authorizer?.iam;
  return typeof iam?.userArn === 'string' && iam.userArn ? iam.userArn : undefined;
}

function feedbackRoutes({ feedback, localCaller }: QueryHandlerDeps): ApiRoute[] {
  if (!feedback) return [];
  const id = (event: Event) => decodePathPart(event.pathParameters?.id);
  return [
    {
      method: 'GET',
      path: '/updates/{id}/feedback',
      handler: async (event: Event) => json(200, { feedback: await feedback.labelOf(id(event)) }),
    },
    {
      method: 'POST',
      path: '/updates/{id}/feedback',
      handler: async (event: Event) => {
        const body = writeBody(event);
        return json(200, { feedback: await feedback.record(id(event), body, iamCaller(event) ?? localCaller) });
      },
    },
  ];
}

function apiRoutes({ service, now = () => new Date() }: QueryHandlerDeps): ApiRoute[] {
  const listing = (event: Event) => service.listUpdates(service.parseListParams(rawParams(event)));
  return [
    { method: 'GET', path: '/updates', handler: async (event: Event) => json(200, await listing(event)) },
    {
      method: 'GET',
      path: '/updates.rss',
      handler: async (event: Event) => {
        const page = await listing(event);
        return {
          statusCode: 200,
          headers: { 'Content-Type': 'application/rss+xml; charset=utf-8', 'Cache-Control': 'no-store' },
          body: renderRss(page.items, feedContext(event, page.nextCursor)),
        };
      },
    },
    {
      method: 'GET',
      path: '/updates.json',
      handler: async (event: Event) => {
        const page = await listing(event);
        return {
          ...json(200, renderJsonFeed(page.items, feedContext(event, page.nextCursor))),
          headers: { 'Content-Type': 'application/feed+json; charset=utf-8', 'Cache-Control': 'no-store' },
        };
      },
    },
    {
      method: 'GET',
      path: '/updates/{id}',
      handler: async (event: Event) => json(200, await service.getUpdate(decodePathPart(event.pathParameters?.id))),
    },
    { method: 'GET', path: '/topics', handler: async () => json(200, { topics: await service.listTopics(now()) }) },
    { method: 'GET', path: '/feeds', handler: async () => json(200, { feeds: await service.listFeeds() }) },
  ];
}

/** The web page (`web/`, served by shared/query/static-assets.ts): `GET /` and its files under `/assets/`. */
function webRoutes(site: StaticSite): ApiRoute[] {
  const serve = (path: string, event: Event): Result => {
    const version = new URLSearchParams(event.rawQueryString ?? '').get('v') ?? undefined;
    const response = site.respond(path, { version, ifNoneMatch: event.headers?.['if-none-match'] });
    if (!response) throw new NotFoundError('no such file');
    return response;
  };
  return [
    { method: 'GET', path: '/', handler: async (event: Event) => serve('/', event) },
    { method: 'GET', path: '/assets/{proxy+}', handler: async (event: Event) => serve(`/assets/${decodePathPart(event.pathParameters?.proxy) ?? ''}`, event) },
  ];
}

function pathPattern(path: string): RegExp {
  const body = path
    .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
    .replace(/\/\\?\{proxy\\\+\}$/, '/?.*')
    .replace(/\/\{[^/]+\}/g, '/[^/]+');
  return new RegExp(`^${body}/?$`);
}

/** The router knows only 404; a known path with another method is a 405 with `Allow`. */
function notFoundOrWrongMethod(routes: readonly ApiRoute[]) {
  const patterns = routes.map((r) => ({ method: r.method, pattern: pathPattern(r.path) }));
  return ({ path }: { method: string; path: string }): never => {
    const allowed = [...new Set(patterns.filter((p) => p.pattern.test(path)).map((p) => p.method))];
    if (allowed.length > 0) throw new MethodNotAllowedError(allowed);
    throw new NotFoundError('no such endpoint');
  };
}

function errorResponses(logger: Logger): MiddlewareObj<Event, Result> {
  return {
    onError: async (request) => {
      const response = errorResponse(request.error);
      if (response.unexpected) logger.error('unexpected error', { error: request.error as Error });
      request.response = { statusCode: response.statusCode, headers: response.headers, body: response.body };
    },
  };
}

export function createHandler(deps: QueryHandlerDeps) {
  const routes = [...apiRoutes(deps), ...feedbackRoutes(deps), ...webRoutes(webSite()), ...(deps.extraRoutes ?? [])];
  const router = httpRouterHandler<Event, Result>({ routes, notFoundResponse: notFoundOrWrongMethod(routes) });
  return middy<Event, Result>()
    .use(injectLambdaContext(deps.logger))
    .use(
      httpErrorHandler({
        logger: (error: unknown) => deps.logger.error('unhandled error', { error: error as Error }),
        fallbackMessage: JSON.stringify({ error: 'internal' }),
      }),
    )
    // The page sets its own CSP; middy's default one would sandbox its script.
    .use(httpSecurityHeaders(SECURITY_HEADERS_OPTIONS))
    .use(errorResponses(deps.logger))
    .handler(router);
}

async function defaultDeps(): Promise<QueryHandlerDeps> {
  const topicPack = compiledTopicPack();
  const client = createDocumentClient();
  const tableName = requireEnv(FUNCTION_ENV.tableName);
  return {
    service: createDynamoQueryService({ client, tableName, topicPack }),
    feedback: createFeedbackService({ store: new DynamoFeedbackStore({ client, tableName }), topicIds: topicPack.topics.map((t) => t.id) }),
    logger: new Logger(),
  };
}

// Built during the Lambda init phase so a bad deploy fails at cold start, not per request;
// elsewhere (tests, `fundwatch serve`) importing this module must not need the Lambda environment.
export const handler = process.env.AWS_LAMBDA_FUNCTION_NAME
  ? createHandler(await defaultDeps())
  : async (): Promise<never> => {
      throw new Error('functions/query.ts handler runs only in Lambda; use createHandler(deps) elsewhere');
    };
