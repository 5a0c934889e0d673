// The one mapping from anything thrown while serving a request to an HTTP status and the JSON error body
// `{"error":{"code","message","field?"}}`. gRPC codes keep their names; the gateway's own refusals carry
// their own codes (BAD_JSON, IP_DENIED, RATE_LIMITED, BAD_SIGNATURE, …). Unknown failures become a
// generic 500: no internals, no stack.
import { status } from '@grpc/grpc-js';
import { AppError, InvalidArgumentError } from '../../platform/errors';
import { isServiceError, toGrpcStatus } from '../../platform/grpc-status';

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string; readonly [extra: string]: string | undefined };
}

export interface HttpError {
  readonly statusCode: number;
  readonly body: ErrorBody;
  /** Extra response headers (Retry-After). */
  readonly headers: Readonly<Record<string, string>>;
  /** Not a refusal we meant: log it. */
  readonly unexpected: boolean;
}

/** A refusal decided by the gateway itself, before or instead of a gRPC call. */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: {
      readonly field?: string;
      readonly headers?: Readonly<Record<string, string>>;
      /** More fields of the error object, e.g. the existing orderId of a DUPLICATE Buy. */
      readonly details?: Readonly<Record<string, string>>;
    } = {},
  ) {
    super(message);
  }
}

export const badRequest = (field: string, problem: string) => new GatewayError(400, 'INVALID_ARGUMENT', `${field}: ${problem}`, { field });
export const unauthenticated = (message: string) => new GatewayError(401, 'UNAUTHENTICATED', message);
export const notFound = (message = 'not found') => new GatewayError(404, 'NOT_FOUND', message);

const HTTP_OF_GRPC: Readonly<Partial<Record<status, number>>> = {
  [status.INVALID_ARGUMENT]: 400,
  [status.OUT_OF_RANGE]: 400,
  [status.UNAUTHENTICATED]: 401,
  [status.PERMISSION_DENIED]: 403,
  [status.NOT_FOUND]: 404,
  [status.ALREADY_EXISTS]: 409,
  [status.ABORTED]: 409,
  [status.FAILED_PRECONDITION]: 409,
  [status.RESOURCE_EXHAUSTED]: 429,
  [status.UNAVAILABLE]: 503,
  [status.DEADLINE_EXCEEDED]: 503,
  [status.CANCELLED]: 503,
};

const GENERIC: Readonly<Record<number, string>> = { 500: 'internal error', 503: 'service unavailable, try again' };

/** "user_id: must not be empty" → field "user_id" (our services name the field first). */
function fieldOf(details: string): string | undefined {
  const m = /^([a-z_][a-z0-9_.]*): /i.exec(details);
  return m ? m[1] : undefined;
}

function fromGrpc(code: status, details: string, unexpected: boolean): HttpError {
  const statusCode = HTTP_OF_GRPC[code] ?? 500;
  const name = statusCode === 500 ? 'INTERNAL' : (status[code] ?? 'UNKNOWN');
  // 5xx details may describe another service's trouble: callers get a generic text.
  const message = statusCode >= 500 ? (GENERIC[statusCode] ?? 'internal error') : details;
  const field = code === status.INVALID_ARGUMENT ? fieldOf(details) : undefined;
  const headers: Record<string, string> = statusCode === 429 ? { 'retry-after': '1' } : statusCode === 503 ? { 'retry-after': '1' } : {};
  return { statusCode, body: { error: { code: name, message, ...(field ? { field } : {}) } }, headers, unexpected };
}

export function toHttpError(err: unknown): HttpError {
  if (err instanceof GatewayError) {
    const { field, headers = {}, details = {} } = err.extra;
    const error = { ...details, code: err.code, message: err.message, ...(field ? { field } : {}) };
    return { statusCode: err.statusCode, body: { error }, headers, unexpected: false };
  }
  if (err instanceof InvalidArgumentError) {
    return { statusCode: 400, body: { error: { code: 'INVALID_ARGUMENT', message: err.message, field: err.field } }, headers: {}, unexpected: false };
  }
  if (err instanceof AppError) {
    const s = toGrpcStatus(err);
    return fromGrpc(s.code, s.details, s.unexpected);
  }
  if (isServiceError(err)) {
    // A downstream answer: caller faults keep the service's (safe) details.
    return fromGrpc(err.code, err.details, err.code === status.INTERNAL || err.code === status.UNKNOWN);
  }
  const s = toGrpcStatus(err);
  return fromGrpc(s.code, s.details, s.unexpected);
}
