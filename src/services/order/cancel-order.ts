// The one cancellation use case, shared by CancelOrder (buyer), the timeout-cancel consumer and the
// backstop scan. The forward-only transition PENDING_PAYMENT → CANCELLED and the message "give back
// this order's stock" (OrderCancelled on the TRANSACTION topic order-tx) happen together or not at all:
//   1. half message (invisible to consumers);
//   2. local transaction: the guarded UPDATE (refused from PAYING/PAID/…);
//   3. commit the half message if the UPDATE applied, else roll it back.
// A process that dies between 2 and 3 leaves the half message to the broker's check-back, which the
// order row answers (cancel-check.ts). The release consumer (workers/release-consumer.ts) then gives
// the stock back (Release is idempotent per order id), records stock_released_at and announces
// CANCELLED. After a commit this call also releases inline — only so the buyer's stock and per-user
// limit are back before CancelOrder answers; the consumer skips an order already recorded as released.
import { OrderStatus, ReleaseReason } from '../../gen/shop/v1/common';
import type { Clock } from '../../platform/clock';
import { AbortedError, UnavailableError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import type { MqProducer } from '../../platform/mq';
import { cancelMessage, type CancelMessageTarget } from './cancel-message';
import type { ChargeLookup } from './clients/charge-lookup';
import type { InventoryReleaser } from './clients/inventory-releaser';
import type { OrderRepo } from './order-repo';
import { settleIfCharged } from './settle-charged';
import type { OrderStatusName } from './state-machine';
import type { StatusEventInput } from './status-event';
import type { OrderHeader, TransitionResult } from './types';

/** Where cancellations are sent as transactional messages. */
export interface CancelTransactions extends CancelMessageTarget {
  /** A started producer listing `topic`, whose checker is createCancelChecker. */
  readonly producer: Pick<MqProducer, 'sendInTransaction'>;
  /** ORDER_TX_LOCAL_BUDGET_MS: the UPDATE is not started when the half message is older (see cancel-check.ts). */
  readonly localBudgetMs: number;
}

/** Test seams around the local transaction (a child process kills itself there). Never set in production. */
export interface CancelHooks {
  /** After the half message was stored, before the local transaction starts. */
  beforeLocalTransaction?(orderId: string): Promise<void> | void;
  /** After the CANCELLED transition committed, before the half message is committed. */
  afterLocalCommit?(orderId: string): Promise<void> | void;
}

export interface CancelOrderDeps {
  readonly repo: OrderRepo;
  readonly inventory: InventoryReleaser;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly tx: CancelTransactions;
  /** Publishes the CANCELLED event (order-status topic) from the release consumer; omitted = no event. */
  readonly publish?: (event: StatusEventInput) => Promise<unknown>;
  readonly hooks?: CancelHooks;
  /** Charges by order id: an unpaid order found charged (its PAID event was lost) is settled PAID, not cancelled. */
  readonly charges?: ChargeLookup;
}

export interface CancelRequest {
  /** Recorded as failure_reason and in the history. */
  readonly reason: string;
  /** Why the stock goes back (stock log). */
  readonly releaseReason: ReleaseReason;
}

export type CancelResult =
  /** This call cancelled it. `released` = stock confirmed back on sale (false → the release consumer does it). */
  | { readonly kind: 'cancelled'; readonly order: OrderHeader; readonly released: boolean }
  /** It was CANCELLED before; its release is (or was) done by the release consumer. */
  | { readonly kind: 'already-cancelled'; readonly order: OrderHeader; readonly released: boolean }
  /** Not cancellable: paid, being paid (PAYING), shipped… `current` says which. */
  | { readonly kind: 'refused'; readonly current: OrderStatusName; readonly order: OrderHeader }
  | { readonly kind: 'not-found' };

function settled(order: OrderHeader): CancelResult {
  return order.status === 'CANCELLED'
    ? { kind: 'already-cancelled', order, released: order.stockReleasedAt !== null }
    : { kind: 'refused', current: order.status, order };
}

const OVER_BUDGET = { kind: 'over-budget' } as const;

export async function cancelOrder(deps: CancelOrderDeps, orderId: string, req: CancelRequest): Promise<CancelResult> {
  // Most refusals are decided without a half message; the guarded UPDATE still decides any race.
  const current = await deps.repo.getHeader(orderId);
  if (current === undefined) return { kind: 'not-found' };
  if (current.status !== 'PENDING_PAYMENT') return settled(current);
  const charged = await settleIfCharged(deps, orderId);
  if (charged.kind === 'paid') return settled(charged.order);

  const startedAt = deps.clock.now();
  const message = cancelMessage(deps.tx, { orderId, releaseReason: req.releaseReason, reason: req.reason, requestedAt: new Date(startedAt) });
  let local: TransitionResult | typeof OVER_BUDGET | undefined;
  try {
    await deps.tx.producer.sendInTransaction(message, async () => {
      await deps.hooks?.beforeLocalTransaction?.(orderId);
      local = await deps.repo.transaction(async tx => {
        // Checked with the connection in hand, right before the UPDATE takes the row lock.
        if (deps.clock.now() - startedAt > deps.tx.localBudgetMs) return OVER_BUDGET;
        return tx.transition(orderId, 'CANCELLED', { reason: req.reason });
      });
      if (local.kind !== 'applied') return false;
      await deps.hooks?.afterLocalCommit?.(orderId);
      return true;
    });
  } catch (err) {
    // No half message (broker away): nothing changed. Local transaction failed: the check-back decides.
    if (local === undefined) throw new UnavailableError('cancellation not applied: the message broker or the database is unreachable; retry', { cause: err });
    throw err;
  }
  if (local === undefined || local.kind === 'over-budget') throw new AbortedError(`cancelling order ${orderId} took too long; retry`);
  if (local.kind === 'not-found') return local;
  if (local.kind === 'refused') return settled(local.order);
  const released = await releaseStock(deps, local.order, req.releaseReason);
  return { kind: 'cancelled', order: local.order, released };
}

/**
 * Gives the stock of a CANCELLED order back and records it (both idempotent). Throws when the release
 * did not complete; true when this call recorded it (false: someone else did meanwhile).
 */
export async function releaseAndRecord(deps: Pick<CancelOrderDeps, 'inventory' | 'repo' | 'clock' | 'logger'>, order: OrderHeader, releaseReason: ReleaseReason): Promise<boolean> {
  const outcome = await deps.inventory.release(order.orderId, releaseReason, order.failureReason ?? '');
  const recorded = await deps.repo.markStockReleased(order.orderId, new Date(deps.clock.now()));
  deps.logger.info({ orderId: order.orderId, outcome }, 'cancelled order: stock released');
  return recorded;
}

/** releaseAndRecord that never throws: false when the release did not complete (the consumer / backstop finishes it). */
export async function releaseStock(deps: Pick<CancelOrderDeps, 'inventory' | 'repo' | 'clock' | 'logger'>, order: OrderHeader, releaseReason: ReleaseReason): Promise<boolean> {
  try {
    await releaseAndRecord(deps, order, releaseReason);
    return true;
  } catch (err) {
    deps.logger.warn({ orderId: order.orderId, reason: err instanceof Error ? err.message : String(err) }, 'cancelled order: stock release failed, left to the release consumer');
    return false;
  }
}

/** The CANCELLED announcement on the order-status topic. */
export function cancelledEvent(order: OrderHeader): StatusEventInput {
  return {
    orderId: order.orderId,
    userId: order.userId,
    from: OrderStatus.ORDER_STATUS_PENDING_PAYMENT,
    to: OrderStatus.ORDER_STATUS_CANCELLED,
    reason: order.failureReason ?? '',
    at: order.updatedAt,
  };
}

/**
 * Backstop for release messages that were dead-lettered (the consumer gave up, e.g. inventory down for
 * longer than the group's retries): releases of CANCELLED orders still unrecorded after `olderThanMs`.
 */
export async function redriveReleases(deps: CancelOrderDeps, limit: number, olderThanMs: number): Promise<number> {
  const due = await deps.repo.findCancelledUnreleased(limit, new Date(deps.clock.now() - olderThanMs));
  let done = 0;
  for (const order of due) {
    if (await releaseStock(deps, order, releaseReasonOf(order))) done++;
  }
  return done;
}

/** Best guess of why a re-driven order was cancelled, from its recorded reason (stock log detail only). */
function releaseReasonOf(order: OrderHeader): ReleaseReason {
  return /timeout|deadline|expired|window/i.test(order.failureReason ?? '') ? ReleaseReason.RELEASE_REASON_PAYMENT_TIMEOUT : ReleaseReason.RELEASE_REASON_USER_CANCELLED;
}
