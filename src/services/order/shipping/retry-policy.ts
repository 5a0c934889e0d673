// How a failed ShipOrder / SendOrderConfirmation call is followed up. Pure (time and randomness come in),
// so the whole schedule is unit-tested.
//  - transient (UNAVAILABLE, DEADLINE_EXCEEDED, …): counts as an attempt; retried with capped exponential
//    backoff until maxAttempts, then given up with the last reason;
//  - permanent (INVALID_ARGUMENT, NOT_FOUND, …): the peer answered "never": given up at once;
//  - deferred (our breaker is open, the call was not made): retried later without using an attempt.
import { status } from '@grpc/grpc-js';
import { BreakerOpenError } from '../../../platform/breaker';
import { AppError, DeadlineExceededError, InternalError, ResourceExhaustedError, UnavailableError } from '../../../platform/errors';
import { isServiceError } from '../../../platform/grpc-status';
import { backoffDelay, type BackoffPolicy } from '../../../platform/mq/backoff';

export type FailureKind = 'transient' | 'permanent' | 'deferred';

export interface CallFailure {
  readonly kind: FailureKind;
  /** Short, safe text for logs, the task row and the order's failure reason. */
  readonly reason: string;
}

export interface RetryPolicy {
  /** Calls in total (the first one included) before a transient failure becomes final. */
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy;
}

export type NextStep =
  | { readonly kind: 'retry'; readonly attempts: number; readonly dueAt: number }
  | { readonly kind: 'give-up'; readonly attempts: number; readonly reason: string };

const PERMANENT_CODES: ReadonlySet<number> = new Set([
  status.INVALID_ARGUMENT,
  status.NOT_FOUND,
  status.ALREADY_EXISTS,
  status.FAILED_PRECONDITION,
  status.PERMISSION_DENIED,
  status.UNAUTHENTICATED,
  status.OUT_OF_RANGE,
  status.UNIMPLEMENTED,
]);

export function classifyCallError(err: unknown): CallFailure {
  if (err instanceof BreakerOpenError) return { kind: 'deferred', reason: err.message };
  if (isServiceError(err)) {
    const reason = `${status[err.code] ?? err.code}: ${err.details || err.message}`.slice(0, 500);
    return { kind: PERMANENT_CODES.has(err.code) ? 'permanent' : 'transient', reason };
  }
  const reason = (err instanceof Error ? err.message : String(err)).slice(0, 500);
  const trouble = [UnavailableError, InternalError, DeadlineExceededError, ResourceExhaustedError].some(cls => err instanceof cls);
  // Our own typed "you asked wrongly" errors are permanent; anything unknown is assumed to be passing trouble.
  return { kind: err instanceof AppError && !trouble ? 'permanent' : 'transient', reason };
}

/** `attempts` = calls made before the one that just failed (a deferred one made none). */
export function nextStep(
  policy: RetryPolicy,
  attempts: number,
  failure: CallFailure,
  now: number,
  random: () => number = Math.random,
): NextStep {
  if (failure.kind === 'deferred') {
    return { kind: 'retry', attempts, dueAt: now + backoffDelay(policy.backoff, Math.max(attempts, 1), random) };
  }
  const made = attempts + 1;
  if (failure.kind === 'permanent') return { kind: 'give-up', attempts: made, reason: failure.reason };
  if (made >= policy.maxAttempts) return { kind: 'give-up', attempts: made, reason: `gave up after ${made} attempts: ${failure.reason}` };
  return { kind: 'retry', attempts: made, dueAt: now + backoffDelay(policy.backoff, made, random) };
}
