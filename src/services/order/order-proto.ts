// Domain rows → shop.v1 messages, and the ListOrders page token.
import type { Order, OrderProgress } from '../../gen/shop/v1/order';
import { ProgressState } from '../../gen/shop/v1/order';
import { InvalidArgumentError } from '../../platform/errors';
import { isFinal, sourceToProto, statusToProto } from './state-machine';
import type { ListCursor, OrderHeader, OrderRecord } from './types';

export function toOrderProto(o: OrderRecord): Order {
  return {
    orderId: o.orderId,
    userId: o.userId,
    status: statusToProto(o.status),
    source: sourceToProto(o.source),
    userCurrency: o.userCurrency,
    items: o.items.map(i => ({ productId: i.productId, quantity: i.quantity, unitCost: { ...i.unitCost } })),
    shippingCost: { ...o.shippingCost },
    total: { ...o.total },
    shippingAddress: { ...o.address },
    email: o.email,
    trackingId: o.trackingId ?? '',
    transactionId: o.transactionId ?? '',
    failureReason: o.failureReason ?? '',
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    expiresAt: o.expiresAt,
    paidAt: o.paidAt ?? undefined,
  };
}

/** The progress a row implies (WatchOrder's fallback when the Redis key is missing). */
export function progressFromRow(o: OrderHeader): OrderProgress {
  return {
    orderId: o.orderId,
    state: ProgressState.PROGRESS_STATE_SUCCESS,
    status: statusToProto(o.status),
    reason: o.status === 'CANCELLED' || o.status === 'SHIP_FAILED' ? (o.failureReason ?? '') : '',
    terminal: isFinal(o.status),
    trackingId: o.trackingId ?? '',
    expiresAt: o.expiresAt,
    updatedAt: o.updatedAt,
  };
}

const TOKEN_PREFIX = 'o1:';

export function encodeListToken(c: ListCursor): string {
  return Buffer.from(`${TOKEN_PREFIX}${c.createdAt.getTime()}:${c.orderId}`, 'utf8').toString('base64url');
}

export function decodeListToken(token: string): ListCursor | undefined {
  if (token === '') return undefined;
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const m = /^o1:(\d{1,15}):(.{1,64})$/s.exec(text);
  if (!m) throw new InvalidArgumentError('page_token', 'is not a token from a previous page');
  return { createdAt: new Date(Number(m[1])), orderId: m[2] as string };
}
