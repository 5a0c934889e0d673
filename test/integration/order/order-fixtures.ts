// Builders of orders for the order-service integration tests.
import { OrderSource, type OrderDraft } from '../../../src/gen/shop/v1/common';
import { OrderCreated } from '../../../src/gen/shop/v1/events';
import { orderFromDraft } from '../../../src/services/order/draft';
import type { NewOrder } from '../../../src/services/order/types';
import { uniqueId } from '../../support/ids';

/** A complete draft: 1-3 lines with odd nanos, an address, email, key, deadline `windowMs` after creation. */
export function makeDraft(i: number, overrides: Partial<OrderDraft> = {}, windowMs = 30 * 60_000): OrderDraft {
  const lines = 1 + (i % 3);
  const items = Array.from({ length: lines }, (_, l) => ({
    productId: `SKU-${(i + l) % 17}`,
    quantity: 1 + ((i + l) % 4),
    unitCost: { currencyCode: 'EUR', units: BigInt(10 + l + (i % 90)), nanos: (i * 7919 + l * 104729) % 1_000_000_000 },
  }));
  const shippingCost = { currencyCode: 'EUR', units: 8n, nanos: 990_000_000 };
  let nanos = 8n * 1_000_000_000n + 990_000_000n;
  for (const it of items) nanos += (it.unitCost.units * 1_000_000_000n + BigInt(it.unitCost.nanos)) * BigInt(it.quantity);
  const createdAt = new Date(Date.UTC(2026, 0, 1) + i * 1000 + (i % 997));
  return {
    orderId: uniqueId(`o${i}`),
    userId: `user-${i % 50}`,
    source: i % 2 === 0 ? OrderSource.ORDER_SOURCE_FLASH_SALE : OrderSource.ORDER_SOURCE_PLACE_ORDER,
    userCurrency: 'EUR',
    email: `buyer${i}@example.com`,
    shippingAddress: { streetAddress: `${i} Main Street`, city: 'Zürich', state: 'ZH', country: 'Switzerland', zipCode: 8000 + (i % 999) },
    items,
    shippingCost,
    total: { currencyCode: 'EUR', units: nanos / 1_000_000_000n, nanos: Number(nanos % 1_000_000_000n) },
    createdAt,
    expiresAt: new Date(createdAt.getTime() + windowMs),
    idempotencyKey: i % 5 === 0 ? '' : `idem-${i}`,
    ...overrides,
  };
}

export function makeOrder(i: number, overrides: Partial<OrderDraft> = {}, windowMs?: number): NewOrder {
  return orderFromDraft(makeDraft(i, overrides, windowMs), new Date(Date.UTC(2026, 0, 1, 0, 0, 1) + i));
}

/** The raw protobuf body the forwarder publishes. */
export function orderCreatedBody(draft: OrderDraft, reservedAt = new Date(Date.UTC(2026, 0, 1, 0, 0, 1))): Buffer {
  return Buffer.from(OrderCreated.encode({ order: draft, reservedAt, traceContext: {} }).finish());
}
