// Fulfilment of PAID orders (F6): ships them (ShipOrder → tracking id → PAID→SHIPPED, or SHIP_FAILED with
// the reason once retries are used up) and sends the confirmation email (never fails the order). Work
// items are order_tasks rows: claimed with SKIP LOCKED under a lease, run with bounded concurrency,
// retried with capped exponential backoff. Unlike seckill.md §1.11 b, the SHIPPED write is the guarded
// transition (only from PAID), never a blind UPDATE.
import { OrderStatus } from '../../../gen/shop/v1/common';
import type { Clock } from '../../../platform/clock';
import type { Logger } from '../../../platform/logger';
import { shippingSuccess } from '../../../platform/metrics/app-metrics';
import { createPeriodicLoop, type PeriodicLoop } from '../../../platform/periodic-loop';
import type { OrderRepo } from '../order-repo';
import type { ConfirmationSender, Shipper } from '../shipping/fulfilment-clients';
import { classifyCallError, nextStep, type RetryPolicy } from '../shipping/retry-policy';
import type { ClaimedTask, TaskRepo } from '../shipping/task-repo';
import type { StatusEventInput } from '../status-event';
import type { OrderChange, OrderRecord } from '../types';

export interface ShippingWorkerDeps {
  readonly tasks: TaskRepo;
  readonly orders: Pick<OrderRepo, 'get' | 'transition'>;
  readonly shipper: Shipper;
  readonly email: ConfirmationSender;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly shipPolicy: RetryPolicy;
  readonly emailPolicy: RetryPolicy;
  /** Calls in flight per replica (ShipOrder and SendOrderConfirmation together). */
  readonly concurrency: number;
  readonly leaseMs: number;
  readonly pollMs: number;
  /** Announces SHIPPED / SHIP_FAILED on the order-status topic; failures are logged only. */
  readonly publish?: (event: StatusEventInput) => Promise<unknown>;
  readonly random?: () => number;
}

export interface ShippingWorker extends PeriodicLoop {
  /** Creates the ship + email tasks of newly PAID orders and wakes the worker. */
  enqueuePaid(orderIds: readonly string[]): Promise<void>;
  /** Order-repo `onCommitted` listener: PAID changes become tasks at once. Never throws. */
  onOrderChanges(changes: readonly OrderChange[]): Promise<void>;
}

const PAID_OR_LATER = new Set(['PAID', 'SHIPPED', 'SHIP_FAILED']);

