// Status consumer (F4): order-status (FIFO, message group = order id) → `transitionOrKeep`.
// - applied → ack (the result key follows from the repo's onCommitted listener);
// - no row yet → kept in order_status_pending, applied when the row is inserted → ack (never lost);
// - refused by the table → logged + counted, never applied → ack (a redelivery of an applied event is
//   "refused, already there" and counted apart);
// - undecodable / not a transition target → dead_letters right away → ack;
// - a database error → retryLater; later messages of the same order in the batch wait too (FIFO).
import { ack, retryLater, type MqBatchHandler, type MqMessage, type MqOutcome } from '../../../platform/mq';
import type { OrderRepo } from '../order-repo';
import { decodeStatusEvent, InvalidStatusEventError } from '../status-event';
import { failureMessage, type OrderHandlerDeps } from './handler-deps';

export interface StatusStats {
  applied: number;
  kept: number;
  alreadyThere: number;
  refused: number;
  deadLettered: number;
  retried: number;
}

export interface StatusHandlerDeps extends OrderHandlerDeps {
  readonly repo: Pick<OrderRepo, 'transitionOrKeep'>;
  /** Called for each refused transition (metrics). */
  readonly onRefused?: (from: string, to: string) => void;
}

export function createStatusHandler(deps: StatusHandlerDeps): MqBatchHandler & { stats(): StatusStats } {
  const log = deps.logger.child({ worker: 'order-status', group: deps.group });
  const stats: StatusStats = { applied: 0, kept: 0, alreadyThere: 0, refused: 0, deadLettered: 0, retried: 0 };

  async function one(msg: MqMessage): Promise<MqOutcome> {
    let event;
    try {
      event = decodeStatusEvent(msg.body);
    } catch (err) {
      if (!(err instanceof InvalidStatusEventError)) throw err;
      await deps.deadLetters.store([{
        topic: deps.topic,
        consumerGroup: deps.group,
        messageId: msg.messageId,
        msgKey: (msg.keys[0] ?? '').slice(0, 255),
        body: msg.body,
        properties: Object.fromEntries(msg.properties),
        reason: `invalid status event: ${err.message}`.slice(0, 1024),
        attempts: msg.deliveryAttempt,
        createdAt: new Date(deps.clock.now()),
      }]);
      stats.deadLettered++;
      log.error({ messageId: msg.messageId, reason: err.message }, 'status event dead-lettered (permanent)');
      return ack;
    }
    const received = { orderId: event.orderId, to: event.to, payload: msg.body, receivedAt: new Date(deps.clock.now()) };
    const r = await deps.repo.transitionOrKeep(received, event.options);
    switch (r.kind) {
      case 'applied':
        stats.applied++;
        break;
      case 'kept':
        stats.kept++;
        log.info({ orderId: event.orderId, to: event.to }, 'status event before its order row: kept until the row exists');
        break;
      case 'refused':
        if (r.current === event.to) {
          stats.alreadyThere++;
          break;
        }
        stats.refused++;
        deps.onRefused?.(r.current, event.to);
        // PAID refused by CANCELLED means money was taken for a cancelled order: the publisher must refund.
        (event.to === 'PAID' ? log.error.bind(log) : log.warn.bind(log))(
          { orderId: event.orderId, current: r.current, to: event.to, transactionId: event.options.transactionId },
          'status event refused by the state machine',
        );
        break;
      case 'not-found':
        break; // transitionOrKeep never answers this
    }
    return ack;
  }

  const handler = async (batch: readonly MqMessage[]): Promise<readonly MqOutcome[]> => {
    const outcomes: MqOutcome[] = [];
    const held = new Set<string>();
    for (const msg of batch) {
      const group = msg.messageGroup ?? msg.keys[0] ?? msg.messageId;
      if (held.has(group)) {
        outcomes.push(retryLater(deps.retryDelayMs));
        continue;
      }
      try {
        outcomes.push(await one(msg));
      } catch (err) {
        stats.retried++;
        held.add(group);
        const reason = failureMessage(err);
        log.error({ messageId: msg.messageId, attempt: msg.deliveryAttempt, reason }, 'status event failed; will be redelivered');
        await deps.notes?.record(deps.group, msg.messageId, reason, msg.deliveryAttempt);
        outcomes.push(retryLater(deps.retryDelayMs));
      }
    }
    return outcomes;
  };
  return Object.assign(handler, { stats: () => ({ ...stats }) });
}
