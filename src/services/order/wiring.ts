// Builds the order service's parts from its clients: repo (with the Redis result writer as its
// commit listener), the cancel and pay use cases, the WatchOrder hub and the OrderService handlers.
// index.ts serves them; tests serve them on port 0 with their own clients.
import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db';
import type { Logger } from '../../platform/logger';
import type { RedisClient } from '../../platform/redis';
import type { CancelHooks, CancelOrderDeps, CancelTransactions } from './cancel-order';
import type { ChargeLookup } from './clients/charge-lookup';
import type { InventoryReleaser } from './clients/inventory-releaser';
import type { PaymentCharger } from './clients/payment-charger';
import type { DeadLetterHandlers } from './dead-letter-handlers';
import { createOrderRepo, type OrderRepo } from './order-repo';
import type { PayOrderDeps } from './pay-order';
import { createResultStore, type ResultStore } from './result-store';
import { createOrderHandlers } from './server';
import type { StatusEventInput } from './status-event';
import { createWatchHub, type WatchHub } from './watch-hub';
import type { OrderChange } from './types';

export interface OrderPartsDeps {
  readonly db: Db;
  readonly redis: RedisClient;
  /** A dedicated connection for SUBSCRIBE (WatchOrder); closed by `hub.close()`. */
  readonly subscriber: RedisClient;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly inventory: InventoryReleaser;
  readonly payment: PaymentCharger;
  readonly charges: ChargeLookup;
  readonly deadLetters: DeadLetterHandlers;
  /** Publishes status events (CANCELLED, from the release consumer); omitted = none. */
  readonly publishStatus?: (event: StatusEventInput) => Promise<unknown>;
  /** The transactional producer cancellations go through (order-tx). */
  readonly cancelTx: CancelTransactions;
  /** Test seams of the cancel's local transaction; never set in production. */
  readonly cancelHooks?: CancelHooks;
  /** Also told of every committed change, after the buyer's result (timers, shipping work). */
  readonly onCommitted?: (changes: readonly OrderChange[]) => Promise<void>;
  readonly settings: {
    readonly resultTtlMs: number;
    readonly payingLeaseMs: number;
    readonly listPageSize: number;
    /** Redis key/channel prefix (tests). */
    readonly keyPrefix?: string;
    readonly watchResyncMs?: number;
  };
}

export interface OrderParts {
  readonly repo: OrderRepo;
  readonly results: ResultStore;
  readonly hub: WatchHub;
  readonly cancel: CancelOrderDeps;
  readonly pay: PayOrderDeps;
  readonly handlers: ReturnType<typeof createOrderHandlers>;
}

export function createOrderParts(deps: OrderPartsDeps): OrderParts {
  const { clock, logger, settings } = deps;
  const results = createResultStore(deps.redis, {
    ttlMs: settings.resultTtlMs,
    clock,
    logger,
    ...(settings.keyPrefix !== undefined ? { prefix: settings.keyPrefix } : {}),
  });
  const onCommitted = async (changes: readonly OrderChange[]): Promise<void> => {
    await results.record(changes);
    await deps.onCommitted?.(changes);
  };
  const repo = createOrderRepo(deps.db, clock, { onCommitted, payingLeaseMs: settings.payingLeaseMs });
  const hub = createWatchHub(deps.subscriber, results, logger);
  const cancel: CancelOrderDeps = {
    repo,
    inventory: deps.inventory,
    clock,
    logger: logger.child({ component: 'cancel-order' }),
    tx: deps.cancelTx,
    ...(deps.publishStatus ? { publish: deps.publishStatus } : {}),
    ...(deps.cancelHooks ? { hooks: deps.cancelHooks } : {}),
    charges: deps.charges,
  };
  const pay: PayOrderDeps = { repo, payment: deps.payment, charges: deps.charges, clock, logger: logger.child({ component: 'pay-order' }) };
  const handlers = createOrderHandlers({
    repo,
    results,
    hub,
    cancel,
    pay,
    deadLetters: deps.deadLetters,
    clock,
    listPageSize: settings.listPageSize,
    ...(settings.watchResyncMs !== undefined ? { watchResyncMs: settings.watchResyncMs } : {}),
  });
  return { repo, results, hub, cancel, pay, handlers };
}
