// Builds the cdc process's parts from clients and settings: the binlog reader (binlog → RocketMQ) and the
// two consumers' handlers. index.ts starts them from config; tests build them with their own topic,
// groups, database and key prefixes.
import type { Clock } from '../../platform/clock';
import type { Config } from '../../platform/config';
import type { CdcTable } from '../../platform/config-schema';
import type { Database } from '../../platform/db';
import type { Logger } from '../../platform/logger';
import type { MqBatchHandler } from '../../platform/mq';
import type { RedisClient } from '../../platform/redis';
import { createCatalog, type CatalogSettings } from '../productcatalog/catalog/catalog';
import { createProductRepo } from '../productcatalog/catalog/product-repo';
import { createItemStore } from '../productcatalog/inventory/item-store';
import { createStockService, type StockSettings } from '../productcatalog/stock';
import { productCatalogSettings } from '../productcatalog/wiring';
import { createBinlogSource, currentBinlogEnd, type BinlogConnection } from './binlog-source';
import { published, sendLag } from './cdc-metrics';
import { STOCK_LOG_TABLE } from './change-events';
import { changeBatchHandler, orderChangeHandler, productChangeHandler, type ConsumerStats } from './change-handlers';
import { createDedupe } from './dedupe';
import { createPositionStore } from './position-store';
import { publishEvents, type Send } from './publisher';
import { createBinlogReader, type BinlogReader, type ReaderSettings } from './reader';
import { createResultRepair } from './result-repair';
import { createStockRepair } from './stock-repair';

export interface BinlogTarget {
  readonly connection: BinlogConnection;
  /** The database whose tables are read (the one of MYSQL_URL). */
  readonly schema: string;
}

/** Host, port, credentials and database of a mysql:// URL. */
export function binlogTarget(mysqlUrl: string): BinlogTarget {
  const u = new URL(mysqlUrl);
  return {
    connection: {
      host: u.hostname,
      port: u.port ? Number(u.port) : 3306,
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
    },
    schema: decodeURIComponent(u.pathname.replace(/^\//, '')),
  };
}

export interface ReaderWiring {
  readonly database: Database;
  readonly target: BinlogTarget;
  readonly serverId: number;
  readonly tables: readonly CdcTable[];
  readonly topic: string;
  readonly send: Send;
  readonly settings: ReaderSettings;
  readonly clock: Clock;
  readonly logger: Logger;
}

export function createCdcReader(w: ReaderWiring): BinlogReader {
  // One checkpoint per database, shared by reader replicas: any saved position was sent by one of them.
  const reader = w.target.schema.slice(0, 96);
  // stock_log is read alongside products so a product's stock change can be split into the worker's part
  // and a manual part (change-events.ts).
  const read = w.tables.includes('products') ? [...w.tables, STOCK_LOG_TABLE] : [...w.tables];
  return createBinlogReader({
    openSource: handlers =>
      createBinlogSource({ connection: w.target.connection, serverId: w.serverId, schema: w.target.schema, tables: read, logger: w.logger, ...handlers }),
    async publish(events) {
      await publishEvents(w.send, w.topic, events);
      for (const e of events) published.inc({ table: e.event.table });
      const committed = events[events.length - 1]?.event.committedAt?.getTime();
      if (committed !== undefined) sendLag.set(Math.max(0, (w.clock.now() - committed) / 1000));
    },
    positions: createPositionStore(w.database.db, reader),
    database: w.target.schema,
    currentEnd: () => currentBinlogEnd(async sql => (await w.database.pool.query(sql))[0] as Record<string, unknown>[]),
    tables: w.tables,
    clock: w.clock,
    logger: w.logger.child({ reader }),
    settings: w.settings,
  });
}

export interface ConsumerWiring {
  readonly redis: RedisClient;
  readonly database: Database;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly group: string;
  readonly dedupeTtlMs: number;
  readonly retryMs: number;
  /** Prefix of the dedupe markers (tests). */
  readonly keyPrefix?: string;
  readonly stats?: ConsumerStats;
  /** The database this consumer repairs (MYSQL_URL's); changes of other databases are skipped. */
  readonly databaseName?: string;
}

export interface ProductConsumerWiring extends ConsumerWiring {
  readonly catalogSettings?: Partial<CatalogSettings>;
  readonly stockSettings?: Partial<StockSettings>;
}

export function productConsumerHandler(w: ProductConsumerWiring): MqBatchHandler {
  const logger = w.logger.child({ component: 'cdc-products' });
  const catalog = createCatalog({
    source: createProductRepo(w.database.db),
    redis: w.redis,
    logger,
    ...(w.catalogSettings ? { settings: w.catalogSettings } : {}),
  });
  const stock = createStockService({ redis: w.redis, clock: w.clock, settings: w.stockSettings ?? {}, logger });
  const items = createItemStore(w.database.db);
  const repair = createStockRepair({ redis: w.redis, stock, figures: ids => items.figures(ids), markerTtlMs: w.dedupeTtlMs, clock: w.clock, logger });
  return changeBatchHandler({
    name: 'products',
    apply: productChangeHandler({ catalog, stock: repair, logger }),
    dedupe: createDedupe(w.redis, { prefix: w.keyPrefix ?? '', group: w.group, ttlMs: w.dedupeTtlMs }),
    retryMs: w.retryMs,
    logger,
    ...(w.stats ? { stats: w.stats } : {}),
    ...(w.databaseName ? { database: w.databaseName } : {}),
  });
}

export interface OrderConsumerWiring extends ConsumerWiring {
  readonly resultTtlMs: number;
  /** Prefix of the result keys/channels (the order service's, tests). */
  readonly resultPrefix?: string;
  /** Namespace of the reconciliation counters (tests). */
  readonly reconNamespace?: string;
}

export function orderConsumerHandler(w: OrderConsumerWiring): MqBatchHandler {
  const logger = w.logger.child({ component: 'cdc-orders' });
  const results = createResultRepair(w.redis, { ttlMs: w.resultTtlMs, ...(w.resultPrefix !== undefined ? { prefix: w.resultPrefix } : {}) });
  return changeBatchHandler({
    name: 'orders',
    apply: orderChangeHandler({ redis: w.redis, results, ...(w.reconNamespace ? { reconNamespace: w.reconNamespace } : {}) }),
    dedupe: createDedupe(w.redis, { prefix: w.keyPrefix ?? '', group: w.group, ttlMs: w.dedupeTtlMs }),
    retryMs: w.retryMs,
    logger,
    ...(w.stats ? { stats: w.stats } : {}),
    ...(w.databaseName ? { database: w.databaseName } : {}),
  });
}

/** The catalog/stock tunables the productcatalog service runs with (same cache keys, same shards). */
export function catalogAndStockSettings(config: Pick<Config, 'inventory' | 'catalog'>): Pick<ProductConsumerWiring, 'catalogSettings' | 'stockSettings'> {
  const s = productCatalogSettings(config);
  return { ...(s.catalogSettings ? { catalogSettings: s.catalogSettings } : {}), ...(s.stockSettings ? { stockSettings: s.stockSettings } : {}) };
}
