import { PaymentServiceService } from '../../gen/hipstershop/demo';
import type { AsyncServiceImpl } from '../../platform/grpc-server';
import { formatMoney } from '../../platform/money';
import type { PaymentProcessor } from './processor';

/** Metadata key carrying the caller's idempotency key (checkout sends its order id). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** hipstershop.PaymentService handlers. */
export function createPaymentHandlers(processor: PaymentProcessor): AsyncServiceImpl<typeof PaymentServiceService> {
  return {
    async charge(req, ctx) {
      const given = ctx.metadata.get(IDEMPOTENCY_KEY_HEADER)[0];
      const key = typeof given === 'string' ? given : undefined;
      const { transactionId, replayed } = await processor.charge(req, key);
      ctx.logger.info(
        { transactionId, replayed, amount: req.amount && formatMoney(req.amount), hasKey: key !== undefined },
        replayed ? 'charge replayed' : 'charge recorded',
      );
      return { transactionId };
    },
  };
}
