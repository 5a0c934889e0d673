// Child process of the inventory bench: the real productcatalog handlers (catalog + InventoryService)
// on 127.0.0.1:<free port>, against the bench database (MYSQL_URL set by the parent) and a bench key
// namespace in Redis. No stock workers: bench stream entries must reach neither MySQL nor RocketMQ.
// argv[2]: JSON ServerSpec. Prints `BENCH_READY {port, shards, recordTtlMs, refusalTtlMs}`; SIGTERM stops it.
import { ProductCatalogServiceService } from '../../src/gen/hipstershop/demo';
import { InventoryServiceService } from '../../src/gen/shop/v1/inventory';
import { systemClock } from '../../src/platform/clock';
import { loadConfig } from '../../src/platform/config';
import { createDatabase } from '../../src/platform/db';
import { createGrpcServer } from '../../src/platform/grpc-server';
import { createLogger } from '../../src/platform/logger';
import { closeRedis, connectRedis, createRedis } from '../../src/platform/redis';
import { createProductCatalogParts, productCatalogSettings } from '../../src/services/productcatalog/wiring';
import { announceReady, exitOnSigterm } from '../lib/child-server';

export interface ServerSpec {
  /** Stock key namespace ({<ns>:inv:N}). */
  readonly namespace: string;
  /** Catalog cache key prefix. */
  readonly catalogPrefix: string;
}

export interface ServerReady {
  readonly port: number;
  readonly shards: number;
  readonly recordTtlMs: number;
  readonly refusalTtlMs: number;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as ServerSpec;
  if (!spec.namespace || !spec.catalogPrefix) throw new Error('bench server: argv[2] must be {"namespace","catalogPrefix"}');
  const config = loadConfig();
  const logger = createLogger(config, 'bench-productcatalog', { level: 'warn' });
  const redis = createRedis(config, { logger, name: 'bench-inventory' });
  await connectRedis(redis, config);
  const database = createDatabase(config, { logger });
  const configured = productCatalogSettings(config);
  const parts = createProductCatalogParts({
    redis,
    db: database.db,
    clock: systemClock,
    logger,
    adminToken: config.admin.token,
    catalogSettings: { ...configured.catalogSettings, keyPrefix: spec.catalogPrefix },
    stockSettings: { ...configured.stockSettings, namespace: spec.namespace },
  });
  const server = createGrpcServer({ logger, config, clock: systemClock });
  server.add(ProductCatalogServiceService, parts.catalogHandlers);
  server.add(InventoryServiceService, parts.inventoryHandlers);
  const port = await server.listen(0, '127.0.0.1');

  exitOnSigterm(async () => {
    await server.stop();
    await Promise.all([closeRedis(redis), database.close()]);
  });

  const s = parts.stock.settings;
  const ready: ServerReady = { port, shards: s.shards, recordTtlMs: s.recordTtlMs, refusalTtlMs: s.refusalTtlMs };
  announceReady(ready);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench server failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
