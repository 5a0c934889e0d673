// Orders of the persistence bench: complete drafts (address, email, 1-3 lines, exact totals), as the
// forwarder would publish them (OrderCreated protobuf), with ids under a run prefix.
import { OrderSource, type OrderDraft } from '../../src/gen/shop/v1/common';
import { OrderCreated } from '../../src/gen/shop/v1/events';

export function benchDraft(orderId: string, i: number, now: number, lineProduct?: string): OrderDraft {
  const lines = lineProduct ? 1 : 1 + (i % 3);
  const items = Array.from({ length: lines }, (_, l) => ({
    productId: lineProduct ?? `BENCH-SKU-${(i + l) % 50}`,
    quantity: lineProduct ? 1 : 1 + ((i + l) % 2),
    unitCost: { currencyCode: 'EUR', units: BigInt(10 + ((i + l) % 90)), nanos: (i * 7919 + l * 104729) % 1_000_000_000 },
  }));
  let nanos = 8_990_000_000n;
  for (const it of items) nanos += (it.unitCost.units * 1_000_000_000n + BigInt(it.unitCost.nanos)) * BigInt(it.quantity);
  return {
    orderId,
    userId: `bench-user-${orderId}`,
    source: OrderSource.ORDER_SOURCE_FLASH_SALE,
    userCurrency: 'EUR',
    email: `buyer${i}@example.com`,
    shippingAddress: { streetAddress: `${i} Bench Street`, city: 'Zürich', state: 'ZH', country: 'Switzerland', zipCode: 8000 + (i % 999) },
    items,
    shippingCost: { currencyCode: 'EUR', units: 8n, nanos: 990_000_000 },
    total: { currencyCode: 'EUR', units: nanos / 1_000_000_000n, nanos: Number(nanos % 1_000_000_000n) },
    createdAt: new Date(now),
    expiresAt: new Date(now + 30 * 60_000),
    idempotencyKey: '',
  };
}

/** The message body the forwarder publishes on order-created. */
export function orderCreatedBody(draft: OrderDraft, reservedAt: Date): Buffer {
  return Buffer.from(OrderCreated.encode({ order: draft, reservedAt, traceContext: {} }).finish());
}
