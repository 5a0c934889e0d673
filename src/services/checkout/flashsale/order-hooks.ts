// What the order service calls so flash-sale admission learns about orders after they leave checkout:
// settle (PAID or CANCELLED) lifts the "unpaid order for this item" rule; a timeout cancel also counts
// against the buyer's "frequent non-payer" tag. Both are idempotent enough to call on every
// redelivery: the clear compares the order id, and a recount only lengthens the tag by one cancel.
import type { Config } from '../../../platform/config';
import type { RedisClient } from '../../../platform/redis';
import { createBuyerMarks } from './buyer-marks';
import { createFlashScripts } from './flash-scripts';
import { createFlashKeys } from './keys';

export interface SettledOrder {
  readonly orderId: string;
  readonly userId: string;
  /** Product ids of the order's lines. */
  readonly productIds: readonly string[];
}

export interface FlashSaleOrderHooks {
  /** A FLASH_SALE order left PENDING_PAYMENT (PAID or CANCELLED); returns how many marks were cleared. */
  orderSettled(order: SettledOrder): Promise<number>;
  /**
   * A timeout cancelled one of the user's unpaid orders; returns the count within
   * FLASH_NON_PAYER_WINDOW_MS. At FLASH_NON_PAYER_THRESHOLD, Buy answers BLOCKED.
   */
  markNonPayer(userId: string): Promise<number>;
}

export interface FlashSaleOrderHooksDeps {
  readonly redis: RedisClient;
  readonly config: Pick<Config, 'flashSale'>;
  /** Key prefix (tests); must match the checkout side's. */
  readonly namespace?: string;
}

export function createFlashSaleOrderHooks(deps: FlashSaleOrderHooksDeps): FlashSaleOrderHooks {
  const keys = createFlashKeys(deps.namespace);
  const marks = createBuyerMarks({ redis: deps.redis, scripts: createFlashScripts(deps.redis), keys });
  return {
    async orderSettled(order) {
      const cleared = await Promise.all(order.productIds.map(p => marks.clearUnpaid(order.userId, p, order.orderId)));
      return cleared.filter(Boolean).length;
    },
    markNonPayer: userId => marks.markNonPayer(userId, deps.config.flashSale.nonPayerWindowMs),
  };
}
