// The order service module: shop.v1.OrderService on ORDER_PORT, the creation and status consumers,
// the stale-PAYING recovery loop, and (background-workers.ts) timeout cancel, shipping and dead letters.
// Redis and MySQL are connected before the server listens; RocketMQ clients start in the background,
// so the service (reads, WatchOrder, PayOrder) comes up while the broker is away.
import { PaymentServiceClient } from '../../gen/hipstershop/demo';
import { InventoryServiceClient } from '../../gen/shop/v1/inventory';
import { OrderServiceService } from '../../gen/shop/v1/order';
import { createAdminGuard } from '../../platform/admin-auth';
import type { Config } from '../../platform/config';
import { UnavailableError } from '../../platform/errors';
import { createGrpcClient } from '../../platform/grpc-client';
import { createMqProducer, type MqProducer, type MqSendRequest, type MqTransactionChecker } from '../../platform/mq';
import { createPeriodicLoop } from '../../platform/periodic-loop';
import { createChargeRepo } from '../payment/charge-repo';
import type { RunningService, ServiceModule } from '../registry';
import type { Runtime } from '../runtime';
import { serveGrpc, service } from '../serve';
import { startBackgroundWorkers, type BackgroundWorkers } from './background-workers';
import { createCancelChecker } from './cancel-check';
import { originOf } from './cancel-message';
import { createChargeLookup } from './clients/charge-lookup';
import { createInventoryReleaser } from './clients/inventory-releaser';
import { createPaymentCharger } from './clients/payment-charger';
import { createDeadLetterHandlers } from './dead-letter-handlers';
import { registerDlqMetrics } from './dlq-metrics';
import { recoverStalePaying } from './pay-order';
import { publishStatus } from './status-event';
import { createOrderParts } from './wiring';
import { createCreationHandler } from './workers/creation-consumer';
import { createFailureNotes, DEFAULT_NOTE_TTL_MS } from './workers/dlq-failure-notes';
import { createDeadLetterRepo } from './workers/dlq-repo';
import { orderDlqSources } from './workers/dlq-sources';
import { createOrderConsumer, keepConsuming, type OrderConsumerSettings } from './workers/order-consumers';
import { createReleaseHandler } from './workers/release-consumer';
import { createStatusHandler } from './workers/status-consumer';

export const ORDER_SERVICE = 'order';
const RECOVER_BATCH = 100;

export function orderConsumerSettings(config: Pick<Config, 'rocketmq' | 'orderCore'>): OrderConsumerSettings {
  return {
    endpoints: config.rocketmq.endpoints,
    namespace: config.rocketmq.namespace,
    startupTimeoutMs: config.rocketmq.startupTimeoutMs,
    batchSize: config.orderCore.consumerBatch,
    invisibleMs: config.orderCore.consumerInvisibleMs,
    awaitMs: config.orderCore.consumerAwaitMs,
    retryDelayMs: config.orderCore.retryDelayMs,
  };
}

type BackgroundProducer = Pick<MqProducer, 'send' | 'sendInTransaction' | 'stop'>;

/**
 * A producer started in the background (with retries); sends fail fast with UNAVAILABLE until it runs.
 * `checker` answers the broker's check-backs of this process's (and dead replicas') half messages.
 */
function backgroundProducer(rt: Runtime, topics: readonly string[], checker: MqTransactionChecker): BackgroundProducer {
  const log = rt.logger.child({ service: ORDER_SERVICE, component: 'producer' });
  let running: MqProducer | undefined;
  let current: MqProducer | undefined;
  let stopped = false;
  const loop = (async () => {
    for (let attempt = 1; !stopped; attempt++) {
      const p = createMqProducer({ endpoints: rt.config.rocketmq.endpoints, namespace: rt.config.rocketmq.namespace, topics, logger: log, startupTimeoutMs: rt.config.rocketmq.startupTimeoutMs, checker });
      current = p;
      try {
        await p.start();
        running = p;
        return;
      } catch (err) {
        await p.stop().catch(() => undefined);
        if (attempt === 1) log.warn({ reason: err instanceof Error ? err.message : String(err) }, 'producer could not start; retrying in the background');
        await rt.clock.sleep(Math.min(30_000, 1_000 * 2 ** Math.min(attempt, 5)));
      }
    }
  })();
  const notYet = () => Promise.reject(new UnavailableError('the message broker is not reachable yet; try again'));
  return {
    send(m) {
      return running ? running.send(m) : notYet();
    },
    sendInTransaction(m, localTx) {
      return running ? running.sendInTransaction(m, localTx) : notYet();
    },
    async stop() {
      stopped = true;
      await Promise.race([loop, rt.clock.sleep(rt.config.rocketmq.startupTimeoutMs)]);
      await current?.stop().catch(() => undefined);
    },
  };
}

type OrderWorkerDeps = Parameters<typeof startBackgroundWorkers>[1] & { readonly parts: ReturnType<typeof createOrderParts> };

