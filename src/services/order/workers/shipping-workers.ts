// Assembles fulfilment (F6): the task worker (ShipOrder + confirmation email, bounded concurrency) and
// ShippingRecover, from the order config section. Wire `onOrderChanges` into the order repo's
// `onCommitted` so a PAID order gets its tasks at once; the recover scan covers anything missed.
import type { Clock } from '../../../platform/clock';
import type { Config } from '../../../platform/config';
import type { Logger } from '../../../platform/logger';
import type { OrderRepo } from '../order-repo';
import type { ConfirmationSender, Shipper } from '../shipping/fulfilment-clients';
import type { RetryPolicy } from '../shipping/retry-policy';
import type { TaskRepo } from '../shipping/task-repo';
import type { StatusEventInput } from '../status-event';
import type { OrderChange } from '../types';
import { createShippingRecover } from './shipping-recover';
import { createShippingWorker, type ShippingWorker } from './shipping-worker';

export type FulfilmentSettings = Pick<
  Config['order'],
  | 'shipConcurrency'
  | 'shipMaxAttempts'
  | 'shipBackoffInitialMs'
  | 'shipBackoffMaxMs'
  | 'emailMaxAttempts'
  | 'taskPollMs'
  | 'taskLeaseMs'
  | 'shippingRecoverIntervalMs'
  | 'shippingRecoverAgeMs'
>;

export interface ShippingWorkersDeps {
  readonly tasks: TaskRepo;
  readonly orders: Pick<OrderRepo, 'get' | 'transition'>;
  readonly shipper: Shipper;
  readonly email: ConfirmationSender;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: FulfilmentSettings;
  readonly publish?: (event: StatusEventInput) => Promise<unknown>;
}

export interface ShippingWorkers {
  readonly worker: ShippingWorker;
  start(): void;
  /** Both loops finish the batch / pass in hand. */
  stop(): Promise<void>;
  onOrderChanges(changes: readonly OrderChange[]): Promise<void>;
}

export function retryPolicies(s: FulfilmentSettings): { ship: RetryPolicy; email: RetryPolicy } {
  const backoff = { initialMs: s.shipBackoffInitialMs, maxMs: Math.max(s.shipBackoffMaxMs, s.shipBackoffInitialMs), jitter: 0.2 };
  return { ship: { maxAttempts: s.shipMaxAttempts, backoff }, email: { maxAttempts: s.emailMaxAttempts, backoff } };
}

export function createShippingWorkers(deps: ShippingWorkersDeps): ShippingWorkers {
  const s = deps.settings;
  const logger = deps.logger.child({ component: 'fulfilment' });
  const policies = retryPolicies(s);
  const worker = createShippingWorker({
    tasks: deps.tasks,
    orders: deps.orders,
    shipper: deps.shipper,
    email: deps.email,
    clock: deps.clock,
    logger,
    shipPolicy: policies.ship,
    emailPolicy: policies.email,
    concurrency: s.shipConcurrency,
    leaseMs: s.taskLeaseMs,
    pollMs: s.taskPollMs,
    ...(deps.publish ? { publish: deps.publish } : {}),
  });
  const recover = createShippingRecover({
    tasks: deps.tasks,
    clock: deps.clock,
    logger: logger.child({ loop: 'shipping-recover' }),
    intervalMs: s.shippingRecoverIntervalMs,
    ageMs: s.shippingRecoverAgeMs,
    onEnqueued: () => worker.wake(),
  });
  return {
    worker,
    start() {
      worker.start();
      recover.start();
    },
    async stop() {
      await Promise.all([worker.stop(), recover.stop()]);
    },
    onOrderChanges: changes => worker.onOrderChanges(changes),
  };
}
