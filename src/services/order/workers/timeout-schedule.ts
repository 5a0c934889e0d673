// The payment-deadline timer (F5): a RocketMQ DELAY message on order-timeout, key = order id, body =
// shop.v1.PaymentDeadline, due at the order's expires_at. The creation path schedules it after the order
// row commits; the timeout consumer re-schedules a deadline that is not due yet (the broker's 1 s timer
// slots may fire early, and it caps delays). A lost timer is caught by the backstop scan.
import { PaymentDeadline } from '../../../gen/shop/v1/events';
import type { MqProducer, MqSendResult } from '../../../platform/mq';

export const ORDER_TIMEOUT_TOPIC = 'order-timeout';
export const ORDER_TIMEOUT_GROUP = 'GID_order_timeout';
export const PAYMENT_DEADLINE_TAG = 'deadline';

/** Proxy default maxDelayTimeMills is 24 h; stay below it (a later fire is re-scheduled by the consumer). */
export const MAX_TIMER_DELAY_MS = 23 * 3600_000;
/** A DELAY topic only takes future deliveries; an already-due deadline fires this soon instead. */
export const MIN_TIMER_DELAY_MS = 1_000;

export interface DeadlineTarget {
  readonly orderId: string;
  readonly expiresAt: Date;
  readonly traceContext?: Readonly<Record<string, string>>;
}

export interface ScheduleOptions {
  readonly topic?: string;
  readonly now?: number;
}

/** When the timer message is delivered: expires_at, pulled into [now + 1 s, now + 23 h]. */
export function timerDeliveryTime(expiresAt: Date, now: number): Date {
  const at = Math.min(Math.max(expiresAt.getTime(), now + MIN_TIMER_DELAY_MS), now + MAX_TIMER_DELAY_MS);
  return new Date(at);
}

export function encodePaymentDeadline(target: DeadlineTarget): Buffer {
  return Buffer.from(
    PaymentDeadline.encode({ orderId: target.orderId, expiresAt: target.expiresAt, traceContext: { ...(target.traceContext ?? {}) } }).finish(),
  );
}

/** Publishes the timer; resolves once the broker stored it. Callers treat a failure as "the scan will catch it". */
export function schedulePaymentDeadline(
  producer: Pick<MqProducer, 'send'>,
  target: DeadlineTarget,
  opts: ScheduleOptions = {},
): Promise<MqSendResult> {
  return producer.send({
    topic: opts.topic ?? ORDER_TIMEOUT_TOPIC,
    tag: PAYMENT_DEADLINE_TAG,
    keys: [target.orderId],
    body: encodePaymentDeadline(target),
    properties: target.traceContext ?? {},
    deliverAt: timerDeliveryTime(target.expiresAt, opts.now ?? Date.now()),
  });
}

/**
 * Commit-listener helper: schedules the timer of every order created in `changes`. A failed send is only
 * logged (the backstop scan cancels that order once it expires); never throws.
 */
export async function scheduleCreatedOrders(
  producer: Pick<MqProducer, 'send'>,
  changes: readonly { readonly orderId: string; readonly from: string | null; readonly expiresAt: Date }[],
  logger: { warn(obj: object, msg: string): void },
  opts: ScheduleOptions = {},
): Promise<void> {
  const created = changes.filter(c => c.from === null);
  const results = await Promise.allSettled(created.map(c => schedulePaymentDeadline(producer, { orderId: c.orderId, expiresAt: c.expiresAt }, opts)));
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ orderId: created[i]!.orderId, err: r.reason as unknown }] : []));
  if (failed.length > 0) {
    const reason = failed[0]!.err instanceof Error ? (failed[0]!.err as Error).message : String(failed[0]!.err);
    logger.warn({ orders: failed.length, first: failed[0]!.orderId, reason }, 'payment-deadline timers not scheduled; the backstop scan will cancel those orders');
  }
}
