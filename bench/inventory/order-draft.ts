// The order every bench request carries: one line of the hot item, quantity 1, with realistic address,
// amounts and timestamps, so the gRPC message, the order payload written to the stream and the naive
// baseline's order row all have the size a real checkout produces.
import { OrderSource, type OrderDraft } from '../../src/gen/shop/v1/common';

export function benchDraft(sku: string, orderId: string, userId: string, now: Date): OrderDraft {
  return {
    orderId,
    userId,
    source: OrderSource.ORDER_SOURCE_PLACE_ORDER,
    userCurrency: 'USD',
    email: 'someone@example.com',
    shippingAddress: {
      streetAddress: '1600 Amphitheatre Parkway',
      city: 'Mountain View',
      state: 'CA',
      country: 'United States',
      zipCode: 94043,
    },
    items: [{ productId: sku, quantity: 1, unitCost: { currencyCode: 'USD', units: 19n, nanos: 990_000_000 } }],
    shippingCost: { currencyCode: 'USD', units: 8n, nanos: 990_000_000 },
    total: { currencyCode: 'USD', units: 28n, nanos: 980_000_000 },
    createdAt: now,
    expiresAt: new Date(now.getTime() + 30 * 60_000),
    idempotencyKey: `idem-${orderId}`,
  };
}
