/**
 * The query API's domain errors and the one place that maps them (and anything unexpected) to
 * HTTP responses. Bodies are built here from fixed fields only: an unexpected error's message
 * or stack never reaches a client.
 */

export class BadRequestError extends Error {
  override readonly name = 'BadRequestError';
  constructor(
    /** The query parameter (or path part) at fault, as the client spelled it. */
    readonly parameter: string,
    /** What was expected, phrased for the client: "expected an integer from 1 to 200". */
    message: string,
  ) {
    super(message);
  }
}

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

export class MethodNotAllowedError extends Error {
  override readonly name = 'MethodNotAllowedError';
  constructor(readonly allowed: readonly string[]) {
    super(`method not allowed; use ${allowed.join(', ')}`);
  }
}

/**
 * A request refused for how it was sent rather than what it asked: 403 for a cross-site write,
 * 413 for a body over the limit, 415 for a body that is not JSON. `code` is the body's `error`.
 */
export class RefusedError extends Error {
  override readonly name = 'RefusedError';
  constructor(
    readonly statusCode: 403 | 413 | 415,
    readonly code: 'forbidden' | 'payload_too_large' | 'unsupported_media_type',
    message: string,
  ) {
    super(message);
  }
}

export interface ErrorResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  /** True when the error was not one of ours: the caller logs it in full. */
  unexpected: boolean;
}

const JSON_HEADERS = { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' };

export function errorResponse(err: unknown): ErrorResponse {
  if (err instanceof BadRequestError) {
    return respond(400, { error: 'bad_request', parameter: err.parameter, message: err.message });
  }
  if (err instanceof NotFoundError) return respond(404, { error: 'not_found', message: err.message });
  if (err instanceof MethodNotAllowedError) {
    return { ...respond(405, { error: 'method_not_allowed', message: err.message }), headers: { ...JSON_HEADERS, Allow: err.allowed.join(', ') } };
  }
  if (err instanceof RefusedError) return respond(err.statusCode, { error: err.code, message: err.message });
  return { ...respond(500, { error: 'internal' }), unexpected: true };
}

function respond(statusCode: number, body: Record<string, string>): ErrorResponse {
  return { statusCode, headers: { ...JSON_HEADERS }, body: JSON.stringify(body), unexpected: false };
}
