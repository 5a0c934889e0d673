// Pure: InventoryService.Reserve's answer → the Buy reply. Reserve is idempotent per order id, so a
// DUPLICATE (our own retry) is judged by the first outcome: a live reservation is our ACCEPTED order.
import { BuyResult, type BuyResponse } from '../../../gen/shop/v1/flashsale';
import { ReserveOutcome, type ReserveResponse } from '../../../gen/shop/v1/inventory';

export type ReserveVerdict =
  | { readonly kind: 'ACCEPTED' }
  | { readonly kind: 'REFUSED'; readonly reply: BuyResponse; readonly soldOut: boolean }
  /** Not decided (item not warmed, or an outcome this build does not know): retry with the same order id. */
  | { readonly kind: 'UNDECIDED' };

function refused(result: BuyResult, reason: string, orderId = '', soldOut = false): ReserveVerdict {
  return { kind: 'REFUSED', reply: { result, orderId, reason, expiresAt: undefined }, soldOut };
}

function refusalOf(outcome: ReserveOutcome, res: ReserveResponse): ReserveVerdict | undefined {
  const line = res.refusedLine;
  switch (outcome) {
    case ReserveOutcome.RESERVE_OUTCOME_SOLD_OUT: {
      const left = line ? Number(line.available) : 0;
      return left > 0
        ? refused(BuyResult.BUY_RESULT_SOLD_OUT, `only ${left} left`)
        : refused(BuyResult.BUY_RESULT_SOLD_OUT, 'sold out', '', true);
    }
    case ReserveOutcome.RESERVE_OUTCOME_LIMIT_EXCEEDED:
      return refused(
        BuyResult.BUY_RESULT_LIMIT_EXCEEDED,
        line ? `at most ${line.limitPerUser} per buyer; you already hold ${line.alreadyBought}` : 'per-buyer limit reached',
      );
    default:
      return undefined;
  }
}

export function judgeReserve(res: ReserveResponse): ReserveVerdict {
  switch (res.outcome) {
    case ReserveOutcome.RESERVE_OUTCOME_RESERVED:
      return { kind: 'ACCEPTED' };
    case ReserveOutcome.RESERVE_OUTCOME_NOT_WARMED:
      return { kind: 'UNDECIDED' };
    case ReserveOutcome.RESERVE_OUTCOME_DUPLICATE: {
      if (res.firstOutcome === ReserveOutcome.RESERVE_OUTCOME_RESERVED) {
        if (!res.released) return { kind: 'ACCEPTED' };
        return refused(BuyResult.BUY_RESULT_DUPLICATE, `order ${res.orderId} was already placed and has since been released`, res.orderId);
      }
      return refusalOf(res.firstOutcome, res) ?? refused(BuyResult.BUY_RESULT_DUPLICATE, `order ${res.orderId} was already judged`, res.orderId);
    }
    default:
      return refusalOf(res.outcome, res) ?? { kind: 'UNDECIDED' };
  }
}
