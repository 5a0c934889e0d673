// order-status topic: OrderStatusChanged bodies, FIFO per order (message group = order id).
// `publishStatus` is the one way other services announce a transition (checkout publishes PAID
// after charging in PlaceOrder); the order service's status consumer applies it through the table.
import { OrderStatusChanged } from '../../gen/shop/v1/events';
import { OrderStatus } from '../../gen/shop/v1/common';
import type { MqProducer, MqSendResult } from '../../platform/mq';
import { statusFromProto, type OrderStatusName } from './state-machine';
import type { PendingStatusEvent, TransitionOptions } from './types';

export const ORDER_STATUS_TAG = 'status';

export interface StatusEventInput {
  orderId: string;
  userId?: string;
  to: OrderStatus;
  from?: OrderStatus;
  reason?: string;
  at: Date;
  transactionId?: string;
  trackingId?: string;
  traceContext?: Record<string, string>;
}

export function encodeStatusEvent(e: StatusEventInput): Buffer {
  const msg: OrderStatusChanged = {
    orderId: e.orderId,
    userId: e.userId ?? '',
    fromStatus: e.from ?? OrderStatus.ORDER_STATUS_UNSPECIFIED,
    toStatus: e.to,
    reason: e.reason ?? '',
    at: e.at,
    transactionId: e.transactionId ?? '',
    trackingId: e.trackingId ?? '',
    traceContext: { ...(e.traceContext ?? {}) },
  };
  return Buffer.from(OrderStatusChanged.encode(msg).finish());
}

/**
 * Publishes a status change on `topic` (normally config's order-status topic), keyed and grouped by
 * order id so one order's events stay in order. The broker confirmed it when this resolves.
 */
export function publishStatus(
  producer: Pick<MqProducer, 'send'>,
  topic: string,
  event: StatusEventInput,
  opts: { tag?: string } = {},
): Promise<MqSendResult> {
  return producer.send({
    topic,
    tag: opts.tag ?? ORDER_STATUS_TAG,
    keys: [event.orderId],
    messageGroup: event.orderId,
    body: encodeStatusEvent(event),
    properties: event.traceContext ?? {},
  });
}

/** Why a status message can never be applied (answered by storing it as a dead letter). */
export class InvalidStatusEventError extends Error {
  override readonly name = 'InvalidStatusEventError';
}

export interface DecodedStatusEvent {
  orderId: string;
  to: OrderStatusName;
  options: TransitionOptions;
  at: Date | undefined;
  raw: OrderStatusChanged;
}

export function decodeStatusEvent(body: Buffer): DecodedStatusEvent {
  let raw: OrderStatusChanged;
  try {
    raw = OrderStatusChanged.decode(body);
  } catch (err) {
    throw new InvalidStatusEventError(`undecodable OrderStatusChanged: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (raw.orderId === '' || raw.orderId.length > 64) throw new InvalidStatusEventError('order_id must be 1-64 characters');
  const to = statusFromProto(raw.toStatus);
  if (to === undefined || to === 'PENDING_PAYMENT') throw new InvalidStatusEventError(`to_status ${raw.toStatus} is not a transition target`);
  return { orderId: raw.orderId, to, options: transitionOptions(raw), at: raw.at, raw };
}

function transitionOptions(raw: OrderStatusChanged): TransitionOptions {
  return {
    reason: raw.reason,
    ...(raw.transactionId !== '' ? { transactionId: raw.transactionId } : {}),
    ...(raw.trackingId !== '' ? { trackingId: raw.trackingId } : {}),
  };
}

/** Transition options of a kept (pending) event; an unreadable payload still applies, without details. */
export function pendingTransitionOptions(event: PendingStatusEvent): TransitionOptions {
  try {
    return transitionOptions(OrderStatusChanged.decode(event.payload));
  } catch {
    return {};
  }
}
