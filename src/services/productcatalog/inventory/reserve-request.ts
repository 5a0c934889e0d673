// Shape checks of a Reserve request, before anything else runs: a bad request changes nothing.
// Field names are the proto paths of the request (`order.items[2].quantity`), as callers wrote them.
import type { OrderDraft } from '../../../gen/shop/v1/common';
import { InvalidArgumentError } from '../../../platform/errors';
import { SKU_RE } from '../stock/validation';

export interface ReserveLimits {
  /** Lines per order (default 50). */
  readonly maxLines: number;
  /** Units per line (default 1000): more is a client bug or abuse, never a real basket. */
  readonly maxQty: number;
}

/** order_id / user_id end up in MySQL VARCHAR(64) columns, Redis keys and log lines. */
export const MAX_ID_LENGTH = 64;
const ID_RE = /^[\x21-\x7e]+$/;

export interface CheckedLine {
  readonly index: number;
  readonly productId: string;
  readonly quantity: number;
}

export interface CheckedReserve {
  readonly draft: OrderDraft;
  readonly orderId: string;
  readonly userId: string;
  readonly lines: readonly CheckedLine[];
}

function checkId(field: string, value: string): string {
  if (value === '') throw new InvalidArgumentError(field, 'must not be empty');
  if (value.length > MAX_ID_LENGTH) throw new InvalidArgumentError(field, `must be at most ${MAX_ID_LENGTH} characters`);
  if (!ID_RE.test(value)) throw new InvalidArgumentError(field, 'must be printable ASCII without spaces');
  return value;
}

export function checkReserveRequest(order: OrderDraft | undefined, limits: ReserveLimits): CheckedReserve {
  if (!order) throw new InvalidArgumentError('order', 'must be set');
  const orderId = checkId('order.order_id', order.orderId);
  const userId = checkId('order.user_id', order.userId);
  const items = order.items;
  if (items.length === 0) throw new InvalidArgumentError('order.items', 'must hold at least one line');
  if (items.length > limits.maxLines) throw new InvalidArgumentError('order.items', `must hold at most ${limits.maxLines} lines`);
  const seen = new Map<string, number>();
  const lines = items.map((item, index): CheckedLine => {
    const field = `order.items[${index}]`;
    const productId = item.productId;
    if (productId === '') throw new InvalidArgumentError(`${field}.product_id`, 'must not be empty');
    if (!SKU_RE.test(productId)) {
      throw new InvalidArgumentError(`${field}.product_id`, 'must be 1-64 letters, digits, "_", "." or "-"');
    }
    const first = seen.get(productId);
    if (first !== undefined) {
      throw new InvalidArgumentError(`${field}.product_id`, `repeats order.items[${first}] (one line per product)`);
    }
    seen.set(productId, index);
    const quantity = item.quantity;
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > limits.maxQty) {
      throw new InvalidArgumentError(`${field}.quantity`, `must be 1-${limits.maxQty}, got ${quantity}`);
    }
    return { index, productId, quantity };
  });
  // A timestamp outside what a Date holds (found by fuzzing) decodes to Invalid Date and cannot be re-encoded.
  checkTime('order.created_at', order.createdAt);
  checkTime('order.expires_at', order.expiresAt);
  return { draft: order, orderId, userId, lines };
}

function checkTime(field: string, value: Date | undefined): void {
  if (value !== undefined && !Number.isFinite(value.getTime())) throw new InvalidArgumentError(field, 'is not a representable time');
}
