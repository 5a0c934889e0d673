// Shared setup of the flash-sale integration suites: a throw-away MariaDB database with sale items, a
// real productcatalog (InventoryService) server on port 0 on real Redis, and FlashSaleService servers
// (port 0) built with createFlashSaleHandlers. Every Redis key carries this suite's unique namespace.
import { FlashSaleServiceClient, FlashSaleServiceService } from '../../src/gen/shop/v1/flashsale';
import { InventoryServiceClient, InventoryServiceService, WarmUpOutcome } from '../../src/gen/shop/v1/inventory';
import { breakerSettings, createBreakers } from '../../src/platform/breaker';
import { systemClock, type Clock } from '../../src/platform/clock';
import type { Config } from '../../src/platform/config';
import type { Db } from '../../src/platform/db';
import { createIdempotency, idempotencySettings } from '../../src/platform/idempotency';
import { createRateLimiter } from '../../src/platform/rate-limit';
import { createGrpcClient, unary, type CallOptions } from '../../src/platform/grpc-client';
import type { RedisClient } from '../../src/platform/redis';
import {
  createFlashSaleHandlers,
  createFlashSaleOrderHooks,
  createInventoryPort,
  createSaleItemRepo,
  flashSaleRateRules,
  flashSaleSettings,
  type FlashSaleDeps,
  type FlashSaleOrderHooks,
  type FlashSaleSettings,
  type InventoryPort,
} from '../../src/services/checkout/flashsale';
import type { SeedItem } from '../../src/services/productcatalog/seed/seed-data';
import { SEED_ITEMS } from '../../src/services/productcatalog/seed/seed-data';
import { seedProducts } from '../../src/services/productcatalog/seed/seed-products';
import { parseOrderCreated } from '../../src/services/productcatalog/stock';
import { createProductCatalogParts, type ProductCatalogParts } from '../../src/services/productcatalog/wiring';
import { uniqueId } from '../support/ids';
import { testConfig } from '../support/test-config';
import { useTestDatabase } from '../support/test-database';
import { testLogger } from '../support/test-logger';
import { closeRedis, createTestRedis, deleteKeys } from '../support/test-redis';
import { startTestServer, type TestServer } from '../support/test-server';

export const ADMIN_TOKEN = 'flashsale-test-admin-token';
export const ADMIN: CallOptions = { metadata: { authorization: `Bearer ${ADMIN_TOKEN}` } };

export interface FlashItem {
  readonly id: string;
  readonly stock: number;
  /** Per-user limit; 0 = none. */
  readonly limit: number;
  /** Default: an hour ago. */
  readonly startsAt?: Date;
  /** Default true. */
  readonly flashSale?: boolean;
  /** Default true. */
  readonly warm?: boolean;
}

export interface Limits {
  readonly buyUser: number;
  readonly buyIp: number;
  readonly tokenUser: number;
}

export const GENEROUS: Limits = { buyUser: 1_000_000, buyIp: 1_000_000, tokenUser: 1_000_000 };

export interface FlashServerOptions {
  readonly settings?: Partial<FlashSaleSettings>;
  readonly limits?: Partial<Limits>;
  /** Where the flash-sale server reaches InventoryService (default: this suite's server). */
  readonly inventoryAddress?: string;
  /** Wraps the inventory port (e.g. to count calls). */
  readonly wrapInventory?: (port: InventoryPort) => InventoryPort;
  readonly clock?: Clock;
  /** Config overrides of the FlashSaleService's gRPC server (e.g. GRPC_MAX_IN_FLIGHT). */
  readonly serverConfig?: Record<string, string>;
}

export type FlashRpc = ReturnType<typeof bindFlash>;

function bindFlash(client: FlashSaleServiceClient) {
  const o = { defaultDeadlineMs: 30_000 };
  return {
    listSaleItems: unary(client, 'listSaleItems', o),
    getSaleItem: unary(client, 'getSaleItem', o),
    issueToken: unary(client, 'issueToken', o),
    buy: unary(client, 'buy', o),
  };
}

