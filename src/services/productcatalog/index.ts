// The productcatalog service module: hipstershop.ProductCatalogService + shop.v1.InventoryService on
// PRODUCT_CATALOG_PORT. Redis and MySQL (migrated when MYSQL_MIGRATE_ON_START) are connected before
// the server listens, so readiness turns SERVING only once both answered.
import { ProductCatalogServiceService } from '../../gen/hipstershop/demo';
import { InventoryServiceService } from '../../gen/shop/v1/inventory';
import type { Db } from '../../platform/db';
import { createMqProducer } from '../../platform/mq';
import type { RedisClient } from '../../platform/redis';
import type { RunningService, ServiceModule } from '../registry';
import type { Runtime } from '../runtime';
import { serveGrpc, service } from '../serve';
import { createPartSweeper } from './stock';
import { startStockWorkers, workerPlanFromConfig, type WorkerPlan } from './workers';
import { registerInventoryMetrics } from './workers/inventory-metrics';
import { createProductCatalogParts, productCatalogSettings, type ProductCatalogParts } from './wiring';

export const PRODUCT_CATALOG_SERVICE = 'productcatalog';

/**
 * Stock write-behind (stock streams → MySQL), forwarder (orders streams → RocketMQ order-created),
 * stream retention and the sweeper of abandoned cross-shard parts — those PRODUCTCATALOG_WORKERS names
 * ("none": hot path only, the workers run in another Deployment). The forwarder starts its producer in
 * the background, so the service comes up (and sells) while RocketMQ is down; the backlog waits in the
 * streams. Stopped gracefully in the 'drain' phase, after the gRPC server stopped accepting.
 */
async function startWorkers(rt: Runtime, parts: ProductCatalogParts, redis: RedisClient, db: Db): Promise<void> {
  const logger = rt.logger.child({ service: PRODUCT_CATALOG_SERVICE, component: 'stock-workers' });
  const plan = workerPlanFromConfig(rt.config);
  const { writer, forwarder, trimmer } = plan.run;
  if (writer || forwarder || trimmer) await startStreamWorkers(rt, parts, redis, db, logger, plan);
  if (plan.sweeper) startSweeper(rt, parts, logger);
  const roles = rt.config.workers.run;
  logger.info({ workers: roles }, roles.length > 0 ? 'productcatalog workers started' : 'no productcatalog workers in this process (PRODUCTCATALOG_WORKERS=none)');
}

async function startStreamWorkers(rt: Runtime, parts: ProductCatalogParts, redis: RedisClient, db: Db, logger: Runtime['logger'], plan: WorkerPlan): Promise<void> {
  const workers = await startStockWorkers({
    run: plan.run,
    settings: plan.settings,
    redis,
    openBlocking: name => rt.blockingRedis(name),
    stock: parts.stock,
    clock: rt.clock,
    logger,
    db,
    createProducer: () =>
      createMqProducer({
        endpoints: rt.config.rocketmq.endpoints,
        namespace: rt.config.rocketmq.namespace,
        topics: [rt.config.orderCore.createdTopic],
        logger: logger.child({ component: 'order-producer' }),
        startupTimeoutMs: rt.config.rocketmq.startupTimeoutMs,
      }),
  });
  rt.shutdown.register(`${PRODUCT_CATALOG_SERVICE}:stock-workers`, 'drain', () => workers.stop());
  // Stream backlog, dead streams and ledger drift, sampled at scrape time where the workers run.
  const unregister = registerInventoryMetrics({ redis, db, stock: parts.stock, now: () => rt.clock.now() });
  rt.shutdown.register(`${PRODUCT_CATALOG_SERVICE}:inventory-metrics`, 'drain', unregister);
}

/** Cross-shard orders whose reserving call died between parts: resolved after partTimeoutMs. */
function startSweeper(rt: Runtime, parts: ProductCatalogParts, logger: Runtime['logger']): void {
  const sweeper = createPartSweeper({
    sweep: opts => parts.stock.sweepStaleParts(opts),
    clock: rt.clock,
    intervalMs: Math.max(1_000, Math.floor(parts.stock.settings.partTimeoutMs / 2)),
    logger: logger.child({ component: 'part-sweeper' }),
  });
  sweeper.start();
  rt.shutdown.register(`${PRODUCT_CATALOG_SERVICE}:part-sweeper`, 'drain', () => sweeper.stop());
}

export const productCatalogModule: ServiceModule = {
  name: PRODUCT_CATALOG_SERVICE,
  summary: 'product catalog (MySQL + Redis cache) and inventory (Redis Lua stock, write-behind)',
  port: config => config.ports.productCatalog,
  async start(rt: Runtime): Promise<RunningService> {
    const logger = rt.logger.child({ service: PRODUCT_CATALOG_SERVICE });
    const [redis, database] = await Promise.all([rt.redis(), rt.db()]);
    const parts = createProductCatalogParts({
      redis,
      db: database.db,
      clock: rt.clock,
      logger,
      adminToken: rt.config.admin.token,
      ...productCatalogSettings(rt.config),
    });
    await startWorkers(rt, parts, redis, database.db);
    const served = await serveGrpc(rt, PRODUCT_CATALOG_SERVICE, rt.config.ports.productCatalog, [
      service(ProductCatalogServiceService, parts.catalogHandlers),
      service(InventoryServiceService, parts.inventoryHandlers),
    ]);
    return { name: served.name, port: served.port };
  },
};