/** Consumers, stale-PAYING recovery, timeouts, fulfilment and dead letters (skipped when WORKERS_ENABLED=false). */
async function startOrderWorkers(rt: Runtime, deps: OrderWorkerDeps): Promise<BackgroundWorkers> {
  const { config, clock } = rt;
  const { parts, deadLetterRepo, notes, logger } = deps;
  const core = config.orderCore;
  const mq = orderConsumerSettings(config);
  const created = { topic: core.createdTopic, group: core.createdGroup };
  const status = { topic: core.statusTopic, group: core.statusGroup };
  const released = { topic: config.orderTx.topic, group: config.orderTx.releaseGroup };
  const common = { clock, logger, retryDelayMs: core.retryDelayMs, deadLetters: deadLetterRepo, notes };
  const creation = keepConsuming(
    () => createOrderConsumer(mq, created, createCreationHandler({ ...common, ...created, repo: parts.repo, results: parts.results, inventory: parts.cancel.inventory }), logger),
    logger,
    created.group,
  );
  const statuses = keepConsuming(
    () => createOrderConsumer(mq, status, createStatusHandler({ ...common, ...status, repo: parts.repo }), logger),
    logger,
    status.group,
  );
  const releases = keepConsuming(
    () => createOrderConsumer(mq, released, createReleaseHandler({ cancel: parts.cancel, origin: originOf(config.mysql.url), logger }), logger),
    logger,
    released.group,
  );
  const recover = createPeriodicLoop(async () => {
    const r = await recoverStalePaying(parts.pay, RECOVER_BATCH);
    return r.paid + r.reverted >= RECOVER_BATCH;
  }, { name: 'paying-recover', intervalMs: Math.max(1_000, Math.floor(core.payingLeaseMs / 2)), clock, logger });
  recover.start();
  const background = await startBackgroundWorkers(rt, deps);
  rt.shutdown.register(`${ORDER_SERVICE}:workers`, 'drain', async () => {
    await Promise.all([creation.stop(), statuses.stop(), releases.stop(), recover.stop(), background.stop()]);
  });
  return background;
}

export const orderModule: ServiceModule = {
  name: ORDER_SERVICE,
  summary: 'orders in MySQL: creation/status consumers, state machine, PayOrder/CancelOrder, WatchOrder result channel',
  port: config => config.ports.order,
  async start(rt: Runtime): Promise<RunningService> {
    const { config, clock } = rt;
    const logger = rt.logger.child({ service: ORDER_SERVICE });
    const [redis, database, subscriber] = await Promise.all([rt.redis(), rt.db(), rt.blockingRedis('order-watch')]);
    const db = database.db;
    const core = config.orderCore;

    const origin = originOf(config.mysql.url);
    // Check-backs may arrive before the repo exists: "unknown" makes the broker ask again later.
    let check: MqTransactionChecker = async () => 'unknown';
    const producer = backgroundProducer(rt, [core.createdTopic, core.statusTopic, core.timeoutTopic, config.orderTx.topic], m => check(m));
    const deadLetterRepo = createDeadLetterRepo(db);
    const notes = createFailureNotes(redis, { keyPrefix: '', ttlMs: DEFAULT_NOTE_TTL_MS });
    const deadline = { defaultDeadlineMs: config.rpc.deadlineMs, clock };
    // The background workers start after the parts; commits reach them once they run (late-bound).
    let background: BackgroundWorkers | undefined;
    const parts = createOrderParts({
      db,
      redis,
      subscriber,
      clock,
      logger,
      inventory: createInventoryReleaser(createGrpcClient(InventoryServiceClient, config.addr.productCatalog), config.admin.token, deadline),
      payment: createPaymentCharger(createGrpcClient(PaymentServiceClient, config.addr.payment), { defaultDeadlineMs: core.paymentCallDeadlineMs, clock }),
      charges: createChargeLookup(createChargeRepo(db)),
      deadLetters: createDeadLetterHandlers({
        repo: deadLetterRepo,
        publish: m => producer.send(m),
        admin: createAdminGuard(config.admin.token),
        sources: orderDlqSources(core),
        clock,
      }),
      publishStatus: event => publishStatus(producer, core.statusTopic, event),
      cancelTx: { producer, topic: config.orderTx.topic, origin, localBudgetMs: config.orderTx.localBudgetMs },
      onCommitted: async changes => {
        await background?.onOrderChanges(changes);
      },
      settings: { resultTtlMs: core.resultTtlMs, payingLeaseMs: core.payingLeaseMs, listPageSize: core.listPageSize },
    });

    check = createCancelChecker({ repo: parts.repo, origin, logger: logger.child({ component: 'cancel-check' }) });

    // WatchOrder streams end when the server starts draining (else they would hold it for the grace period).
    rt.shutdown.register(`${ORDER_SERVICE}:watch`, 'stop-accepting', () => parts.hub.close());
    rt.shutdown.register(`${ORDER_SERVICE}:producer`, 'close', () => producer.stop());
    rt.shutdown.register(`${ORDER_SERVICE}:dlq-metrics`, 'drain', registerDlqMetrics(db));
    if (config.lifecycle.workersEnabled) {
      background = await startOrderWorkers(rt, { parts, producer, deadLetterRepo, notes, logger });
    }
    const served = await serveGrpc(rt, ORDER_SERVICE, config.ports.order, [service(OrderServiceService, parts.handlers)]);
    return { name: served.name, port: served.port };
  },
};
