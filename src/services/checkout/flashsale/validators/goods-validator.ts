// Goods rule: the sale window is open and the quantity fits the item's per-user limit. (The item's
// existence is settled before the chain: an unknown or non-sale product is NOT_FOUND, not a refusal.)
import { BuyResult } from '../../../../gen/shop/v1/flashsale';
import { windowPhase } from '../sale-state';
import type { BuyValidator } from './validator';

export function goodsValidator(): BuyValidator {
  return {
    name: 'goods',
    validate({ request, item, nowMs }) {
      const phase = windowPhase(item, nowMs);
      if (phase === 'UPCOMING') {
        return { result: BuyResult.BUY_RESULT_NOT_STARTED, reason: `sale starts at ${item.saleStartsAt?.toISOString()}` };
      }
      if (phase === 'ENDED') return { result: BuyResult.BUY_RESULT_ENDED, reason: `sale ended at ${item.saleEndsAt?.toISOString()}` };
      if (item.perUserLimit > 0 && request.quantity > item.perUserLimit) {
        return { result: BuyResult.BUY_RESULT_LIMIT_EXCEEDED, reason: `at most ${item.perUserLimit} per buyer` };
      }
      return undefined;
    },
  };
}
