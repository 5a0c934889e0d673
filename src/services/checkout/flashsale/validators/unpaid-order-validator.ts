// "No second unpaid order for the same item" (seed 001): while the buyer holds an unpaid order for the
// item, another Buy is refused with that order's id (pay or cancel it first). The mark is set when Buy
// accepts and cleared by the order service's settle hook (order-hooks.ts).
import { BuyResult } from '../../../../gen/shop/v1/flashsale';
import type { BuyerMarks } from '../buyer-marks';
import type { BuyValidator } from './validator';

export function unpaidOrderValidator(deps: { readonly marks: Pick<BuyerMarks, 'unpaidOrder'> }): BuyValidator {
  return {
    name: 'unpaid-order',
    async validate({ request, pendingOrderId }) {
      const orderId = await deps.marks.unpaidOrder(request.userId, request.productId);
      // A retry of an attempt whose answer was lost may find its own order's mark.
      if (orderId === undefined || orderId === pendingOrderId) return undefined;
      return {
        result: BuyResult.BUY_RESULT_UNPAID_ORDER_EXISTS,
        reason: `you have an unpaid order ${orderId} for this item; pay or cancel it first`,
        orderId,
      };
    },
  };
}
