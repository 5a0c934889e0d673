// A whole checkout world on real Redis + MariaDB + RocketMQ, every server on port 0: productcatalog
// (catalog + inventory, via its wiring), cart, currency, shipping, payment (from their handler
// factories) and checkout (its wiring) pointing at them. Handler calls are tallied per server so a
// test can tell which instance served. PAID / CANCELLED events go to it-checkout-status and are read
// back by a fresh consumer group.
import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import {
  CartServiceClient,
  CartServiceService,
  CheckoutServiceClient,
  CheckoutServiceService,
  CurrencyServiceService,
  PaymentServiceService,
  ProductCatalogServiceService,
  ShippingServiceService,
  type CartItem,
  type PlaceOrderRequest,
  type PlaceOrderResponse,
} from '../../src/gen/hipstershop/demo';
import { OrderStatusChanged } from '../../src/gen/shop/v1/events';
import { InventoryServiceClient, InventoryServiceService, WarmUpOutcome, type ReleaseResponse } from '../../src/gen/shop/v1/inventory';
import type { OrderCreated } from '../../src/gen/shop/v1/events';
import { ReleaseReason } from '../../src/gen/shop/v1/common';
import { systemClock } from '../../src/platform/clock';
import type { Db } from '../../src/platform/db';
import { createGrpcClient, unary, type CallOptions } from '../../src/platform/grpc-client';
import type { GrpcServer } from '../../src/platform/grpc-server';
import { ack, createMqConsumer, createMqProducer, type MqConsumer, type MqMessage, type MqMetricEvent, type MqProducer } from '../../src/platform/mq';
import type { RedisClient } from '../../src/platform/redis';
import { createCartHandlers, createRedisCartStore } from '../../src/services/cart';
import { checkoutSettings, createCheckoutParts, type CheckoutParts, type CheckoutSettings } from '../../src/services/checkout';
import { createCurrencyConverter, createCurrencyHandlers } from '../../src/services/currency';
import { createChargeRepo, createPaymentHandlers, createPaymentProcessor, paymentCharges } from '../../src/services/payment';
import { decodeOrderPayload } from '../../src/services/productcatalog/inventory/order-payload';
import { SEED_ITEMS, type SeedItem } from '../../src/services/productcatalog/seed/seed-data';
import { seedProducts } from '../../src/services/productcatalog/seed/seed-products';
import { parseOrderCreated } from '../../src/services/productcatalog/stock';
import { createProductCatalogParts, type ProductCatalogParts } from '../../src/services/productcatalog/wiring';
import { createFailurePolicy, createShipper, createShippingHandlers, cryptoRandomInt } from '../../src/services/shipping';
import { uniqueId } from '../support/ids';
import { testConfig } from '../support/test-config';
import { testLogger } from '../support/test-logger';
import { closeRedis, createTestRedis, deleteKeys } from '../support/test-redis';
import { startTestServer, type TestServer } from '../support/test-server';
import { startTcpProxy, type TcpProxy } from './checkout-tcp-proxy';
import { waitFor } from './stock-writer-harness';

export const ADMIN_TOKEN = 'checkout-test-admin-token-0123456789';
export const STATUS_TOPIC = 'it-checkout-status';
const ENDPOINTS = testConfig().rocketmq.endpoints;

const usd = (units: bigint, nanos: number) => ({ currencyCode: 'USD', units, nanos });
const testItem = (id: string, stock: number, perUserLimit = 0): SeedItem => ({
  product: { id, name: id, description: 'test item', picture: '/static/img/products/test.jpg', price: usd(5n, 490_000_000), categories: ['test'] },
  stock,
  perUserLimit,
  flashSale: false,
});

/** 2 left; limit 1 per user; never warmed. */
export const SCARCE = testItem('CO-SCARCE-1', 2);
export const LIMITED = testItem('CO-LIMITED-1', 50, 1);
export const COLD = testItem('CO-COLD-1', 50);
/** Plenty, for the concurrency and outage tests. */
export const PLENTY = testItem('CO-PLENTY-1', 100_000);

export type Dependency = 'cart' | 'productcatalog' | 'currency' | 'shipping' | 'payment';
export const DEPENDENCY_NAMES: readonly Dependency[] = ['cart', 'productcatalog', 'currency', 'shipping', 'payment'];

