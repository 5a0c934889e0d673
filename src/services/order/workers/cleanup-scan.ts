// Backstop of the payment-deadline timers (F5): periodically cancels PENDING_PAYMENT orders past their
// deadline whose timer was lost, and re-drives stock releases that did not complete after a cancel.
// The expired rows are claimed with FOR UPDATE SKIP LOCKED and cancelled inside that transaction, so two
// replicas split the work instead of racing; Release and the CANCELLED event follow the commit (as in
// every cancel) and are idempotent. Unlike seckill.md §1.11 b, nothing is restocked before the
// guarded transition has committed: a payment that got there first simply makes the row not match.
import { ReleaseReason } from '../../../gen/shop/v1/common';
import type { Clock } from '../../../platform/clock';
import type { Logger } from '../../../platform/logger';
import { createPeriodicLoop, type PeriodicLoop } from '../../../platform/periodic-loop';
import { completeCancellation, redriveReleases, type CancelOrderDeps } from '../cancel-order';
import type { OrderRepo } from '../order-repo';
import type { OrderHeader } from '../types';

export const TIMEOUT_CANCEL_REASON = 'payment window expired';

export interface CleanupScanDeps {
  readonly repo: Pick<OrderRepo, 'transaction'>;
  readonly cancel: CancelOrderDeps;
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

/** One pass: claim + cancel a batch of expired unpaid orders, then finish their (and older) releases. */
export async function cleanupPass(deps: Omit<CleanupScanDeps, 'intervalMs'>): Promise<CleanupReport> {
  const now = new Date(deps.clock.now());
  const cancelled = await deps.repo.transaction(async tx => {
    const expired = await tx.findExpiredUnpaid(now, deps.batch);
    const out: OrderHeader[] = [];
    for (const order of expired) {
      const r = await tx.transition(order.orderId, 'CANCELLED', { reason: TIMEOUT_CANCEL_REASON });
      if (r.kind === 'applied') out.push(r.order);
    }
    return out;
  });
  let released = 0;
  for (const order of cancelled) {
    if (await completeCancellation(deps.cancel, order, ReleaseReason.RELEASE_REASON_PAYMENT_TIMEOUT)) released++;
  }
  const redriven = await redriveReleases(deps.cancel, deps.batch);
  if (cancelled.length > 0) deps.logger.warn({ cancelled: cancelled.length, released }, 'backstop scan cancelled expired unpaid orders (lost timers)');
  if (redriven > 0) deps.logger.info({ redriven }, 'stock releases of cancelled orders re-driven');
  return { cancelled: cancelled.length, released, redriven };
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
