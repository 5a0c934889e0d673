// OrderCreated message body → NewOrder, with every field of the OrderDraft kept. A body that cannot
// become a valid order never will (same bytes, same answer), so it is a permanent failure:
// InvalidOrderMessageError, which the creation consumer stores as a dead letter right away.
import { OrderCreated } from '../../gen/shop/v1/events';
import type { OrderDraft } from '../../gen/shop/v1/common';
import { equals, isCurrencyCode, moneyProblem, multiply, sum, sumAll, zero, type Money } from '../../platform/money';
import { sourceFromProto } from './state-machine';
import type { NewOrder } from './types';

export class InvalidOrderMessageError extends Error {
  override readonly name = 'InvalidOrderMessageError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

const MAX_ID = 64;
const MAX_LINES = 100;

/** Protobuf field 1 (order), wire type 2: the first byte of every non-empty OrderCreated. */
const ORDER_CREATED_FIRST_BYTE = 0x0a;

/**
 * The body is OrderCreated protobuf bytes. The productcatalog forwarder currently sends the base64
 * TEXT of those bytes instead (the stream field, UTF-8); both are accepted: base64 text can never
 * start with 0x0a, so the two are told apart without guessing.
 */
export function decodeOrderCreatedBody(body: Buffer): OrderCreated {
  const bytes = body.length > 0 && body[0] !== ORDER_CREATED_FIRST_BYTE && /^[A-Za-z0-9+/=\s]+$/.test(body.toString('latin1'))
    ? Buffer.from(body.toString('latin1'), 'base64')
    : body;
  try {
    return OrderCreated.decode(bytes);
  } catch (err) {
    throw new InvalidOrderMessageError('body', `not an OrderCreated message (${err instanceof Error ? err.message : String(err)})`);
  }
}

function text(field: string, value: string, max: number, required: boolean): string {
  if (required && value === '') throw new InvalidOrderMessageError(field, 'must not be empty');
  if (value.length > max) throw new InvalidOrderMessageError(field, `must be at most ${max} characters`);
  return value;
}

function money(field: string, m: Money | undefined, currency: string, fallbackZero: boolean): Money {
  if (m === undefined) {
    if (fallbackZero) return zero(currency);
    throw new InvalidOrderMessageError(field, 'is required');
  }
  const problem = moneyProblem(m);
  if (problem !== undefined) throw new InvalidOrderMessageError(field, problem);
  if (m.currencyCode !== currency) throw new InvalidOrderMessageError(`${field}.currency_code`, `must be the order currency ${currency}, got ${JSON.stringify(m.currencyCode)}`);
  return { currencyCode: m.currencyCode, units: m.units, nanos: m.nanos };
}

/** Validates a draft into the row to insert. `reservedAt` from the envelope (OrderCreated.reserved_at). */
export function orderFromDraft(draft: OrderDraft | undefined, reservedAt: Date | undefined): NewOrder {
  if (draft === undefined) throw new InvalidOrderMessageError('order', 'is missing');
  const orderId = text('order.order_id', draft.orderId, MAX_ID, true);
  const userId = text('order.user_id', draft.userId, MAX_ID, true);
  const currency = draft.userCurrency;
  if (!isCurrencyCode(currency)) throw new InvalidOrderMessageError('order.user_currency', `must be an ISO 4217 code, got ${JSON.stringify(currency)}`);
  if (draft.items.length === 0) throw new InvalidOrderMessageError('order.items', 'must not be empty');
  if (draft.items.length > MAX_LINES) throw new InvalidOrderMessageError('order.items', `at most ${MAX_LINES} lines`);
  const items = draft.items.map((l, i) => {
    const productId = text(`order.items[${i}].product_id`, l.productId, MAX_ID, true);
    if (!Number.isInteger(l.quantity) || l.quantity < 1) throw new InvalidOrderMessageError(`order.items[${i}].quantity`, 'must be at least 1');
    return { productId, quantity: l.quantity, unitCost: money(`order.items[${i}].unit_cost`, l.unitCost, currency, false) };
  });
  const shippingCost = money('order.shipping_cost', draft.shippingCost, currency, true);
  const itemsTotal = sumAll(currency, items.map(l => multiply(l.unitCost, l.quantity)));
  const total = money('order.total', draft.total, currency, false);
  const expected = sum(shippingCost, itemsTotal);
  if (!equals(total, expected)) {
    throw new InvalidOrderMessageError('order.total', `is not shipping_cost + Σ unit_cost × quantity (${expected.units}.${expected.nanos} expected)`);
  }
  if (draft.expiresAt === undefined) throw new InvalidOrderMessageError('order.expires_at', 'is required');
  const createdAt = draft.createdAt ?? reservedAt;
  if (createdAt === undefined) throw new InvalidOrderMessageError('order.created_at', 'is required');
  const a = draft.shippingAddress;
  if (a !== undefined && (!Number.isInteger(a.zipCode) || a.zipCode < -(2 ** 31) || a.zipCode >= 2 ** 31)) {
    throw new InvalidOrderMessageError('order.shipping_address.zip_code', 'must be an int32');
  }
  return {
    orderId,
    userId,
    source: sourceFromProto(draft.source),
    userCurrency: currency,
    email: text('order.email', draft.email, 320, false),
    address: {
      streetAddress: text('order.shipping_address.street_address', a?.streetAddress ?? '', 255, false),
      city: text('order.shipping_address.city', a?.city ?? '', 128, false),
      state: text('order.shipping_address.state', a?.state ?? '', 128, false),
      country: text('order.shipping_address.country', a?.country ?? '', 128, false),
      zipCode: a?.zipCode ?? 0,
    },
    items,
    shippingCost,
    itemsTotal,
    total,
    idempotencyKey: draft.idempotencyKey === '' ? null : text('order.idempotency_key', draft.idempotencyKey, 128, false),
    createdAt,
    expiresAt: draft.expiresAt,
    reservedAt: reservedAt ?? null,
  };
}