export interface StatusReader {
  /** Events seen for `orderId`, in arrival order. */
  events(orderId: string): OrderStatusChanged[];
  waitFor(orderId: string, count: number): Promise<OrderStatusChanged[]>;
  stop(): Promise<void>;
}

export interface ExtraCheckout {
  readonly address: string;
  readonly parts: CheckoutParts;
  placeOrder(req: PlaceOrderRequest, metadata?: Record<string, string>): Promise<PlaceOrderResponse>;
  stop(): Promise<void>;
}

export interface CheckoutHarness {
  readonly redis: RedisClient;
  readonly catalog: ProductCatalogParts;
  readonly checkout: CheckoutParts;
  readonly settings: CheckoutSettings;
  readonly addresses: Record<Dependency | 'checkout', string>;
  /** Handler calls per server name ('cart', 'cart-peer', …). */
  readonly calls: Map<string, number>;
  readonly status: StatusReader;
  /** Present with `paymentViaProxy`: checkout reaches payment through it. */
  readonly paymentProxy: TcpProxy | undefined;
  placeOrder(req: PlaceOrderRequest, metadata?: Record<string, string>): Promise<PlaceOrderResponse>;
  addItem(userId: string, productId: string, quantity: number): Promise<void>;
  cart(userId: string): Promise<CartItem[]>;
  stock(productId: string): Promise<number>;
  /** Rows of payment_charges (all, or with this idempotency key = order id). */
  charges(orderId?: string): Promise<number>;
  /** Decoded order-created records the Reserve script wrote for this order id. */
  orderCreated(orderId: string): Promise<OrderCreated[]>;
  /** What the order service's timeout cancel does: Release as PAYMENT_TIMEOUT. */
  releaseAsCleanup(orderId: string): Promise<ReleaseResponse>;
  /** Idempotency records under this harness's prefix. */
  keyCount(): Promise<number>;
  /** A second instance of a supporting service, tallied as '<name>-peer'. */
  startPeer(dep: Dependency): Promise<TestServer>;
  /** Another checkout on port 0 with some settings replaced. */
  startCheckout(overrides: Partial<CheckoutSettings>): Promise<ExtraCheckout>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  readonly settings?: Partial<CheckoutSettings>;
  readonly paymentViaProxy?: boolean;
}

/** Wraps every handler so calls are counted under `name`. */
function tallied<T extends object>(handlers: T, name: string, calls: Map<string, number>): T {
  const out: Record<string, unknown> = {};
  for (const [method, fn] of Object.entries(handlers)) {
    out[method] = (...args: unknown[]) => {
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return (fn as (...a: unknown[]) => unknown)(...args);
    };
  }
  return out as T;
}

async function startStatusReader(): Promise<StatusReader> {
  const seen = new Map<string, OrderStatusChanged[]>();
  let polls = 0;
  const consumer: MqConsumer = createMqConsumer({
    endpoints: ENDPOINTS,
    namespace: '',
    group: `GID_it_checkout_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`,
    topic: STATUS_TOPIC,
    batchSize: 32,
    invisibleMs: 10_000,
    awaitMs: 1000,
    logger: testLogger('status-reader'),
    startupTimeoutMs: 20_000,
    handler: async (batch: readonly MqMessage[]) => {
      for (const m of batch) {
        const e = OrderStatusChanged.decode(m.body);
        seen.set(e.orderId, [...(seen.get(e.orderId) ?? []), e]);
      }
      return batch.map(() => ack);
    },
    metrics: (e: MqMetricEvent) => {
      if (e.type === 'polled') polls += 1;
    },
  });
  await consumer.start();
  await waitFor('a first poll of the status reader group', () => polls > 0, 30_000);
  return {
    events: orderId => seen.get(orderId) ?? [],
    async waitFor(orderId, count) {
      await waitFor(`${count} status event(s) for ${orderId}`, () => (seen.get(orderId)?.length ?? 0) >= count, 30_000);
      return seen.get(orderId) ?? [];
    },
    stop: () => consumer.stop(),
  };
}

