// What a Reserve reply means for PlaceOrder: go on to payment, or a definite refusal for the buyer.
import { ReserveOutcome, type RefusedLine, type ReserveResponse } from '../../gen/shop/v1/inventory';
import { FailedPreconditionError, InternalError, UnavailableError } from '../../platform/errors';

export class SoldOutError extends FailedPreconditionError {
  constructor(line: RefusedLine) {
    super(`product ${line.productId} is sold out (requested ${line.requested}, ${line.available} left)`);
  }
}

export class PurchaseLimitError extends FailedPreconditionError {
  constructor(line: RefusedLine) {
    super(`product ${line.productId}: at most ${line.limitPerUser} per customer (already holding ${line.alreadyBought})`);
  }
}

/** A retry met an order whose reservation was released (declined, cancelled, or abandoned). */
export class OrderNoLongerReservedError extends FailedPreconditionError {
  constructor(orderId: string) {
    super(`order ${orderId} is no longer reserved (cancelled); place it again with a new idempotency key`);
  }
}

function refusal(outcome: ReserveOutcome, line: RefusedLine | undefined, orderId: string): Error {
  if (!line) return new InternalError(`reserve ${orderId}: outcome ${ReserveOutcome[outcome]} without refused_line`);
  switch (outcome) {
    case ReserveOutcome.RESERVE_OUTCOME_SOLD_OUT:
      return new SoldOutError(line);
    case ReserveOutcome.RESERVE_OUTCOME_LIMIT_EXCEEDED:
      return new PurchaseLimitError(line);
    case ReserveOutcome.RESERVE_OUTCOME_NOT_WARMED:
      return new UnavailableError(`product ${line.productId} is not on sale yet (stock not loaded)`);
    default:
      return new InternalError(`reserve ${orderId}: unexpected outcome ${outcome}`);
  }
}

/** Returns when the order holds its stock (fresh, or our own earlier reservation); throws otherwise. */
export function requireReserved(res: ReserveResponse, orderId: string): void {
  if (res.outcome === ReserveOutcome.RESERVE_OUTCOME_RESERVED) return;
  if (res.outcome !== ReserveOutcome.RESERVE_OUTCOME_DUPLICATE) throw refusal(res.outcome, res.refusedLine, orderId);
  // A retry of this order id (crash recovery or an idempotent replay that lost its record).
  if (res.released) throw new OrderNoLongerReservedError(orderId);
  if (res.firstOutcome === ReserveOutcome.RESERVE_OUTCOME_RESERVED) return;
  throw refusal(res.firstOutcome, res.refusedLine, orderId);
}
