// The productcatalog service module: hipstershop.ProductCatalogService + shop.v1.InventoryService on
// PRODUCT_CATALOG_PORT. Redis and MySQL (migrated when MYSQL_MIGRATE_ON_START) are connected before
// the server listens, so readiness turns SERVING only once both answered.
import { ProductCatalogServiceService } from '../../gen/hipstershop/demo';
import { InventoryServiceService } from '../../gen/shop/v1/inventory';
import type { RunningService, ServiceModule } from '../registry';
import type { Runtime } from '../runtime';
import { serveGrpc, service } from '../serve';
import { createProductCatalogParts, type ProductCatalogParts } from './wiring';

export const PRODUCT_CATALOG_SERVICE = 'productcatalog';

/**
 * HOOK(workers): the stock write-behind worker and the Stream → RocketMQ forwarder
 * (src/services/productcatalog/workers/, another engineer) start here once their start functions
 * exist; each must register its graceful stop with rt.shutdown in the 'drain' phase.
 */
async function startWorkers(_rt: Runtime, _parts: ProductCatalogParts): Promise<void> {
  // Not wired yet: see the report of issue 3 (workers' start API pending).
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
    });
    await startWorkers(rt, parts);
    const served = await serveGrpc(rt, PRODUCT_CATALOG_SERVICE, rt.config.ports.productCatalog, [
      service(ProductCatalogServiceService, parts.catalogHandlers),
      service(InventoryServiceService, parts.inventoryHandlers),
    ]);
    return { name: served.name, port: served.port };
  },
};
