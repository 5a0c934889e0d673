// User rule (seed 001 "frequent non-payer" tag): a buyer whose unpaid orders were cancelled by timeout
// threshold times within the window is refused (BLOCKED) until the count expires.
import { BuyResult } from '../../../../gen/shop/v1/flashsale';
import type { BuyerMarks } from '../buyer-marks';
import type { BuyValidator } from './validator';

export function userValidator(deps: { readonly marks: Pick<BuyerMarks, 'nonPayerCount'>; readonly nonPayerThreshold: number }): BuyValidator {
  const { marks, nonPayerThreshold } = deps;
  return {
    name: 'user',
    async validate({ request }) {
      if (nonPayerThreshold <= 0) return undefined;
      const count = await marks.nonPayerCount(request.userId);
      if (count < nonPayerThreshold) return undefined;
      return { result: BuyResult.BUY_RESULT_BLOCKED, reason: 'too many of your orders went unpaid; flash-sale purchases are paused for you' };
    },
  };
}
