// Rebuilds a stored error reply as the typed error that maps (grpc-status.ts) to the same code and
// details, so a replay is indistinguishable from the first answer.
import { status } from '@grpc/grpc-js';
import {
  AlreadyExistsError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  UnauthenticatedError,
  type AppError,
} from '../errors';

/** An INVALID_ARGUMENT whose text is already "<field>: <problem>". */
class ReplayedInvalidArgumentError extends InvalidArgumentError {
  constructor(details: string) {
    const colon = details.indexOf(': ');
    super(colon > 0 ? details.slice(0, colon) : 'request', colon > 0 ? details.slice(colon + 2) : details);
    this.message = details;
  }
}

const REBUILD: ReadonlyMap<status, (details: string) => AppError> = new Map<status, (details: string) => AppError>([
  [status.INVALID_ARGUMENT, d => new ReplayedInvalidArgumentError(d)],
  [status.NOT_FOUND, d => new NotFoundError(d)],
  [status.ALREADY_EXISTS, d => new AlreadyExistsError(d)],
  [status.FAILED_PRECONDITION, d => new FailedPreconditionError(d)],
  [status.PERMISSION_DENIED, d => new PermissionDeniedError(d)],
  [status.UNAUTHENTICATED, d => new UnauthenticatedError(d)],
]);

/** Codes whose replies can be stored (and rebuilt). */
export const REPLAYABLE_CODES: ReadonlySet<status> = new Set(REBUILD.keys());

export function replayedError(code: status, details: string): AppError | undefined {
  return REBUILD.get(code)?.(details);
}
