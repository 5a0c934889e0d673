// The shop the checkout bench drives, in this process like `make run` (one process, one gRPC server per
// service, reflection on): productcatalog (catalog + inventory), cart, currency, shipping, payment and
// checkout (CheckoutService + FlashSaleService), on 127.0.0.1 port 0, with a throw-away database and
// its own Redis key prefix and stock namespace. Rate limits are lifted (one client address drives it).
import { CartServiceService, CheckoutServiceService, CurrencyServiceService, PaymentServiceService, ProductCatalogServiceService, ShippingServiceService } from '../../src/gen/hipstershop/demo';
import { FlashSaleServiceClient, FlashSaleServiceService } from '../../src/gen/shop/v1/flashsale';
import { InventoryServiceClient, InventoryServiceService, WarmUpOutcome } from '../../src/gen/shop/v1/inventory';
import { systemClock } from '../../src/platform/clock';
import type { Config } from '../../src/platform/config';
import { createDatabase, migrate, type Database } from '../../src/platform/db';
import { createGrpcClient, unary } from '../../src/platform/grpc-client';
import { createGrpcServer, type GrpcServer } from '../../src/platform/grpc-server';
import type { Logger } from '../../src/platform/logger';
import { createMqProducer, type MqProducer } from '../../src/platform/mq';
import { loadProtoDefinition, shopProtoSource } from '../../src/platform/protos';
import type { RedisClient } from '../../src/platform/redis';
import { createCartHandlers, createRedisCartStore, type CartStore } from '../../src/services/cart';
import { checkoutSettings, createCheckoutParts, type CheckoutParts } from '../../src/services/checkout';
import { DEPENDENCIES } from '../../src/services/checkout/clients';
import { createFlashSaleHandlers, createInventoryPort, createSaleItemRepo, flashSaleSettings } from '../../src/services/checkout/flashsale';
import { createCurrencyConverter, createCurrencyHandlers } from '../../src/services/currency';
import { createChargeRepo, createPaymentHandlers, createPaymentProcessor } from '../../src/services/payment';
import { UPSTREAM_PRODUCTS } from '../../src/services/productcatalog/seed/seed-data';
import { seedProducts } from '../../src/services/productcatalog/seed/seed-products';
import { createProductCatalogParts } from '../../src/services/productcatalog/wiring';
import { createFailurePolicy, createShipper, createShippingHandlers, cryptoRandomInt } from '../../src/services/shipping';

/** PlaceOrder carts hold one of each; Buy takes one unit of the flash item per user. */
export const CART_ITEMS = ['BENCH-CO-A', 'BENCH-CO-B'] as const;
export const FLASH_ITEM = 'BENCH-CO-FLASH';
/** A FIFO test topic (scripts/rocketmq/topics.txt), so the bench's PAID events never reach the shop's order service. */
export const STATUS_TOPIC = 'it-checkout-status';
const ADMIN_TOKEN = 'bench-checkout-admin-token';
const UNLIMITED = 1_000_000_000;

export interface World {
  readonly checkoutAddress: string;
  readonly currencyAddress: string;
  readonly checkout: CheckoutParts;
  /** Fills `users` carts with CART_ITEMS (one each), straight into the cart store. */
  fillCarts(users: readonly string[]): Promise<void>;
  /** IssueToken for each user (flash item), `concurrency` calls in flight; returns the tokens in order. */
  issueTokens(users: readonly string[], concurrency: number): Promise<string[]>;
  stock(productId: string): Promise<number>;
  stop(): Promise<void>;
}

export interface WorldOptions {
  readonly config: Readonly<Config>;
  readonly redis: RedisClient;
  readonly databaseUrl: string;
  /** Redis key prefix (idempotency, rate limits, carts, catalog cache, flash-sale keys). */
  readonly prefix: string;
  /** Stock namespace ({<ns>:inv:N}). */
  readonly namespace: string;
  readonly stock: number;
  readonly logger: Logger;
}

