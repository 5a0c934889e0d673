// Assembles timeout cancellation (F5): the payment-deadline consumer and the backstop scan, sharing the
// cancel use case. Started and stopped together (stop: each finishes the batch / pass in hand).
import { ReleaseReason } from '../../../gen/shop/v1/common';
import type { Clock } from '../../../platform/clock';
import type { Config } from '../../../platform/config';
import type { Logger } from '../../../platform/logger';
import type { MqProducer } from '../../../platform/mq';
import { cancelOrder, type CancelOrderDeps } from '../cancel-order';
import type { OrderRepo } from '../order-repo';
import { createCleanupScan, TIMEOUT_CANCEL_REASON, type CleanupReport } from './cleanup-scan';
import type { DlqSource } from './dlq-letters';
import type { FailureNotes } from './dlq-failure-notes';
import type { DeadLetterRepo } from './dlq-repo';
import type { BackoffPolicy } from '../../../platform/mq/backoff';
import { keepConsuming } from './order-consumers';
import { createTimeoutConsumer, type TimeoutConsumerOptions } from './timeout-consumer';
import { ORDER_TIMEOUT_GROUP, ORDER_TIMEOUT_TOPIC, schedulePaymentDeadline } from './timeout-schedule';

export interface TimeoutWorkersDeps {
  readonly mq: TimeoutConsumerOptions;
  readonly repo: Pick<OrderRepo, 'getHeader' | 'findExpiredUnpaid'>;
  readonly cancel: CancelOrderDeps;
  /** Started producer whose topics include the timeout topic (re-scheduling far deadlines). */
  readonly producer: Pick<MqProducer, 'send'>;
  readonly deadLetters: Pick<DeadLetterRepo, 'store'>;
  readonly notes: FailureNotes;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: Pick<Config['order'], 'timeoutScanIntervalMs' | 'timeoutScanBatch'>;
  /** The scan re-drives releases of orders cancelled this long ago (ORDER_RELEASE_REDRIVE_AFTER_MS); default 0 = any. */
  readonly releaseRedriveAfterMs?: number;
  /** Default order-timeout / GID_order_timeout; tests use their own. */
  readonly source?: DlqSource;
  readonly retryBackoff?: BackoffPolicy;
  /**
   * true (the service): start() returns at once and the consumer keeps trying to start while the broker
   * is away. false (default, tests): start() waits for the consumer and fails if it cannot start.
   */
  readonly startInBackground?: boolean;
}

export interface TimeoutWorkers {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** One backstop pass now. */
  scanOnce(): Promise<CleanupReport>;
}

export function createTimeoutWorkers(deps: TimeoutWorkersDeps): TimeoutWorkers {
  const source = deps.source ?? { group: ORDER_TIMEOUT_GROUP, topic: ORDER_TIMEOUT_TOPIC, kind: 'DELAY' as const };
  const logger = deps.logger.child({ component: 'timeout-cancel' });
  const make = () => createTimeoutConsumer(deps.mq, {
    source,
    getOrder: id => deps.repo.getHeader(id),
    cancel: id => cancelOrder(deps.cancel, id, { reason: TIMEOUT_CANCEL_REASON, releaseReason: ReleaseReason.RELEASE_REASON_PAYMENT_TIMEOUT }),
    reschedule: target => schedulePaymentDeadline(deps.producer, target, { topic: source.topic, now: deps.clock.now() }),
    notes: deps.notes,
    deadLetters: deps.deadLetters,
    clock: deps.clock,
    logger,
    ...(deps.retryBackoff ? { retryBackoff: deps.retryBackoff } : {}),
  });
  const scan = createCleanupScan({
    repo: deps.repo,
    cancel: deps.cancel,
    clock: deps.clock,
    logger: logger.child({ loop: 'scan' }),
    intervalMs: deps.settings.timeoutScanIntervalMs,
    batch: deps.settings.timeoutScanBatch,
    releaseRedriveAfterMs: deps.releaseRedriveAfterMs ?? 0,
  });
  let consumer: { stop(): Promise<void> } | undefined;
  return {
    async start() {
      if (deps.startInBackground) {
        consumer = keepConsuming(make, logger, source.group);
      } else {
        const c = make();
        consumer = c;
        await c.start();
      }
      scan.start();
    },
    async stop() {
      await Promise.all([consumer?.stop(), scan.stop()]);
    },
    scanOnce: () => scan.pass(),
  };
}
