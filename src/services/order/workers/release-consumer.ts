// Release consumer (order process, ORDER_RELEASE_GROUP on ORDER_TX_TOPIC): for each committed
// OrderCancelled message — i.e. exactly for the cancels whose transition committed — give the order's
// stock back (InventoryService.Release, idempotent per order id), record stock_released_at, and
// announce CANCELLED on the order-status topic. An order already recorded as released (the cancel
// released inline) is not released again; the announcement is made by this consumer only, so it
// follows the committed message (at least once; receivers treat a repeat as "already there").
// Failures retry with capped backoff; after the group's retries the message is dead-lettered and the
// backstop scan's redrive (cancel-order.ts) finishes the release.
import type { Logger } from '../../../platform/logger';
import { ack, retryLater, type MqBatchHandler, type MqMessage, type MqOutcome } from '../../../platform/mq';
import { backoffDelay, type BackoffPolicy } from '../../../platform/mq/backoff';
import { cancelledEvent, releaseAndRecord, type CancelOrderDeps } from '../cancel-order';
import { decodeCancelMessage, isOwnMessage } from '../cancel-message';

export interface ReleaseHandlerDeps {
  readonly cancel: Pick<CancelOrderDeps, 'repo' | 'inventory' | 'clock' | 'publish'>;
  /** This deployment's order database: messages of another one are not ours (acked untouched). */
  readonly origin: string;
  readonly logger: Logger;
  readonly retryBackoff?: BackoffPolicy;
  /** Told of every order whose release this consumer completed (tests count them). */
  readonly onReleased?: (orderId: string, recordedHere: boolean) => void;
}

export const DEFAULT_RELEASE_RETRY: BackoffPolicy = Object.freeze({ initialMs: 1_000, maxMs: 60_000, jitter: 0.2 });

const text = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function createReleaseHandler(deps: ReleaseHandlerDeps): MqBatchHandler {
  const logger = deps.logger.child({ worker: 'order-release' });
  const policy = deps.retryBackoff ?? DEFAULT_RELEASE_RETRY;
  const { repo } = deps.cancel;

  async function one(msg: MqMessage): Promise<MqOutcome> {
    if (!isOwnMessage(msg, deps.origin)) return ack;
    const intent = decodeCancelMessage(msg);
    if (typeof intent === 'string') {
      logger.error({ messageId: msg.messageId, reason: intent }, 'malformed cancellation message dropped');
      return ack;
    }
    const log = logger.child({ orderId: intent.orderId });
    try {
      const order = await repo.getHeader(intent.orderId);
      // The checker commits only CANCELLED rows and the transition is forward-only: anything else means
      // the row was changed behind the state machine's back. Releasing then could free sold stock.
      if (order?.status !== 'CANCELLED') {
        log.error({ status: order?.status ?? 'none' }, 'committed cancellation message for an order that is not CANCELLED; not released');
        return ack;
      }
      if (order.stockReleasedAt === null) {
        const recorded = await releaseAndRecord({ ...deps.cancel, logger: log }, order, intent.releaseReason);
        deps.onReleased?.(order.orderId, recorded);
      }
      await deps.cancel.publish?.(cancelledEvent(order));
      return ack;
    } catch (err) {
      const delayMs = backoffDelay(policy, msg.deliveryAttempt);
      log.warn({ reason: text(err), attempt: msg.deliveryAttempt, delayMs }, 'stock release of a cancelled order failed; retrying');
      return retryLater(delayMs);
    }
  }

  return batch => Promise.all(batch.map(one));
}
