// The transactional message of a cancellation (order-tx topic, TRANSACTION): "give back the stock of
// this cancelled order". Sent as a half message before the CANCELLED transition and committed with it.
// `origin` names the order database that decides it: a broker shared by several databases (test
// suites, environments without a namespace) must not let one database's checker roll back another's.
import { OrderCancelled } from '../../gen/shop/v1/events';
import type { ReleaseReason } from '../../gen/shop/v1/common';
import type { MqMessage, MqSendRequest } from '../../platform/mq';

export const ORDER_CANCELLED_TAG = 'cancelled';
export const ORIGIN_PROPERTY = 'order-db';

export interface CancelMessageTarget {
  readonly topic: string;
  /** The order database's name (see originOf). */
  readonly origin: string;
}

export interface CancelIntent {
  readonly orderId: string;
  readonly releaseReason: ReleaseReason;
  readonly reason: string;
  readonly requestedAt: Date;
}

/** The database name of a MySQL URL: every replica of one deployment shares it. */
export function originOf(mysqlUrl: string): string {
  return decodeURIComponent(new URL(mysqlUrl).pathname.replace(/^\//, ''));
}

export function cancelMessage(target: CancelMessageTarget, intent: CancelIntent): MqSendRequest {
  const body = OrderCancelled.encode({
    orderId: intent.orderId,
    releaseReason: intent.releaseReason,
    reason: intent.reason,
    requestedAt: intent.requestedAt,
    traceContext: {},
  }).finish();
  return {
    topic: target.topic,
    tag: ORDER_CANCELLED_TAG,
    keys: [intent.orderId],
    body: Buffer.from(body),
    properties: { [ORIGIN_PROPERTY]: target.origin },
  };
}

/** Whether this database decides the message (else: another deployment's or test's, not ours to touch). */
export function isOwnMessage(msg: MqMessage, origin: string): boolean {
  return msg.properties.get(ORIGIN_PROPERTY) === origin;
}

/** The intent, or why the body cannot be one. */
export function decodeCancelMessage(msg: MqMessage): CancelIntent | string {
  let d: OrderCancelled;
  try {
    d = OrderCancelled.decode(msg.body);
  } catch (err) {
    return `undecodable OrderCancelled: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (d.orderId === '' || d.orderId.length > 64) return 'OrderCancelled.order_id must be 1-64 characters';
  return { orderId: d.orderId, releaseReason: d.releaseReason, reason: d.reason, requestedAt: d.requestedAt ?? new Date(0) };
}
