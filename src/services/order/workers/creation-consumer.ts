// Creation consumer (F3): order-created messages (OrderCreated protobuf, key = order id) → orders +
// order_items, in batches of up to ORDER_CONSUMER_BATCH, ONE multi-row insert in ONE transaction.
//
// Fates, per message:
// - inserted, or already there (a redelivery: the id has a row) → ack. Never two rows: order_id is the PK
//   and a duplicate is a no-op insert.
// - a batch whose transaction fails is split in halves, down to single rows, so one bad row cannot hold
//   back its 99 neighbours; a single row that still fails is answered retryLater (transient: MySQL down,
//   lock wait) and, when the broker's attempts run out, lands in %DLQ%<group> where the DLQ worker stores
//   it with the last reason (left in the failure notes).
// - permanent failures (undecodable body, a draft that can never be a valid order) are not retried: the
//   same bytes would fail the same way 17 times. They are stored in dead_letters right here and acked,
//   the buyer's result becomes FAIL, and the stock is released (when a releaser is wired).
// Ack happens only after the commit; the buyer's result key is written by the repo's onCommitted listener.
import { ReleaseReason } from '../../../gen/shop/v1/common';
import { ack, retryLater, type MqBatchHandler, type MqMessage, type MqOutcome } from '../../../platform/mq';
import type { InventoryReleaser } from '../clients/inventory-releaser';
import { decodeOrderCreatedBody, InvalidOrderMessageError, orderFromDraft } from '../draft';
import type { OrderRepo } from '../order-repo';
import type { ResultStore } from '../result-store';
import type { NewOrder } from '../types';
import { failureMessage, type OrderHandlerDeps } from './handler-deps';

export interface CreationStats {
  inserted: number;
  duplicates: number;
  deadLettered: number;
  retried: number;
  splits: number;
  pendingApplied: number;
  pendingRefused: number;
}

export interface CreationHandlerDeps extends OrderHandlerDeps {
  readonly repo: Pick<OrderRepo, 'insertBatch'>;
  readonly results?: Pick<ResultStore, 'markFailed'>;
  /** Gives the stock of a permanently invalid order back. */
  readonly inventory?: InventoryReleaser;
  /** Tests: called after each committed insert with the ids it covered (crash there). */
  readonly afterCommit?: (orderIds: readonly string[]) => void | Promise<void>;
}

type Decoded = { msg: MqMessage; index: number; order: NewOrder } | { msg: MqMessage; index: number; invalid: InvalidOrderMessageError; orderId: string; userId: string };

export function createCreationHandler(deps: CreationHandlerDeps): MqBatchHandler & { stats(): CreationStats } {
  const log = deps.logger.child({ worker: 'order-creation', group: deps.group });
  const stats: CreationStats = { inserted: 0, duplicates: 0, deadLettered: 0, retried: 0, splits: 0, pendingApplied: 0, pendingRefused: 0 };

  function decode(msg: MqMessage, index: number): Decoded {
    let orderId = msg.keys[0] ?? '';
    let userId = '';
    try {
      const created = decodeOrderCreatedBody(msg.body);
      orderId = created.order?.orderId || orderId;
      userId = created.order?.userId ?? '';
      return { msg, index, order: orderFromDraft(created.order, created.reservedAt) };
    } catch (err) {
      if (err instanceof InvalidOrderMessageError) return { msg, index, invalid: err, orderId, userId };
      throw err;
    }
  }

  /** Inserts `items` in one transaction, halving on failure. Fills `outcomes` for every item. */
  async function insert(items: Array<{ msg: MqMessage; index: number; order: NewOrder }>, outcomes: MqOutcome[]): Promise<void> {
    try {
      const r = await deps.repo.insertBatch(items.map(i => i.order));
      stats.inserted += r.inserted.length;
      stats.duplicates += r.duplicates.length;
      stats.pendingApplied += r.pendingApplied.length;
      stats.pendingRefused += r.pendingRefused.length;
      for (const refused of r.pendingRefused) {
        log.warn({ orderId: refused.orderId, to: refused.to, current: refused.current }, 'early status event refused by the state machine');
      }
      await deps.afterCommit?.(items.map(i => i.order.orderId));
      for (const i of items) outcomes[i.index] = ack;
    } catch (err) {
      if (items.length > 1) {
        stats.splits++;
        const half = Math.ceil(items.length / 2);
        log.warn({ size: items.length, reason: failureMessage(err) }, 'order batch failed; splitting');
        await insert(items.slice(0, half), outcomes);
        await insert(items.slice(half), outcomes);
        return;
      }
      const [one] = items as [{ msg: MqMessage; index: number; order: NewOrder }];
      stats.retried++;
      const reason = failureMessage(err);
      log.error({ orderId: one.order.orderId, attempt: one.msg.deliveryAttempt, reason }, 'order insert failed; will be redelivered');
      await deps.notes?.record(deps.group, one.msg.messageId, reason, one.msg.deliveryAttempt);
      outcomes[one.index] = retryLater(deps.retryDelayMs);
    }
  }

  async function deadLetter(d: Extract<Decoded, { invalid: InvalidOrderMessageError }>, outcomes: MqOutcome[]): Promise<void> {
    const reason = `invalid order message: ${d.invalid.message}`;
    try {
      await deps.deadLetters.store([
        {
          topic: deps.topic,
          consumerGroup: deps.group,
          messageId: d.msg.messageId,
          msgKey: (d.msg.keys[0] ?? d.orderId).slice(0, 255),
          body: d.msg.body,
          properties: Object.fromEntries(d.msg.properties),
          reason: reason.slice(0, 1024),
          attempts: d.msg.deliveryAttempt,
          createdAt: new Date(deps.clock.now()),
        },
      ]);
    } catch (err) {
      log.error({ messageId: d.msg.messageId, reason: failureMessage(err) }, 'could not store a dead letter; will retry');
      outcomes[d.index] = retryLater(deps.retryDelayMs);
      return;
    }
    stats.deadLettered++;
    log.error({ messageId: d.msg.messageId, orderId: d.orderId, reason }, 'order message dead-lettered (permanent)');
    outcomes[d.index] = ack;
    if (d.orderId === '') return;
    // Best effort: the letter is stored; an operator can still release by hand.
    await deps.results?.markFailed(d.orderId, d.userId, d.invalid.message).catch(err => log.warn({ reason: failureMessage(err) }, 'FAIL result not written'));
    await deps.inventory?.release(d.orderId, ReleaseReason.RELEASE_REASON_CHECKOUT_FAILED, reason)
      .catch(err => log.warn({ orderId: d.orderId, reason: failureMessage(err) }, 'stock of an invalid order not released'));
  }

  const handler = async (batch: readonly MqMessage[]): Promise<readonly MqOutcome[]> => {
    const outcomes: MqOutcome[] = batch.map(() => retryLater(deps.retryDelayMs));
    const decoded = batch.map(decode);
    const valid = decoded.filter((d): d is Extract<Decoded, { order: NewOrder }> => 'order' in d);
    if (valid.length > 0) await insert(valid, outcomes);
    for (const d of decoded) if ('invalid' in d) await deadLetter(d, outcomes);
    return outcomes;
  };
  return Object.assign(handler, { stats: () => ({ ...stats }) });
}
