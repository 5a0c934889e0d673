// The CDC path wired for tests, all real: a migrated throw-away MariaDB database (its binlog), the
// productcatalog services on port 0 over a test key namespace, a binlog reader publishing to the
// it-row-changed FIFO topic, and the two consumers on fresh groups. Products get unique ids per run, so
// other runs' events on the shared topic never touch this run's keys.
import { ChannelCredentials } from '@grpc/grpc-js';
import { ProductCatalogServiceClient, ProductCatalogServiceService } from '../../../src/gen/hipstershop/demo';
import { InventoryServiceClient, InventoryServiceService } from '../../../src/gen/shop/v1/inventory';
import { systemClock } from '../../../src/platform/clock';
import { unary } from '../../../src/platform/grpc-client';
import { ack, createMqConsumer, createMqProducer, type MqBatchHandler, type MqConsumer, type MqOutcome, type MqProducer } from '../../../src/platform/mq';
import { RowChanged } from '../../../src/gen/shop/v1/events';
import type { RedisClient } from '../../../src/platform/redis';
import type { ConsumerStats } from '../../../src/services/cdc/change-handlers';
import type { BinlogReader } from '../../../src/services/cdc/reader';
import { binlogTarget, createCdcReader, orderConsumerHandler, productConsumerHandler } from '../../../src/services/cdc/wiring';
import { SEED_ITEMS, type SeedItem } from '../../../src/services/productcatalog/seed/seed-data';
import { seedProducts } from '../../../src/services/productcatalog/seed/seed-products';
import { createProductCatalogParts, type ProductCatalogParts } from '../../../src/services/productcatalog/wiring';
import { uniqueId } from '../../support/ids';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { testConfig } from '../../support/test-config';
import { testLogger } from '../../support/test-logger';
import { closeRedis, createTestRedis, deleteKeys } from '../../support/test-redis';
import { startTestServer, type TestServer } from '../../support/test-server';

export const CDC_TOPIC = 'it-row-changed';
export const ADMIN_TOKEN = 'cdc-test-admin-token-42';

