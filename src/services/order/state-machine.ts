// The order life cycle as an explicit table. order-repo turns `allowedFrom(to)` into
// `UPDATE … WHERE status IN (…)`, so a forbidden transition can never commit, whatever the
// event order or interleaving (seckill.md §1.11 b: never compare statuses numerically).
//
//   PENDING_PAYMENT ──► PAYING ──► PAID ──► SHIPPED
//        │   ▲           │          ▲  └──► SHIP_FAILED
//        │   └─(decline)─┘          │
//        ├──────────────────────────┘   (PAID event from checkout's PlaceOrder, which charges itself)
//        └──► CANCELLED
//
// PAYING is the pay/cancel lock: PayOrder takes it (PENDING_PAYMENT → PAYING, only before the
// deadline) BEFORE charging, and cancellation is allowed only from PENDING_PAYMENT. So whichever of
// PayOrder and CancelOrder/timeout commits its UPDATE first wins, and the loser is refused before any
// money moves: a cancelled order is never charged, a charged order is never cancelled. A decline
// releases the lock (PAYING → PENDING_PAYMENT); a PayOrder that died inside PAYING is re-driven
// after `paying_until` (see pay-order.ts). PAYING is internal: buyers see PENDING_PAYMENT.
import { OrderSource, OrderStatus } from '../../gen/shop/v1/common';

export const ORDER_STATUSES = ['PENDING_PAYMENT', 'PAYING', 'PAID', 'SHIPPED', 'SHIP_FAILED', 'CANCELLED'] as const;
export type OrderStatusName = (typeof ORDER_STATUSES)[number];

export const ORDER_SOURCES = ['UNSPECIFIED', 'PLACE_ORDER', 'FLASH_SALE'] as const;
export type OrderSourceName = (typeof ORDER_SOURCES)[number];

/** The status a new order row starts in. */
export const INITIAL_STATUS: OrderStatusName = 'PENDING_PAYMENT';

/** to → the statuses it may be reached from. The single source of truth for transitions. */
const ALLOWED_FROM: Readonly<Record<OrderStatusName, readonly OrderStatusName[]>> = Object.freeze({
  PENDING_PAYMENT: ['PAYING'],
  PAYING: ['PENDING_PAYMENT'],
  PAID: ['PENDING_PAYMENT', 'PAYING'],
  SHIPPED: ['PAID'],
  SHIP_FAILED: ['PAID'],
  CANCELLED: ['PENDING_PAYMENT'],
});

/** No transition leaves these. */
export const FINAL_STATUSES: readonly OrderStatusName[] = ['SHIPPED', 'SHIP_FAILED', 'CANCELLED'];

export function allowedFrom(to: OrderStatusName): readonly OrderStatusName[] {
  return ALLOWED_FROM[to];
}

export function canTransition(from: OrderStatusName, to: OrderStatusName): boolean {
  return ALLOWED_FROM[to].includes(from);
}

export function isFinal(status: OrderStatusName): boolean {
  return FINAL_STATUSES.includes(status);
}

export function isOrderStatusName(value: string): value is OrderStatusName {
  return (ORDER_STATUSES as readonly string[]).includes(value);
}

/** Statuses events on the order-status topic may carry (PAYING is never published). */
const FROM_PROTO: ReadonlyMap<OrderStatus, OrderStatusName> = new Map([
  [OrderStatus.ORDER_STATUS_PENDING_PAYMENT, 'PENDING_PAYMENT'],
  [OrderStatus.ORDER_STATUS_PAID, 'PAID'],
  [OrderStatus.ORDER_STATUS_SHIPPED, 'SHIPPED'],
  [OrderStatus.ORDER_STATUS_SHIP_FAILED, 'SHIP_FAILED'],
  [OrderStatus.ORDER_STATUS_CANCELLED, 'CANCELLED'],
]);

/** undefined for UNSPECIFIED / unknown numbers. */
export function statusFromProto(status: OrderStatus): OrderStatusName | undefined {
  return FROM_PROTO.get(status);
}

/** The buyer-facing status: PAYING shows as PENDING_PAYMENT (the lock is an implementation detail). */
export function statusToProto(status: OrderStatusName): OrderStatus {
  switch (status) {
    case 'PENDING_PAYMENT':
    case 'PAYING':
      return OrderStatus.ORDER_STATUS_PENDING_PAYMENT;
    case 'PAID':
      return OrderStatus.ORDER_STATUS_PAID;
    case 'SHIPPED':
      return OrderStatus.ORDER_STATUS_SHIPPED;
    case 'SHIP_FAILED':
      return OrderStatus.ORDER_STATUS_SHIP_FAILED;
    case 'CANCELLED':
      return OrderStatus.ORDER_STATUS_CANCELLED;
  }
}

export function sourceFromProto(source: OrderSource): OrderSourceName {
  switch (source) {
    case OrderSource.ORDER_SOURCE_PLACE_ORDER:
      return 'PLACE_ORDER';
    case OrderSource.ORDER_SOURCE_FLASH_SALE:
      return 'FLASH_SALE';
    default:
      return 'UNSPECIFIED';
  }
}

export function sourceToProto(source: OrderSourceName): OrderSource {
  switch (source) {
    case 'PLACE_ORDER':
      return OrderSource.ORDER_SOURCE_PLACE_ORDER;
    case 'FLASH_SALE':
      return OrderSource.ORDER_SOURCE_FLASH_SALE;
    case 'UNSPECIFIED':
      return OrderSource.ORDER_SOURCE_UNSPECIFIED;
  }
}
