// Typed errors thrown by domain and service code. They carry no transport knowledge:
// toGrpcStatus (grpc-status.ts) is the one place that maps them to gRPC codes.
// Messages of these errors are sent to callers, so they must be safe to show (no SQL, no stack, no secrets).

export abstract class AppError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A request field is malformed. Details read "<field>: <problem>". */
export class InvalidArgumentError extends AppError {
  constructor(
    readonly field: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`${field}: ${problem}`, options);
  }
}

export class NotFoundError extends AppError {}

/** The system is not in a state where this request can run (empty cart, sold out, wrong order status). */
export class FailedPreconditionError extends AppError {}

export class AlreadyExistsError extends AppError {}

/** Rate limit or quota hit. */
export class ResourceExhaustedError extends AppError {}

/** A dependency is down or a breaker is open; the caller may retry later. */
export class UnavailableError extends AppError {}

export class UnauthenticatedError extends AppError {}

export class PermissionDeniedError extends AppError {}

/** A concurrency conflict (lost a race, optimistic lock); retrying the whole operation may succeed. */
export class AbortedError extends AppError {}

export class DeadlineExceededError extends AppError {}

/** A bug or broken invariant. The message is logged, never sent: callers only see "internal error". */
export class InternalError extends AppError {}
