// Backstop of the payment-deadline timers (F5): periodically cancels PENDING_PAYMENT orders past their
// deadline whose timer was lost, through the same transactional cancel as every other path (half
// message → guarded UPDATE → commit), and re-drives stock releases whose release message was
// dead-lettered (CANCELLED, still unreleased ORDER_RELEASE_REDRIVE_AFTER_MS after the cancel).
// Replicas may both pick an expired row: the guarded UPDATE lets exactly one cancel apply and the
// other's half message is rolled back. Unlike seckill.md §1.11 b, nothing is restocked before the
// guarded transition has committed: a payment that got there first simply makes the row not match.
import { ReleaseReason } from '../../../gen/shop/v1/common';
import type { Clock } from '../../../platform/clock';
import type { Logger } from '../../../platform/logger';
import { createPeriodicLoop, type PeriodicLoop } from '../../../platform/periodic-loop';
import { cancelOrder, redriveReleases, type CancelOrderDeps } from '../cancel-order';
import type { OrderRepo } from '../order-repo';

export const TIMEOUT_CANCEL_REASON = 'payment window expired';

export interface CleanupScanDeps {
  readonly repo: Pick<OrderRepo, 'findExpiredUnpaid'>;
  readonly cancel: CancelOrderDeps;
  /** Re-drive releases of orders cancelled at least this long ago (0 = any unreleased one). */
  readonly releaseRedriveAfterMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly intervalMs: number;
  readonly batch: number;
}

export interface CleanupReport {
  readonly cancelled: number;
  readonly released: number;
  readonly redriven: number;
}

/** One pass: cancel a batch of expired unpaid orders, then finish releases whose message gave up. */
export async function cleanupPass(deps: Omit<CleanupScanDeps, 'intervalMs'>): Promise<CleanupReport> {
  const now = new Date(deps.clock.now());
  const expired = await deps.repo.findExpiredUnpaid(now, deps.batch);
  let cancelled = 0;
  let released = 0;
  for (const order of expired) {
    try {
      const r = await cancelOrder(deps.cancel, order.orderId, { reason: TIMEOUT_CANCEL_REASON, releaseReason: ReleaseReason.RELEASE_REASON_PAYMENT_TIMEOUT });
      if (r.kind === 'cancelled') {
        cancelled++;
        if (r.released) released++;
      }
    } catch (err) {
      deps.logger.warn({ orderId: order.orderId, reason: err instanceof Error ? err.message : String(err) }, 'backstop cancel failed; next pass');
    }
  }
  const redriven = await redriveReleases(deps.cancel, deps.batch, deps.releaseRedriveAfterMs);
  if (cancelled > 0) deps.logger.warn({ cancelled, released }, 'backstop scan cancelled expired unpaid orders (lost timers)');
  if (redriven > 0) deps.logger.warn({ redriven }, 'stock releases of cancelled orders re-driven (release messages dead-lettered)');
  return { cancelled, released, redriven };
}

export function createCleanupScan(deps: CleanupScanDeps): PeriodicLoop & { pass(): Promise<CleanupReport> } {
  let last: CleanupReport = { cancelled: 0, released: 0, redriven: 0 };
  const loop = createPeriodicLoop(
    async () => {
      last = await cleanupPass(deps);
      return last.cancelled >= deps.batch;
    },
    { name: 'timeout-cleanup', intervalMs: deps.intervalMs, clock: deps.clock, logger: deps.logger },
  );
  return {
    ...loop,
    async pass() {
      await loop.runOnce();
      return last;
    },
  };
}
