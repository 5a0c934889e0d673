// Per-buyer abuse marks (seed 001), kept in Redis under the buyer's hash tag:
// - "unpaid order for this item": set when Buy accepts, cleared by the order service when the order is
//   paid or cancelled (compare-and-delete on the order id). Its TTL (payment window + grace) is a
//   backstop: a lost clear never blocks a buyer for longer than that.
// - "frequent non-payer": a counter the order service bumps when a timeout cancels an unpaid order.
import type { RedisClient } from '../../../platform/redis';
import type { FlashScripts } from './flash-scripts';
import type { FlashKeys } from './keys';

export interface BuyerMarks {
  markUnpaid(userId: string, productId: string, orderId: string, ttlMs: number): Promise<void>;
  /** The order id of the buyer's unpaid order for the item, if any. */
  unpaidOrder(userId: string, productId: string): Promise<string | undefined>;
  /** Clears the mark if it still names orderId; true when it did. */
  clearUnpaid(userId: string, productId: string, orderId: string): Promise<boolean>;
  /** One more timeout cancel against the user; returns the count within the window. */
  markNonPayer(userId: string, windowMs: number): Promise<number>;
  nonPayerCount(userId: string): Promise<number>;
}

export function createBuyerMarks(deps: { readonly redis: RedisClient; readonly scripts: FlashScripts; readonly keys: FlashKeys }): BuyerMarks {
  const { redis, scripts, keys } = deps;
  return {
    async markUnpaid(userId, productId, orderId, ttlMs) {
      await redis.set(keys.unpaid(userId, productId), orderId, 'PX', Math.max(1, Math.floor(ttlMs)));
    },
    async unpaidOrder(userId, productId) {
      return (await redis.get(keys.unpaid(userId, productId))) ?? undefined;
    },
    async clearUnpaid(userId, productId, orderId) {
      return (await scripts.run('flashClearUnpaid', [keys.unpaid(userId, productId)], [orderId])) === 1;
    },
    async markNonPayer(userId, windowMs) {
      return Number(await scripts.run('flashMarkNonPayer', [keys.nonPayer(userId)], [Math.max(1, Math.floor(windowMs))]));
    },
    async nonPayerCount(userId) {
      const v = await redis.get(keys.nonPayer(userId));
      return v === null ? 0 : Number(v);
    },
  };
}
