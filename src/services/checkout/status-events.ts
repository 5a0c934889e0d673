// PAID / CANCELLED announcements on the order-status topic (FIFO, message group = order id), in the
// order service's format (order/status-event.ts). The order service applies them even when they
// arrive before the order row. A publish that keeps failing is logged, never thrown: the money has
// moved (or not) already, and the order service settles a silent order with payment by order id.
import { OrderStatus } from '../../gen/shop/v1/common';
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import type { MqProducer } from '../../platform/mq';
import { publishStatus } from '../order/status-event';

export interface StatusEvents {
  paid(e: { orderId: string; userId: string; transactionId: string; traceContext: Record<string, string> }): Promise<void>;
  cancelled(e: { orderId: string; userId: string; reason: string; traceContext: Record<string, string> }): Promise<void>;
}

export interface StatusEventDeps {
  readonly producer: Pick<MqProducer, 'send'>;
  readonly topic: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Attempts per event (default 3, backing off 100 ms, 200 ms, …). */
  readonly attempts?: number;
}

export function createStatusEvents(deps: StatusEventDeps): StatusEvents {
  const { producer, topic, clock, logger } = deps;
  const attempts = deps.attempts ?? 3;

  async function publish(what: string, orderId: string, send: () => Promise<unknown>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await send();
        return;
      } catch (err) {
        if (attempt >= attempts) {
          logger.error({ orderId, err, attempts }, `${what} event not published; the order service must settle this order with payment`);
          return;
        }
        await clock.sleep(100 * 2 ** (attempt - 1));
      }
    }
  }

  return {
    paid: e =>
      publish('PAID', e.orderId, () =>
        publishStatus(producer, topic, {
          orderId: e.orderId,
          userId: e.userId,
          from: OrderStatus.ORDER_STATUS_PENDING_PAYMENT,
          to: OrderStatus.ORDER_STATUS_PAID,
          at: new Date(clock.now()),
          transactionId: e.transactionId,
          traceContext: e.traceContext,
        }),
      ),
    cancelled: e =>
      publish('CANCELLED', e.orderId, () =>
        publishStatus(producer, topic, {
          orderId: e.orderId,
          userId: e.userId,
          from: OrderStatus.ORDER_STATUS_PENDING_PAYMENT,
          to: OrderStatus.ORDER_STATUS_CANCELLED,
          reason: e.reason,
          at: new Date(clock.now()),
          traceContext: e.traceContext,
        }),
      ),
  };
}