export interface FlashServer {
  readonly rpc: FlashRpc;
  readonly server: TestServer;
  close(): Promise<void>;
}

export interface FlashFixture {
  readonly redis: RedisClient;
  /** This suite's migrated throw-away database, and a Config pointing at it. */
  readonly db: Db;
  readonly dbConfig: Readonly<Config>;
  /** Inventory key namespace; the flash-sale one is `test:<ns>:`. */
  readonly ns: string;
  readonly flashNamespace: string;
  readonly catalog: ProductCatalogParts;
  readonly inventoryAddress: string;
  readonly inventory: {
    readonly warmUp: ReturnType<typeof unary<InventoryServiceClient, 'warmUp'>>;
    readonly getStock: ReturnType<typeof unary<InventoryServiceClient, 'getStock'>>;
    readonly configureItem: ReturnType<typeof unary<InventoryServiceClient, 'configureItem'>>;
    readonly release: ReturnType<typeof unary<InventoryServiceClient, 'release'>>;
  };
  readonly hooks: FlashSaleOrderHooks;
  /** The suite's default FlashSaleService server. */
  readonly flash: FlashServer;
  startFlash(options?: FlashServerOptions): Promise<FlashServer>;
  /** Order ids of every order-created record in the orders streams, in stream order per shard. */
  orderCreatedIds(): Promise<string[]>;
  redisStock(productId: string): Promise<number>;
  flashKey(kind: 'token' | 'unpaid', userId: string, productId: string): string;
}

export function seedItem(item: FlashItem): SeedItem {
  const base = SEED_ITEMS[0]!.product;
  return {
    product: { ...base, id: item.id, name: `Flash ${item.id}`, price: { currencyCode: 'USD', units: 19n, nanos: 990_000_000 } },
    stock: item.stock,
    perUserLimit: item.limit,
    flashSale: item.flashSale ?? true,
  };
}