/** Runs `fn` over items with at most `limit` in flight. */
async function inPool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export function createShippingWorker(deps: ShippingWorkerDeps): ShippingWorker {
  const { tasks, orders, clock, logger } = deps;
  const now = () => new Date(clock.now());

  async function announce(order: OrderRecord, to: OrderStatus, extra: Partial<StatusEventInput>): Promise<void> {
    if (!deps.publish) return;
    try {
      await deps.publish({ orderId: order.orderId, userId: order.userId, from: OrderStatus.ORDER_STATUS_PAID, to, at: now(), ...extra });
    } catch (err) {
      logger.warn({ orderId: order.orderId, reason: err instanceof Error ? err.message : String(err) }, 'status event not published');
    }
  }

  async function shipped(task: ClaimedTask, order: OrderRecord, trackingId: string, attempts: number): Promise<void> {
    const r = await orders.transition(order.orderId, 'SHIPPED', { trackingId, reason: 'shipped' });
    if (r.kind === 'applied') {
      shippingSuccess.inc({ source: attempts > 1 ? 'retry' : 'normal' });
      logger.info({ orderId: order.orderId, trackingId }, 'order shipped');
      await announce(order, OrderStatus.ORDER_STATUS_SHIPPED, { trackingId });
      await tasks.finish(task, 'shipped', now(), { attempts });
    } else if (r.kind === 'refused' && r.current === 'SHIPPED') {
      await tasks.finish(task, 'shipped', now(), { attempts });
    } else {
      const current = r.kind === 'refused' ? r.current : 'no row';
      logger.error({ orderId: order.orderId, trackingId, current }, 'shipped, but the order could not be marked SHIPPED');
      await tasks.finish(task, 'skipped', now(), { attempts, lastError: `shipped as ${trackingId} but order is ${current}` });
    }
  }

  async function shipFailed(task: ClaimedTask, order: OrderRecord, attempts: number, reason: string): Promise<void> {
    const r = await orders.transition(order.orderId, 'SHIP_FAILED', { reason: `shipping failed: ${reason}` });
    if (r.kind === 'applied') {
      logger.error({ orderId: order.orderId, attempts, reason }, 'shipping failed for good: order SHIP_FAILED');
      await announce(order, OrderStatus.ORDER_STATUS_SHIP_FAILED, { reason: `shipping failed: ${reason}` });
    }
    await tasks.finish(task, r.kind === 'applied' ? 'ship_failed' : 'skipped', now(), { attempts, lastError: reason });
  }

  async function runShip(task: ClaimedTask, order: OrderRecord): Promise<void> {
    if (order.status !== 'PAID') {
      await tasks.finish(task, order.status === 'SHIPPED' ? 'shipped' : 'skipped', now(), { lastError: `order is ${order.status}` });
      return;
    }
    if (task.trackingId !== null) return shipped(task, order, task.trackingId, task.attempts); // shipped before a crash
    let trackingId: string;
    try {
      trackingId = await deps.shipper.shipOrder(order);
    } catch (err) {
      const failure = classifyCallError(err);
      const step = nextStep(deps.shipPolicy, task.attempts, failure, clock.now(), deps.random);
      if (step.kind === 'give-up') return shipFailed(task, order, step.attempts, step.reason);
      logger.warn({ orderId: order.orderId, attempts: step.attempts, kind: failure.kind, reason: failure.reason, retryInMs: step.dueAt - clock.now() }, 'ShipOrder failed; will retry');
      await tasks.retryAt(task, step.attempts, new Date(step.dueAt), failure.reason, now());
      return;
    }
    // Kept first: if the transition below fails, the re-drive reuses this id instead of shipping again.
    if (!(await tasks.recordTracking(task, trackingId, now()))) {
      logger.warn({ orderId: order.orderId }, 'ship task lease lost during ShipOrder; marking SHIPPED anyway');
    }
    await shipped(task, order, trackingId, task.attempts + 1);
  }

  async function runEmail(task: ClaimedTask, order: OrderRecord): Promise<void> {
    if (!PAID_OR_LATER.has(order.status)) {
      await tasks.finish(task, 'skipped', now(), { lastError: `order is ${order.status}` });
      return;
    }
    try {
      await deps.email.sendConfirmation(order);
    } catch (err) {
      const failure = classifyCallError(err);
      const step = nextStep(deps.emailPolicy, task.attempts, failure, clock.now(), deps.random);
      if (step.kind === 'give-up') {
        // The order is fine; only the mail is lost. Logged loudly, never turned into an order failure.
        logger.error({ orderId: order.orderId, attempts: step.attempts, reason: step.reason }, 'order confirmation email not sent');
        await tasks.finish(task, 'gave_up', now(), { attempts: step.attempts, lastError: step.reason });
      } else {
        logger.warn({ orderId: order.orderId, attempts: step.attempts, reason: failure.reason }, 'order confirmation email failed; will retry');
        await tasks.retryAt(task, step.attempts, new Date(step.dueAt), failure.reason, now());
      }
      return;
    }
    await tasks.finish(task, 'sent', now(), { attempts: task.attempts + 1 });
  }

  async function run(task: ClaimedTask): Promise<void> {
    try {
      const order = await orders.get(task.orderId);
      if (order === undefined) {
        await tasks.finish(task, 'skipped', now(), { lastError: 'order not found' });
        return;
      }
      await (task.kind === 'ship' ? runShip(task, order) : runEmail(task, order));
    } catch (err) {
      // Database trouble: the claim's lease runs out and any replica re-drives the task.
      logger.warn({ orderId: task.orderId, kind: task.kind, reason: err instanceof Error ? err.message : String(err) }, 'fulfilment task failed; re-driven after its lease');
    }
  }

  const loop = createPeriodicLoop(
    async () => {
      const claimed = await tasks.claimDue(now(), deps.concurrency, deps.leaseMs);
      await inPool(claimed, deps.concurrency, run);
      return claimed.length >= deps.concurrency;
    },
    { name: 'shipping', intervalMs: deps.pollMs, clock, logger },
  );

  async function enqueuePaid(orderIds: readonly string[]): Promise<void> {
    if (orderIds.length === 0) return;
    await tasks.enqueue(orderIds, now());
    loop.wake();
  }

  return {
    ...loop,
    enqueuePaid,
    async onOrderChanges(changes) {
      const paid = changes.filter(c => c.to === 'PAID').map(c => c.orderId);
      try {
        await enqueuePaid(paid);
      } catch (err) {
        // ShippingRecover finds PAID orders without tasks, so this only costs latency.
        logger.warn({ orders: paid.length, reason: err instanceof Error ? err.message : String(err) }, 'could not create fulfilment tasks now; recover scan will');
      }
    },
  };
}