export interface ConsumerHandle {
  readonly stats: ConsumerStats;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface CdcRig {
  readonly tdb: TestDatabase;
  readonly redis: RedisClient;
  readonly ns: string;
  readonly skus: readonly string[];
  readonly catalog: ProductCatalogParts;
  readonly rpc: {
    getProduct: ReturnType<typeof unary<ProductCatalogServiceClient, 'getProduct'>>;
    getStock: ReturnType<typeof unary<InventoryServiceClient, 'getStock'>>;
  };
  readonly products: ConsumerHandle;
  readonly orders: ConsumerHandle;
  /** Key prefix of result keys / channels the order consumer repairs. */
  readonly resultPrefix: string;
  readonly reconNamespace: string;
  /** The in-process reader (undefined until startReader, or when a child process reads instead). */
  reader(): BinlogReader | undefined;
  startReader(opts?: { checkpointIntervalMs?: number; serverId?: number }): Promise<BinlogReader>;
  stopReader(): Promise<void>;
  close(): Promise<void>;
}

function seedItem(id: string, stock: number): SeedItem {
  const base = SEED_ITEMS[0]!;
  return { ...base, product: { ...base.product, id, name: `CDC test ${id}` }, stock, perUserLimit: 0, flashSale: false };
}

/**
 * The topic is shared with other runs (and a fresh group may start at its beginning): events of other
 * databases are acked untouched, so this run's counts are its own.
 */
function onlyOurs(inner: MqBatchHandler, ownsKey: (primaryKey: string) => boolean): MqBatchHandler {
  return async batch => {
    const ours: number[] = [];
    batch.forEach((m, i) => {
      try {
        const e = RowChanged.decode(m.body);
        if (ownsKey(e.primaryKey)) ours.push(i);
      } catch {
        // not ours either
      }
    });
    const outcomes: MqOutcome[] = batch.map(() => ack);
    if (ours.length === 0) return outcomes;
    const answered = await inner(ours.map(i => batch[i]!));
    ours.forEach((i, j) => (outcomes[i] = answered[j]!));
    return outcomes;
  };
}

export const randomServerId = () => 100_000 + Math.floor(Math.random() * 1_000_000_000);

export async function startCdcRig(opts: { productCount?: number; stock?: number } = {}): Promise<CdcRig> {
  const tdb = await createTestDatabase();
  const ns = uniqueId('cdc').replace(/-/g, '');
  const redis = await createTestRedis('cdc-test');
  const logger = testLogger('cdc');
  const skus = Array.from({ length: opts.productCount ?? 3 }, (_, i) => `CDC-${ns}-${i}`);
  await seedProducts(tdb.db, skus.map(id => seedItem(id, opts.stock ?? 100)), { reset: false, saleStartsAt: new Date(), overrideSaleStart: false });
  const catalogSettings = { keyPrefix: `test:${ns}:catalog` };
  const stockSettings = { namespace: ns };
  const catalog = createProductCatalogParts({ redis, db: tdb.db, clock: systemClock, logger, adminToken: ADMIN_TOKEN, catalogSettings, stockSettings });
  const servers: TestServer[] = [
    await startTestServer(s => {
      s.add(ProductCatalogServiceService, catalog.catalogHandlers);
      s.add(InventoryServiceService, catalog.inventoryHandlers);
    }),
  ];
  const address = servers[0]!.address;
  const catalogClient = new ProductCatalogServiceClient(address, ChannelCredentials.createInsecure());
  const inventoryClient = new InventoryServiceClient(address, ChannelCredentials.createInsecure());
  const deadline = { defaultDeadlineMs: 10_000 };
  const { rocketmq } = testConfig();
  const resultPrefix = `test:${ns}:`;
  const reconNamespace = ns;

  function consumer(name: 'products' | 'orders'): ConsumerHandle {
    const group = uniqueId(`GID_it_cdc_${name}`);
    const stats: ConsumerStats = { applied: 0, duplicates: 0, retried: 0, skipped: 0 };
    const common = { redis, database: tdb.database, databaseName: tdb.name, clock: systemClock, logger, group, dedupeTtlMs: 3_600_000, retryMs: 1_000, keyPrefix: `test:${ns}:`, stats };
    const inner =
      name === 'products'
        ? productConsumerHandler({ ...common, catalogSettings, stockSettings })
        : orderConsumerHandler({ ...common, resultTtlMs: 3_600_000, resultPrefix, reconNamespace });
    const handler = onlyOurs(inner, name === 'products' ? (pk => skus.includes(pk)) : (() => true));
    let running: MqConsumer | undefined;
    return {
      stats,
      async start() {
        let polled = false;
        const c = createMqConsumer({
          ...rocketmq, group, topic: CDC_TOPIC, tag: name, batchSize: 16, invisibleMs: 10_000, awaitMs: 1_000, logger, handler,
          metrics: e => void (e.type === 'polled' && (polled = true)),
        });
        await c.start();
        running = c;
        for (const end = Date.now() + 30_000; !polled; await new Promise(r => setTimeout(r, 50))) {
          if (Date.now() > end) throw new Error(`cdc ${name} consumer did not poll within 30 s`);
        }
      },
      async stop() {
        await running?.stop();
        running = undefined;
      },
    };
  }

  let producer: MqProducer | undefined;
  let reader: BinlogReader | undefined;
  const products = consumer('products');
  const orders = consumer('orders');

  return {
    tdb,
    redis,
    ns,
    skus,
    catalog,
    rpc: { getProduct: unary(catalogClient, 'getProduct', deadline), getStock: unary(inventoryClient, 'getStock', deadline) },
    products,
    orders,
    resultPrefix,
    reconNamespace,
    reader: () => reader,
    async startReader(o = {}) {
      producer ??= createMqProducer({ ...rocketmq, topics: [CDC_TOPIC], logger, startupTimeoutMs: rocketmq.startupTimeoutMs });
      await producer.start();
      const p = producer;
      reader = createCdcReader({
        database: tdb.database,
        target: binlogTarget(tdb.config.mysql.url),
        serverId: o.serverId ?? randomServerId(),
        tables: ['products', 'orders'],
        topic: CDC_TOPIC,
        send: m => p.send(m),
        settings: { checkpointIntervalMs: o.checkpointIntervalMs ?? 200, idleCheckpointMs: 5_000, maxQueuedTransactions: 1_000 },
        clock: systemClock,
        logger,
      });
      await reader.start();
      return reader;
    },
    async stopReader() {
      await reader?.stop();
      reader = undefined;
    },
    async close() {
      await reader?.stop();
      await producer?.stop();
      await Promise.all([products.stop(), orders.stop()]);
      catalogClient.close();
      inventoryClient.close();
      await Promise.all(servers.map(s => s.stop()));
      await deleteKeys(redis, `{${ns}:`);
      await deleteKeys(redis, `test:${ns}:`);
      await closeRedis(redis);
      await tdb.drop();
    },
  };
}

/** Polls `probe` until it returns true or `ms` pass; the failure names what was awaited. */
export async function eventually(what: string, ms: number, probe: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise(r => setTimeout(r, 50));
  }
}

/** Waits until the wall clock is in a later second than `ms` (binlog commit times have whole seconds). */
export async function nextSecondAfter(ms: number): Promise<void> {
  while (Math.floor(Date.now() / 1000) <= Math.floor(ms / 1000)) await new Promise(r => setTimeout(r, 20));
}
