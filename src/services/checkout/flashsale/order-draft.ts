// Pure: the OrderDraft of an admitted Buy, the one message that travels Reserve → order-created stream
// → RocketMQ → orders row. Flash-sale orders ship free (no quote on the hot path): total = unit × qty.
import type { OrderDraft } from '../../../gen/shop/v1/common';
import { OrderSource } from '../../../gen/shop/v1/common';
import { multiply, sum, zero, type Money } from '../../../platform/money';
import type { CheckedBuy } from './requests';

export interface DraftInput {
  readonly orderId: string;
  readonly request: CheckedBuy;
  /** Price of one unit in request.currency. */
  readonly unitCost: Money;
  readonly createdAtMs: number;
  readonly paymentWindowMs: number;
  /** Client idempotency key (audit); '' when none. */
  readonly idempotencyKey: string;
}

export function buildOrderDraft(input: DraftInput): OrderDraft {
  const { request, unitCost } = input;
  const shipping = zero(unitCost.currencyCode);
  return {
    orderId: input.orderId,
    userId: request.userId,
    source: OrderSource.ORDER_SOURCE_FLASH_SALE,
    userCurrency: unitCost.currencyCode,
    email: request.email,
    shippingAddress: { ...request.address },
    items: [{ productId: request.productId, quantity: request.quantity, unitCost: { ...unitCost } }],
    shippingCost: shipping,
    total: sum(shipping, multiply(unitCost, request.quantity)),
    createdAt: new Date(input.createdAtMs),
    expiresAt: new Date(input.createdAtMs + input.paymentWindowMs),
    idempotencyKey: input.idempotencyKey,
  };
}
