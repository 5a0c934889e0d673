// "Was this order charged?" — asked when a PayOrder died inside PAYING (its lock expired) or met a key
// conflict. PaymentService has no lookup RPC (hipstershop is fixed), so this reads the charge our payment
// service recorded under idempotency key = order id, through the payment module's own repository: the
// two services share one MySQL schema and migration history. With an external (upstream) payment
// service wire `noChargeLookup`: stale PAYING locks then wait for the buyer's retry (same key).
import type { ChargeRepo } from '../../payment/charge-repo';

export interface ChargeLookup {
  /** The charge taken under this order id (not refunded); undefined when none; 'unknown' when it cannot tell. */
  find(orderId: string): Promise<{ transactionId: string } | undefined | 'unknown'>;
}

export function createChargeLookup(charges: Pick<ChargeRepo, 'findByIdempotencyKey'>): ChargeLookup {
  return {
    async find(orderId) {
      const record = await charges.findByIdempotencyKey(orderId);
      return record === undefined || record.refundedAt !== null ? undefined : { transactionId: record.transactionId };
    },
  };
}

export const noChargeLookup: ChargeLookup = { find: async () => 'unknown' };