/** Mocha helper: builds the fixture for the enclosing describe and tears it down after. */
export function useFlashFixture(items: readonly FlashItem[], defaults: FlashServerOptions = {}): { readonly current: FlashFixture } {
  const tdb = useTestDatabase();
  let fixture: FlashFixture | undefined;
  const closers: Array<() => Promise<void>> = [];

  before(async function () {
    this.timeout(60_000);
    const redis = await createTestRedis('flashsale-test');
    closers.push(() => closeRedis(redis));
    const ns = uniqueId('fs');
    const flashNamespace = `test:${ns}:`;
    closers.push(async () => {
      await deleteKeys(redis, `{${ns}:`);
      await deleteKeys(redis, `test:${ns}:`);
    });
    const db = tdb.current.db;
    // Sale start per item: seedProducts takes one date, so items are seeded in groups by start.
    const byStart = new Map<number, FlashItem[]>();
    for (const item of items) {
      const at = (item.startsAt ?? new Date(Date.now() - 3_600_000)).getTime();
      byStart.set(at, [...(byStart.get(at) ?? []), item]);
    }
    for (const [at, group] of byStart) {
      await seedProducts(db, group.map(seedItem), { reset: false, saleStartsAt: new Date(at), overrideSaleStart: false });
    }
    const catalog = createProductCatalogParts({
      redis,
      db,
      clock: systemClock,
      logger: testLogger('productcatalog'),
      adminToken: ADMIN_TOKEN,
      catalogSettings: { keyPrefix: `test:${ns}:catalog` },
      stockSettings: { namespace: ns, shards: 4 },
    });
    const invServer = await startTestServer(s => s.add(InventoryServiceService, catalog.inventoryHandlers));
    closers.push(() => invServer.stop());
    const invClient = createGrpcClient(InventoryServiceClient, invServer.address);
    closers.push(async () => invClient.close());
    const o = { defaultDeadlineMs: 30_000 };
    const inventory = {
      warmUp: unary(invClient, 'warmUp', o),
      getStock: unary(invClient, 'getStock', o),
      configureItem: unary(invClient, 'configureItem', o),
      release: unary(invClient, 'release', o),
    };
    const warm = items.filter(i => i.warm !== false).map(i => i.id);
    if (warm.length > 0) {
      const res = await inventory.warmUp({ productIds: warm }, ADMIN);
      const bad = res.results.filter(r => r.outcome !== WarmUpOutcome.WARM_UP_OUTCOME_WARMED);
      if (bad.length > 0) throw new Error(`warm-up failed for ${bad.map(r => r.productId).join(', ')}`);
    }
    const config = testConfig();
    const hooks = createFlashSaleOrderHooks({ redis, config, namespace: flashNamespace });

    async function startFlash(options: FlashServerOptions = {}): Promise<FlashServer> {
      const opts = { ...defaults, ...options };
      const limits = { ...GENEROUS, ...defaults.limits, ...options.limits };
      const clock = opts.clock ?? systemClock;
      const rates = flashSaleRateRules({
        rateWindowMs: config.flashSale.rateWindowMs,
        buyUserLimit: limits.buyUser,
        buyIpLimit: limits.buyIp,
        tokenUserLimit: limits.tokenUser,
      });
      const settings = flashSaleSettings(config, { namespace: flashNamespace, rates, ...defaults.settings, ...options.settings });
      const client = createGrpcClient(InventoryServiceClient, opts.inventoryAddress ?? invServer.address);
      const breakers = createBreakers({ settings: breakerSettings(config), logger: testLogger('breakers') });
      const port = createInventoryPort(client, breakers.unaryOptions('inventory', 5_000));
      const deps: FlashSaleDeps = {
        redis,
        saleItems: createSaleItemRepo(db),
        inventory: opts.wrapInventory ? opts.wrapInventory(port) : port,
        // Own counters per server: tests give servers different limits for the same rules.
        rateLimiter: createRateLimiter({ redis, clock, prefix: `${flashNamespace}${uniqueId('rl')}:` }),
        idempotency: createIdempotency({ redis, clock, settings: idempotencySettings(config), logger: testLogger('idempotency'), prefix: flashNamespace }),
        clock,
        logger: testLogger('flashsale'),
        settings,
      };
      const server = await startTestServer(
        s => s.add(FlashSaleServiceService, createFlashSaleHandlers(deps)),
        opts.serverConfig ? { config: testConfig({ SHUTDOWN_GRACE_MS: '5000', ...opts.serverConfig }) } : {},
      );
      const flashClient = createGrpcClient(FlashSaleServiceClient, server.address);
      const close = async () => {
        flashClient.close();
        client.close();
        breakers.shutdown();
        await server.stop();
      };
      closers.push(close);
      return { rpc: bindFlash(flashClient), server, close };
    }

    const flash = await startFlash();
    const stockKeys = catalog.stock.keys;
    fixture = {
      redis,
      db,
      dbConfig: tdb.current.config,
      ns,
      flashNamespace,
      catalog,
      inventoryAddress: invServer.address,
      inventory,
      hooks,
      flash,
      startFlash,
      async orderCreatedIds() {
        const ids: string[] = [];
        for (const shard of stockKeys.allShards()) {
          const entries = (await redis.xrange(stockKeys.ordersStream(shard), '-', '+')) as Array<[string, string[]]>;
          for (const [id, fields] of entries) ids.push(parseOrderCreated(id, fields).orderId);
        }
        return ids;
      },
      async redisStock(productId) {
        const level = await catalog.stock.getStock(productId);
        return level.warmed ? level.stock : -1;
      },
      flashKey: (kind, userId, productId) => `${flashNamespace}flash:{${userId}}:${kind}:${productId}`,
    };
  });

  after(async function () {
    this.timeout(60_000);
    for (const close of closers.reverse()) await close().catch(() => undefined);
  });

  return {
    get current(): FlashFixture {
      if (!fixture) throw new Error('flash fixture not built yet (use it inside it/before hooks)');
      return fixture;
    },
  };
}

/** Metadata helpers for Buy calls. */
export function withMetadata(entries: Record<string, string>): CallOptions {
  return { metadata: entries };
}
