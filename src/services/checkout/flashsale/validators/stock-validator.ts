// Stock rule (seed 002 local sold-out flag): once the inventory answered that the item is at zero,
// this process refuses further buyers without calling it until the mark expires (SOLD_OUT_TTL_MS).
// A retry of an attempt whose answer was lost skips it: that attempt may hold the last unit.
import { BuyResult } from '../../../../gen/shop/v1/flashsale';
import type { SoldOutFlags } from '../../../productcatalog/stock';
import type { BuyValidator } from './validator';

export function stockValidator(deps: { readonly soldOut: Pick<SoldOutFlags, 'isSoldOut'> }): BuyValidator {
  return {
    name: 'stock',
    validate({ request, pendingOrderId }) {
      if (pendingOrderId !== '' || !deps.soldOut.isSoldOut(request.productId)) return undefined;
      return { result: BuyResult.BUY_RESULT_SOLD_OUT, reason: 'sold out' };
    },
  };
}
