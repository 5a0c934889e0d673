// Charging a reserved order. Three fates (ARCHITECTURE F1 step 5):
//   charged   → the transaction id
//   declined  → the reservation is released (idempotent) and the buyer gets the payment's own code and reason
//   unknown   → timeout, UNAVAILABLE, open breaker, anything else: the card may or may not have been
//               charged, so the reservation stays and the order stays PENDING_PAYMENT for the order
//               service's timeout/cleanup to settle (payment can be asked by idempotency key = order id)
import { status } from '@grpc/grpc-js';
import type { CreditCardInfo, Money } from '../../gen/hipstershop/demo';
import { ReleaseReason } from '../../gen/shop/v1/common';
import { FailedPreconditionError, UnavailableError, type AppError } from '../../platform/errors';
import { isServiceError } from '../../platform/grpc-status';
import { replayedError } from '../../platform/idempotency';
import type { Logger } from '../../platform/logger';
import type { CheckoutClients } from './clients';

export class PaymentOutcomeUnknownError extends UnavailableError {
  constructor(readonly orderId: string, options?: ErrorOptions) {
    super(`payment outcome unknown; order ${orderId} pending`, options);
  }
}

/** The same order id was charged before with another amount or card (payment's ALREADY_EXISTS). */
export class ChargeConflictError extends FailedPreconditionError {
  constructor(orderId: string) {
    super(`order ${orderId} was already charged with a different amount or card`);
  }
}

/** Upstream's Node payment service sends declines with the non-standard status 400. */
const UPSTREAM_DECLINE = 400;

/** A decline as the buyer sees it: the payment's code (400 → FAILED_PRECONDITION) and its text. */
export function declineOf(err: unknown): AppError | undefined {
  if (!isServiceError(err)) return undefined;
  if (err.code === status.INVALID_ARGUMENT || err.code === status.FAILED_PRECONDITION) return replayedError(err.code, err.details);
  if ((err.code as number) === UPSTREAM_DECLINE) return new FailedPreconditionError(err.details);
  return undefined;
}

export interface ChargeOrder {
  readonly orderId: string;
  readonly total: Money;
  readonly card: CreditCardInfo;
}

export interface PaymentStepDeps {
  readonly clients: Pick<CheckoutClients, 'charge' | 'release'>;
  readonly logger: Logger;
  /** Told about a decline after the release (publishes CANCELLED); failures are logged only. */
  readonly onDeclined?: (orderId: string, reason: string) => Promise<void>;
}

export async function chargeReserved(deps: PaymentStepDeps, order: ChargeOrder): Promise<string> {
  const { clients, logger } = deps;
  try {
    return await clients.charge(order.total, order.card, order.orderId);
  } catch (err) {
    const decline = declineOf(err);
    if (decline) {
      try {
        await clients.release(order.orderId, ReleaseReason.RELEASE_REASON_PAYMENT_DECLINED, decline.message.slice(0, 200));
      } catch (releaseErr) {
        // The order stays PENDING_PAYMENT, so the timeout cancel releases it later.
        logger.error({ orderId: order.orderId, err: releaseErr }, 'release after a declined charge failed; left to the timeout cancel');
      }
      await deps.onDeclined?.(order.orderId, decline.message).catch((e: unknown) => logger.error({ orderId: order.orderId, err: e }, 'CANCELLED event not published'));
      throw decline;
    }
    if (isServiceError(err) && err.code === status.ALREADY_EXISTS) throw new ChargeConflictError(order.orderId);
    logger.warn({ orderId: order.orderId, err }, 'payment outcome unknown; order left pending for the cleanup');
    throw new PaymentOutcomeUnknownError(order.orderId, { cause: err });
  }
}
