// Consumer of the payment-deadline timers (GID_order_timeout on order-timeout). For each timer: still
// unpaid and due → the shared cancel use case (forward-only transition → Release → CANCELLED event);
// anything else is settled, re-timed or retried. Every step is idempotent, so a redelivery, a second
// replica or the backstop scan acting on the same order are all harmless.
import { PaymentDeadline } from '../../../gen/shop/v1/events';
import type { Clock } from '../../../platform/clock';
import type { Logger } from '../../../platform/logger';
import {
  ack, createMqConsumer, retryLater, type MqConsumer, type MqMessage, type MqMetricsHook, type MqOutcome,
} from '../../../platform/mq';
import { backoffDelay, type BackoffPolicy } from '../../../platform/mq/backoff';
import type { CancelResult } from '../cancel-order';
import type { OrderHeader } from '../types';
import { deadLetterFromMessage, type DlqSource } from './dlq-letters';
import type { FailureNotes } from './dlq-failure-notes';
import type { DeadLetterRepo } from './dlq-repo';
import { decideDeadline } from './timeout-decision';
import type { DeadlineTarget } from './timeout-schedule';

/** Deadlines this close are waited for by redelivery; farther ones get a fresh timer message. */
export const REDELIVER_WITHIN_MS = 15_000;

export interface TimeoutHandlerDeps {
  /** Where this consumer reads from (its dead letters are stored under this group). */
  readonly source: DlqSource;
  readonly getOrder: (orderId: string) => Promise<OrderHeader | undefined>;
  /** The shared cancel use case, bound to the timeout reason. */
  readonly cancel: (orderId: string) => Promise<CancelResult>;
  /** Publishes a fresh timer (schedulePaymentDeadline on the same topic). */
  readonly reschedule: (target: DeadlineTarget) => Promise<unknown>;
  readonly notes: FailureNotes;
  /** Malformed timers are stored here right away (no retry can fix them). */
  readonly deadLetters: Pick<DeadLetterRepo, 'store'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Retry delays for a missing row or a failing database, by delivery attempt. */
  readonly retryBackoff?: BackoffPolicy;
}

export const DEFAULT_TIMEOUT_RETRY: BackoffPolicy = Object.freeze({ initialMs: 2_000, maxMs: 300_000, jitter: 0.2 });

function decode(msg: MqMessage): { orderId: string; expiresAt: Date | undefined } | string {
  let d: PaymentDeadline;
  try {
    d = PaymentDeadline.decode(msg.body);
  } catch (err) {
    return `malformed PaymentDeadline body: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (d.orderId === '') return 'PaymentDeadline without order_id';
  return { orderId: d.orderId, expiresAt: d.expiresAt };
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function createTimeoutHandler(deps: TimeoutHandlerDeps): (batch: readonly MqMessage[]) => Promise<readonly MqOutcome[]> {
  const { clock, logger, notes, source } = deps;
  const policy = deps.retryBackoff ?? DEFAULT_TIMEOUT_RETRY;

  const retry = async (msg: MqMessage, reason: string, delayMs?: number): Promise<MqOutcome> => {
    await notes.record(source.group, msg.messageId, reason, msg.deliveryAttempt);
    return retryLater(delayMs ?? backoffDelay(policy, msg.deliveryAttempt));
  };

  async function handle(msg: MqMessage): Promise<MqOutcome> {
    const decoded = decode(msg);
    if (typeof decoded === 'string') {
      const letter = deadLetterFromMessage(source, msg, decoded, new Date(clock.now()));
      try {
        await deps.deadLetters.store([letter]);
        logger.warn({ messageId: msg.messageId, reason: decoded }, 'malformed payment-deadline timer dead-lettered');
        return ack;
      } catch (err) {
        return retry(msg, `${decoded}; storing the dead letter failed: ${message(err)}`);
      }
    }
    const { orderId } = decoded;
    const log = logger.child({ orderId });
    try {
      const order = await deps.getOrder(orderId);
      const decision = decideDeadline(order, clock.now());
      switch (decision.kind) {
        case 'settled':
          return ack;
        case 'missing':
          return retry(msg, `order ${orderId} not found (no row yet?)`);
        case 'paying':
          return retry(msg, 'payment in progress (PAYING)', decision.inMs);
        case 'not-due':
          if (decision.inMs <= REDELIVER_WITHIN_MS) return retryLater(decision.inMs + 100);
          await deps.reschedule({ orderId, expiresAt: (order as OrderHeader).expiresAt });
          return ack;
        case 'cancel':
          break;
      }
      const result = await deps.cancel(orderId);
      switch (result.kind) {
        case 'cancelled':
          log.info({ released: result.released }, 'payment window expired: order cancelled');
          return ack;
        case 'already-cancelled':
          return ack;
        case 'refused':
          // Lost the race to PayOrder (PAYING) or a PAID event: exactly one outcome, and it was not ours.
          if (result.current === 'PAYING') {
            const again = decideDeadline(result.order, clock.now());
            return retry(msg, 'payment in progress (PAYING)', again.kind === 'paying' ? again.inMs : undefined);
          }
          log.info({ current: result.current }, 'payment deadline: order already settled');
          return ack;
        case 'not-found':
          return retry(msg, `order ${orderId} not found`);
      }
    } catch (err) {
      log.warn({ reason: message(err) }, 'payment-deadline handling failed; retrying');
      return retry(msg, message(err));
    }
  }

  return batch => Promise.all(batch.map(handle));
}

export interface TimeoutConsumerOptions {
  readonly endpoints: string;
  readonly namespace: string;
  readonly startupTimeoutMs: number;
  readonly batchSize?: number;
  readonly awaitMs?: number;
  readonly metrics?: MqMetricsHook;
}

export function createTimeoutConsumer(mq: TimeoutConsumerOptions, deps: TimeoutHandlerDeps): MqConsumer {
  return createMqConsumer({
    endpoints: mq.endpoints,
    namespace: mq.namespace,
    startupTimeoutMs: mq.startupTimeoutMs,
    group: deps.source.group,
    topic: deps.source.topic,
    batchSize: mq.batchSize ?? 16,
    // Covers a batch of cancels (each one UPDATE + one Release call) with a wide margin.
    invisibleMs: 60_000,
    awaitMs: mq.awaitMs ?? 2_000,
    logger: deps.logger,
    handler: createTimeoutHandler(deps),
    ...(mq.metrics ? { metrics: mq.metrics } : {}),
  });
}
