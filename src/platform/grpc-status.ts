// The one mapping from thrown errors to gRPC status, used by every server handler.
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import {
  AbortedError,
  AlreadyExistsError,
  AppError,
  DeadlineExceededError,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnauthenticatedError,
  UnavailableError,
} from './errors';
import { isStoreUnavailable } from './store-errors';

export interface GrpcStatus {
  readonly code: status;
  readonly details: string;
  /** True when the error was not one we threw on purpose: log it with its stack. */
  readonly unexpected: boolean;
}

export const INTERNAL_DETAILS = 'internal error';

type ErrorClass = abstract new (...args: never[]) => AppError;

const TABLE: ReadonlyArray<readonly [ErrorClass, status]> = [
  [InvalidArgumentError, status.INVALID_ARGUMENT],
  [NotFoundError, status.NOT_FOUND],
  [FailedPreconditionError, status.FAILED_PRECONDITION],
  [AlreadyExistsError, status.ALREADY_EXISTS],
  [ResourceExhaustedError, status.RESOURCE_EXHAUSTED],
  [UnavailableError, status.UNAVAILABLE],
  [UnauthenticatedError, status.UNAUTHENTICATED],
  [PermissionDeniedError, status.PERMISSION_DENIED],
  [AbortedError, status.ABORTED],
  [DeadlineExceededError, status.DEADLINE_EXCEEDED],
];

/** Longest status text sent: messages may quote request fields, and a caller may send 4 MiB ones. */
export const MAX_DETAILS_CHARS = 256;

function capDetails(message: string): string {
  return message.length <= MAX_DETAILS_CHARS ? message : `${message.slice(0, MAX_DETAILS_CHARS - 1)}…`;
}

/** A status error that came back from an outgoing grpc-js call. */
export function isServiceError(err: unknown): err is ServiceError {
  return (
    err instanceof Error &&
    typeof (err as Partial<ServiceError>).code === 'number' &&
    (err as Partial<ServiceError>).metadata instanceof Metadata
  );
}

function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/**
 * Our typed errors keep their code and message. A downstream call that failed transiently
 * surfaces as UNAVAILABLE/DEADLINE_EXCEEDED with a generic text (its details are another
 * service's business). Everything else is INTERNAL "internal error" and flagged unexpected.
 */
export function toGrpcStatus(err: unknown): GrpcStatus {
  if (err instanceof InternalError) return { code: status.INTERNAL, details: INTERNAL_DETAILS, unexpected: true };
  for (const [cls, code] of TABLE) {
    if (err instanceof cls) return { code, details: capDetails(err.message), unexpected: false };
  }
  if (isAbortError(err)) return { code: status.CANCELLED, details: 'cancelled', unexpected: false };
  if (isServiceError(err)) {
    switch (err.code) {
      case status.UNAVAILABLE:
        return { code: status.UNAVAILABLE, details: 'a dependency is unavailable', unexpected: false };
      case status.DEADLINE_EXCEEDED:
        return { code: status.DEADLINE_EXCEEDED, details: 'deadline exceeded', unexpected: false };
      case status.CANCELLED:
        return { code: status.CANCELLED, details: 'cancelled', unexpected: false };
      default:
        break;
    }
  }
  if (isStoreUnavailable(err)) return { code: status.UNAVAILABLE, details: 'a dependency is unavailable', unexpected: false };
  return { code: status.INTERNAL, details: INTERNAL_DETAILS, unexpected: true };
}

/** Codes that say the caller asked for something wrong; they must not trip breakers or be retried. */
const CALLER_FAULT = new Set<status>([
  status.INVALID_ARGUMENT,
  status.NOT_FOUND,
  status.ALREADY_EXISTS,
  status.FAILED_PRECONDITION,
  status.OUT_OF_RANGE,
  status.PERMISSION_DENIED,
  status.UNAUTHENTICATED,
  status.RESOURCE_EXHAUSTED,
]);

export function isCallerFaultCode(code: status): boolean {
  return CALLER_FAULT.has(code);
}

/** Transient codes worth retrying (for idempotent calls only). */
export function isRetryableCode(code: status): boolean {
  return code === status.UNAVAILABLE || code === status.ABORTED || code === status.DEADLINE_EXCEEDED;
}
