// Typed errors of flash-sale admission; platform/grpc-status.ts maps them (NOT_FOUND, FAILED_PRECONDITION,
// UNAVAILABLE; rate limits are the platform limiter's RESOURCE_EXHAUSTED). Messages are shown to callers.
import { FailedPreconditionError, NotFoundError, UnavailableError } from '../../../platform/errors';

export class SaleItemNotFoundError extends NotFoundError {
  constructor(readonly productId: string) {
    super(`product_id: no flash-sale item with ID ${productId}`);
  }
}

/** IssueToken outside the sale window. */
export class SaleClosedError extends FailedPreconditionError {}

/** The item has no stock loaded in Redis (WarmUp has not run): nothing was decided; retry later. */
export class SaleNotReadyError extends UnavailableError {
  constructor(readonly productId: string) {
    super(`flash-sale item ${productId} is not open for orders yet; retry shortly`);
  }
}