export async function startCheckoutHarness(db: Db, options: HarnessOptions = {}): Promise<CheckoutHarness> {
  const redis = await createTestRedis('checkout-test');
  const ns = uniqueId('co');
  const prefix = `test:${ns}:`;
  const calls = new Map<string, number>();
  const servers: TestServer[] = [];
  const stops: Array<() => Promise<void>> = [];

  await seedProducts(db, [...SEED_ITEMS, SCARCE, LIMITED, COLD, PLENTY], { reset: false, saleStartsAt: new Date(), overrideSaleStart: false });
  const catalog = createProductCatalogParts({
    redis,
    db,
    clock: systemClock,
    logger: testLogger('productcatalog'),
    adminToken: ADMIN_TOKEN,
    catalogSettings: { keyPrefix: `${prefix}catalog` },
    stockSettings: { namespace: ns },
  });
  const cartStore = createRedisCartStore(redis, { ttlSeconds: 3600, keyPrefix: `${prefix}cart:` });
  const payment = createPaymentHandlers(createPaymentProcessor({ repo: createChargeRepo(db), now: () => new Date() }));
  const currency = createCurrencyHandlers(createCurrencyConverter());
  const shipping = createShippingHandlers(createShipper({ random: cryptoRandomInt, failures: createFailurePolicy(0, cryptoRandomInt) }));

  function register(dep: Dependency, name: string): (s: GrpcServer) => void {
    switch (dep) {
      case 'cart':
        return s => s.add(CartServiceService, tallied(createCartHandlers(cartStore), name, calls));
      case 'productcatalog':
        return s => {
          s.add(ProductCatalogServiceService, tallied(catalog.catalogHandlers, name, calls));
          s.add(InventoryServiceService, tallied(catalog.inventoryHandlers, name, calls));
        };
      case 'currency':
        return s => s.add(CurrencyServiceService, tallied(currency, name, calls));
      case 'shipping':
        return s => s.add(ShippingServiceService, tallied(shipping, name, calls));
      case 'payment':
        return s => s.add(PaymentServiceService, tallied(payment, name, calls));
    }
  }

  async function serve(dep: Dependency, name: string): Promise<TestServer> {
    const server = await startTestServer(register(dep, name));
    servers.push(server);
    return server;
  }

  const addresses = {} as Record<Dependency | 'checkout', string>;
  for (const dep of DEPENDENCY_NAMES) addresses[dep] = (await serve(dep, dep)).address;
  let paymentProxy: TcpProxy | undefined;
  if (options.paymentViaProxy) {
    const [host, port] = addresses.payment.split(':') as [string, string];
    paymentProxy = await startTcpProxy(host, Number(port));
    stops.push(() => paymentProxy!.close());
  }

  const inventory = createGrpcClient(InventoryServiceClient, addresses.productcatalog);
  const adminCall: CallOptions = { metadata: { authorization: `Bearer ${ADMIN_TOKEN}` } };
  const warmUp = unary(inventory, 'warmUp', { defaultDeadlineMs: 10_000 });
  const release = unary(inventory, 'release', { defaultDeadlineMs: 10_000 });
  const warmIds = [...SEED_ITEMS, SCARCE, LIMITED, PLENTY].map(i => i.product.id);
  const warmed = await warmUp({ productIds: warmIds }, adminCall);
  if (!warmed.results.every(r => r.outcome === WarmUpOutcome.WARM_UP_OUTCOME_WARMED)) throw new Error('warm-up failed');

  const producer: MqProducer = createMqProducer({
    endpoints: ENDPOINTS,
    namespace: '',
    topics: [STATUS_TOPIC],
    logger: testLogger('status-producer'),
    startupTimeoutMs: 20_000,
  });
  await producer.start();
  const status = await startStatusReader();

  const base = checkoutSettings(testConfig());
  const settings: CheckoutSettings = {
    ...base,
    addresses: {
      cart: addresses.cart,
      productCatalog: addresses.productcatalog,
      currency: addresses.currency,
      shipping: addresses.shipping,
      payment: paymentProxy?.address ?? addresses.payment,
    },
    deadlineMs: 2_000,
    adminToken: ADMIN_TOKEN,
    breaker: { timeoutMs: 3_000, errorThresholdPercentage: 50, resetTimeoutMs: 500, volumeThreshold: 4, rollingWindowMs: 10_000 },
    idempotency: { lockTtlMs: 30_000, resultTtlMs: 600_000, derivedTtlMs: 60_000, waitMs: 10_000 },
    limits: {
      user: { name: 'place-order per user', limit: 1_000, windowMs: 1_000 },
      ip: { name: 'place-order per address', limit: 100_000, windowMs: 1_000 },
      trustForwardedFor: false,
    },
    statusTopic: STATUS_TOPIC,
    keyPrefix: prefix,
    ...options.settings,
  };

  async function startCheckout(overrides: Partial<CheckoutSettings>): Promise<ExtraCheckout> {
    const parts = createCheckoutParts({ settings: { ...settings, ...overrides }, redis, producer, clock: systemClock, logger: testLogger('checkout') });
    const server = await startTestServer(s => s.add(CheckoutServiceService, parts.handlers));
    const client = createGrpcClient(CheckoutServiceClient, server.address);
    const place = unary(client, 'placeOrder', { defaultDeadlineMs: 20_000 });
    return {
      address: server.address,
      parts,
      placeOrder: (req, metadata) => place(req, metadata ? { metadata } : {}),
      async stop() {
        client.close();
        await server.stop();
        parts.close();
      },
    };
  }

  const main = await startCheckout({});
  addresses.checkout = main.address;
  const cartClient = createGrpcClient(CartServiceClient, addresses.cart);
  const addItem = unary(cartClient, 'addItem', { defaultDeadlineMs: 10_000 });
  const getCart = unary(cartClient, 'getCart', { defaultDeadlineMs: 10_000 });

  return {
    redis,
    catalog,
    checkout: main.parts,
    settings,
    addresses,
    calls,
    status,
    paymentProxy,
    placeOrder: main.placeOrder,
    addItem: async (userId, productId, quantity) => void (await addItem({ userId, item: { productId, quantity } })),
    cart: async userId => (await getCart({ userId })).items,
    async stock(productId) {
      const level = await catalog.stock.getStock(productId);
      return level.warmed ? level.stock : -1;
    },
    async charges(orderId) {
      const rows = await db
        .select({ n: sql<number>`count(*)` })
        .from(paymentCharges)
        .where(orderId === undefined ? undefined : eq(paymentCharges.idempotencyKey, orderId));
      return Number(rows[0]?.n ?? 0);
    },
    async orderCreated(orderId) {
      const out: OrderCreated[] = [];
      for (const shard of catalog.stock.keys.allShards()) {
        const entries = (await redis.xrange(catalog.stock.keys.ordersStream(shard), '-', '+')) as Array<[string, string[]]>;
        for (const [id, fields] of entries) {
          const rec = parseOrderCreated(id, fields);
          if (rec.orderId === orderId) out.push(decodeOrderPayload(rec.payload));
        }
      }
      return out;
    },
    releaseAsCleanup: orderId => release({ orderId, reason: ReleaseReason.RELEASE_REASON_PAYMENT_TIMEOUT, note: 'test cleanup' }, adminCall),
    async keyCount() {
      let n = 0;
      for (const node of 'nodes' in redis ? redis.nodes('master') : [redis]) {
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}idem:*`, 'COUNT', 500);
          n += keys.length;
          cursor = next;
        } while (cursor !== '0');
      }
      return n;
    },
    startPeer: dep => serve(dep, `${dep}-peer`),
    startCheckout,
    async stop() {
      await main.stop();
      cartClient.close();
      inventory.close();
      await status.stop();
      await producer.stop();
      for (const stop of stops) await stop();
      for (const s of servers) await s.stop();
      await deleteKeys(redis, prefix);
      await deleteKeys(redis, `{${ns}:`);
      await closeRedis(redis);
    },
  };
}

/** A PlaceOrderRequest like upstream's frontend sends (its form defaults). */
export function placeOrderRequest(userId: string, overrides: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest {
  return {
    userId,
    userCurrency: 'USD',
    address: { streetAddress: '1600 Amphitheatre Parkway', city: 'Mountain View', state: 'CA', country: 'United States', zipCode: 94043 },
    email: 'someone@example.com',
    creditCard: { creditCardNumber: '4432-8015-6152-0454', creditCardCvv: 672, creditCardExpirationYear: new Date().getUTCFullYear() + 1, creditCardExpirationMonth: 1 },
    ...overrides,
  };
}
