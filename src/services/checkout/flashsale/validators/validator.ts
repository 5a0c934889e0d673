// The Buy validator chain (seed 002's chain of responsibility): each rule is one small unit with the
// same shape, run in order; the first refusal stops the chain. Adding a rule = writing one validator
// and putting it in the list (flashsale-handlers.ts builds the default chain).
import type { BuyResult } from '../../../../gen/shop/v1/flashsale';
import type { CheckedBuy } from '../requests';
import type { SaleItemRecord } from '../sale-item';

/** What every validator sees: the checked request, its sale item and the time of the attempt. */
export interface BuyAttempt {
  readonly request: CheckedBuy;
  readonly item: SaleItemRecord;
  readonly nowMs: number;
  /** Order id of an earlier attempt with the same token whose inventory call failed ('' if none). */
  readonly pendingOrderId: string;
}

/** A definite business refusal: it becomes the Buy reply (not a gRPC error). */
export interface Refusal {
  readonly result: Exclude<BuyResult, BuyResult.BUY_RESULT_ACCEPTED | BuyResult.BUY_RESULT_UNSPECIFIED | BuyResult.UNRECOGNIZED>;
  /** Safe to show to the buyer. */
  readonly reason: string;
  /** DUPLICATE / UNPAID_ORDER_EXISTS: the order the buyer already holds. */
  readonly orderId?: string;
}

export interface BuyValidator {
  /** For logs and metrics ("user", "goods", ...). */
  readonly name: string;
  /** undefined lets the attempt through; infrastructure trouble is thrown, not refused. */
  validate(attempt: BuyAttempt): Promise<Refusal | undefined> | Refusal | undefined;
}

export interface ChainVerdict {
  readonly refusal: Refusal;
  readonly by: string;
}

/** Runs the validators in order; the first refusal wins. */
export async function runValidators(chain: readonly BuyValidator[], attempt: BuyAttempt): Promise<ChainVerdict | undefined> {
  for (const validator of chain) {
    const refusal = await validator.validate(attempt);
    if (refusal) return { refusal, by: validator.name };
  }
  return undefined;
}
