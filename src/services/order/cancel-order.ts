// The one cancellation use case, shared by CancelOrder (buyer), the timeout-cancel consumer and the
// backstop scan:  transition PENDING_PAYMENT → CANCELLED (the table refuses it from PAYING/PAID/…)
// → InventoryService.Release (idempotent per order id) → stock_released_at → CANCELLED event.
// The commit of the transition is the decision; everything after it is idempotent and re-drivable:
// if the process dies (or Release fails) after the commit, stock_released_at stays NULL and
// `redriveReleases` (run by the scan) finishes the job. The Redis result key is written by the
// repo's onCommitted listener, so buyers see CANCELLED as soon as it commits.
import { OrderStatus, ReleaseReason } from '../../gen/shop/v1/common';
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import type { InventoryReleaser } from './clients/inventory-releaser';
import type { OrderRepo } from './order-repo';
import type { OrderStatusName } from './state-machine';
import type { StatusEventInput } from './status-event';
import type { OrderHeader } from './types';

export interface CancelOrderDeps {
  readonly repo: OrderRepo;
  readonly inventory: InventoryReleaser;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Publishes the CANCELLED event (order-status topic); omitted = no event. Failures are logged only. */
  readonly publish?: (event: StatusEventInput) => Promise<unknown>;
}

export interface CancelRequest {
  /** Recorded as failure_reason and in the history. */
  readonly reason: string;
  /** Why the stock goes back (stock log). */
  readonly releaseReason: ReleaseReason;
}

export type CancelResult =
  /** This call cancelled it. `released` = stock confirmed back on sale (false → re-driven later). */
  | { readonly kind: 'cancelled'; readonly order: OrderHeader; readonly released: boolean }
  /** It was CANCELLED before; the release is re-driven if it never completed. */
  | { readonly kind: 'already-cancelled'; readonly order: OrderHeader; readonly released: boolean }
  /** Not cancellable: paid, being paid (PAYING), shipped… `current` says which. */
  | { readonly kind: 'refused'; readonly current: OrderStatusName; readonly order: OrderHeader }
  | { readonly kind: 'not-found' };

export async function cancelOrder(deps: CancelOrderDeps, orderId: string, req: CancelRequest): Promise<CancelResult> {
  const r = await deps.repo.transition(orderId, 'CANCELLED', { reason: req.reason });
  if (r.kind === 'not-found') return r;
  if (r.kind === 'refused') {
    if (r.current !== 'CANCELLED') return { kind: 'refused', current: r.current, order: r.order };
    const released = r.order.stockReleasedAt !== null || (await completeCancellation(deps, r.order, req.releaseReason, { publish: false }));
    return { kind: 'already-cancelled', order: r.order, released };
  }
  const released = await completeCancellation(deps, r.order, req.releaseReason);
  return { kind: 'cancelled', order: r.order, released };
}

/**
 * What follows a committed CANCELLED transition: release the stock, record it, announce it.
 * For callers that transitioned themselves (the scan, inside its SKIP LOCKED transaction) and for
 * re-drives. Never throws; false when the release did not complete (it stays due).
 */
export async function completeCancellation(
  deps: CancelOrderDeps,
  order: OrderHeader,
  releaseReason: ReleaseReason,
  opts: { publish?: boolean } = {},
): Promise<boolean> {
  const log = deps.logger.child({ orderId: order.orderId });
  let released = false;
  try {
    const outcome = await deps.inventory.release(order.orderId, releaseReason, order.failureReason ?? '');
    await deps.repo.markStockReleased(order.orderId, new Date(deps.clock.now()));
    released = true;
    log.info({ outcome }, 'cancelled order: stock released');
  } catch (err) {
    log.warn({ reason: err instanceof Error ? err.message : String(err) }, 'cancelled order: stock release failed, will be re-driven');
  }
  if (opts.publish !== false && deps.publish) {
    try {
      await deps.publish({
        orderId: order.orderId,
        userId: order.userId,
        from: OrderStatus.ORDER_STATUS_PENDING_PAYMENT,
        to: OrderStatus.ORDER_STATUS_CANCELLED,
        reason: order.failureReason ?? '',
        at: order.updatedAt,
      });
    } catch (err) {
      log.warn({ reason: err instanceof Error ? err.message : String(err) }, 'CANCELLED event not published');
    }
  }
  return released;
}

/** Re-drives releases of CANCELLED orders whose stock_released_at is still NULL (crash/outage after commit). */
export async function redriveReleases(deps: CancelOrderDeps, limit: number): Promise<number> {
  const due = await deps.repo.findCancelledUnreleased(limit);
  let done = 0;
  for (const order of due) {
    if (await completeCancellation(deps, order, releaseReasonOf(order), { publish: false })) done++;
  }
  return done;
}

/** Best guess of why a re-driven order was cancelled, from its recorded reason (stock log detail only). */
function releaseReasonOf(order: OrderHeader): ReleaseReason {
  return /timeout|deadline|expired/i.test(order.failureReason ?? '') ? ReleaseReason.RELEASE_REASON_PAYMENT_TIMEOUT : ReleaseReason.RELEASE_REASON_USER_CANCELLED;
}