export async function startWorld(o: WorldOptions): Promise<World> {
  const { config, redis, logger } = o;
  const servers: GrpcServer[] = [];
  const closers: Array<() => Promise<void> | void> = [];
  const reflection = loadProtoDefinition(shopProtoSource());
  const database: Database = createDatabase({ ...config, mysql: { ...config.mysql, url: o.databaseUrl, poolSize: 8 } }, { logger });
  closers.push(() => database.close());
  await migrate(database);
  const template = UPSTREAM_PRODUCTS[0]!;
  const item = (id: string, flashSale: boolean) => ({
    product: { ...template, id, name: id },
    stock: o.stock,
    perUserLimit: flashSale ? 1 : 0,
    flashSale,
  });
  await seedProducts(database.db, [...CART_ITEMS.map(id => item(id, false)), item(FLASH_ITEM, true)], {
    reset: true,
    saleStartsAt: new Date(Date.now() - 60_000),
    overrideSaleStart: true,
  });

  async function serve(register: (s: GrpcServer) => void): Promise<string> {
    const server = createGrpcServer({ logger, config, reflection, clock: systemClock });
    register(server);
    servers.push(server);
    return `127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
  }

  const catalog = createProductCatalogParts({
    redis,
    db: database.db,
    clock: systemClock,
    logger,
    adminToken: ADMIN_TOKEN,
    catalogSettings: { keyPrefix: `${o.prefix}catalog` },
    stockSettings: { namespace: o.namespace },
  });
  const cartStore: CartStore = createRedisCartStore(redis, { ttlSeconds: 3600, keyPrefix: `${o.prefix}cart:` });
  const productCatalog = await serve(s => {
    s.add(ProductCatalogServiceService, catalog.catalogHandlers);
    s.add(InventoryServiceService, catalog.inventoryHandlers);
  });
  const cart = await serve(s => s.add(CartServiceService, createCartHandlers(cartStore)));
  const currency = await serve(s => s.add(CurrencyServiceService, createCurrencyHandlers(createCurrencyConverter())));
  const shipping = await serve(s =>
    s.add(ShippingServiceService, createShippingHandlers(createShipper({ random: cryptoRandomInt, failures: createFailurePolicy(0, cryptoRandomInt) }))),
  );
  const payment = await serve(s =>
    s.add(PaymentServiceService, createPaymentHandlers(createPaymentProcessor({ repo: createChargeRepo(database.db), now: () => new Date() }))),
  );

  const inventory = createGrpcClient(InventoryServiceClient, productCatalog);
  closers.push(() => inventory.close());
  const warmUp = unary(inventory, 'warmUp', { defaultDeadlineMs: 30_000 });
  const warmed = await warmUp({ productIds: [...CART_ITEMS, FLASH_ITEM] }, { metadata: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  if (!warmed.results.every(r => r.outcome === WarmUpOutcome.WARM_UP_OUTCOME_WARMED)) throw new Error('bench warm-up failed');

  const producer: MqProducer = createMqProducer({
    endpoints: config.rocketmq.endpoints,
    namespace: config.rocketmq.namespace,
    topics: [STATUS_TOPIC],
    logger,
    startupTimeoutMs: config.rocketmq.startupTimeoutMs,
  });
  await producer.start();
  closers.push(() => producer.stop());

  const base = checkoutSettings(config);
  const parts = createCheckoutParts({
    settings: {
      ...base,
      addresses: { cart, productCatalog, currency, shipping, payment },
      adminToken: ADMIN_TOKEN,
      limits: {
        ...base.limits,
        user: { ...base.limits.user, limit: UNLIMITED },
        ip: { ...base.limits.ip, limit: UNLIMITED },
      },
      statusTopic: STATUS_TOPIC,
      keyPrefix: o.prefix,
    },
    redis,
    producer,
    clock: systemClock,
    logger,
  });
  closers.push(() => parts.close());
  const flashInventory = createGrpcClient(InventoryServiceClient, productCatalog);
  closers.push(() => flashInventory.close());
  const baseFlash = flashSaleSettings(config);
  const flash = createFlashSaleHandlers({
    redis,
    saleItems: createSaleItemRepo(database.db),
    inventory: createInventoryPort(flashInventory, parts.breakers.unaryOptions(DEPENDENCIES.inventory, config.rpc.deadlineMs)),
    rateLimiter: parts.limiter,
    idempotency: parts.idempotency,
    clock: systemClock,
    logger,
    settings: flashSaleSettings(config, {
      namespace: o.prefix,
      rates: {
        buyUser: { ...baseFlash.rates.buyUser, limit: UNLIMITED },
        buyIp: { ...baseFlash.rates.buyIp, limit: UNLIMITED },
        tokenUser: { ...baseFlash.rates.tokenUser, limit: UNLIMITED },
      },
    }),
    convertPrice: (price, to) => parts.clients.convert(price, to),
  });
  const checkoutAddress = await serve(s => {
    s.add(CheckoutServiceService, parts.handlers);
    s.add(FlashSaleServiceService, flash);
  });
  const flashClient = createGrpcClient(FlashSaleServiceClient, checkoutAddress);
  closers.push(() => flashClient.close());
  const issueToken = unary(flashClient, 'issueToken', { defaultDeadlineMs: 30_000 });

  return {
    checkoutAddress,
    currencyAddress: currency,
    checkout: parts,
    async fillCarts(users) {
      for (let i = 0; i < users.length; i += 200) {
        await Promise.all(users.slice(i, i + 200).flatMap(u => CART_ITEMS.map(id => cartStore.addItem(u, id, 1))));
      }
    },
    async issueTokens(users, concurrency) {
      const tokens = new Array<string>(users.length);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < users.length) {
          const i = next++;
          tokens[i] = (await issueToken({ userId: users[i]!, productId: FLASH_ITEM })).token;
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      return tokens;
    },
    async stock(productId) {
      const level = await catalog.stock.getStock(productId);
      return level.warmed ? level.stock : -1;
    },
    async stop() {
      for (const s of servers.reverse()) await s.stop();
      for (const close of closers.reverse()) await close();
    },
  };
}
