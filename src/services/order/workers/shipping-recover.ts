// ShippingRecover (F6): PAID orders older than `ageMs` that have no fulfilment task get one. This is the
// backstop for a PAID transition whose task creation was lost (crash between commit and enqueue, a PAID
// applied by another process). Creation is idempotent per (order, kind), so replicas need no lock here;
// tasks whose worker died are re-driven by the lease in shipping-worker, not by this scan.
import type { Clock } from '../../../platform/clock';
import type { Logger } from '../../../platform/logger';
import { createPeriodicLoop, type PeriodicLoop } from '../../../platform/periodic-loop';
import type { TaskRepo } from '../shipping/task-repo';

export interface ShippingRecoverDeps {
  readonly tasks: Pick<TaskRepo, 'findPaidWithoutTask' | 'enqueue'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly intervalMs: number;
  readonly ageMs: number;
  readonly batch?: number;
  /** Called with the ids that got tasks (wake the shipping worker). */
  readonly onEnqueued?: (orderIds: readonly string[]) => void;
}

export async function shippingRecoverPass(deps: ShippingRecoverDeps): Promise<string[]> {
  const now = deps.clock.now();
  const ids = await deps.tasks.findPaidWithoutTask(new Date(now - deps.ageMs), deps.batch ?? 200);
  if (ids.length === 0) return ids;
  await deps.tasks.enqueue(ids, new Date(now));
  deps.logger.warn({ orders: ids.length }, 'ShippingRecover: PAID orders without a shipment task re-driven');
  deps.onEnqueued?.(ids);
  return ids;
}

export function createShippingRecover(deps: ShippingRecoverDeps): PeriodicLoop {
  const batch = deps.batch ?? 200;
  return createPeriodicLoop(async () => (await shippingRecoverPass({ ...deps, batch })).length >= batch, {
    name: 'shipping-recover',
    intervalMs: deps.intervalMs,
    clock: deps.clock,
    logger: deps.logger,
  });
}
