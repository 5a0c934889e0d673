// The order service wired for tests, all real: a migrated per-suite MariaDB database, Redis, the
// productcatalog InventoryService and the PaymentService on port 0 (payment charges in the same
// database, as in production), and OrderService on port 0. `placeOrder` reserves real stock through
// InventoryService.Reserve and then inserts the row the way the creation consumer does. Cancels go
// through the real transactional producer (it-order-tx) and a release consumer on a fresh group.
import { ChannelCredentials } from '@grpc/grpc-js';
import { PaymentServiceClient, PaymentServiceService } from '../../../src/gen/hipstershop/demo';
import { OrderSource, type OrderDraft } from '../../../src/gen/shop/v1/common';
import { InventoryServiceClient, InventoryServiceService, ReserveOutcome, WarmUpOutcome } from '../../../src/gen/shop/v1/inventory';
import { OrderServiceClient, OrderServiceService } from '../../../src/gen/shop/v1/order';
import { createAdminGuard } from '../../../src/platform/admin-auth';
import { systemClock, type Clock } from '../../../src/platform/clock';
import type { Db } from '../../../src/platform/db';
import { createGrpcClient, unary } from '../../../src/platform/grpc-client';
import { createMqConsumer, type MqConsumer } from '../../../src/platform/mq';
import type { RedisClient } from '../../../src/platform/redis';
import { createChargeRepo } from '../../../src/services/payment/charge-repo';
import { createPaymentProcessor } from '../../../src/services/payment/processor';
import { createPaymentHandlers } from '../../../src/services/payment/server';
import { createChargeLookup } from '../../../src/services/order/clients/charge-lookup';
import { createInventoryReleaser } from '../../../src/services/order/clients/inventory-releaser';
import { createPaymentCharger } from '../../../src/services/order/clients/payment-charger';
import { createDeadLetterHandlers } from '../../../src/services/order/dead-letter-handlers';
import { orderFromDraft } from '../../../src/services/order/draft';
import type { StatusEventInput } from '../../../src/services/order/status-event';
import { createOrderParts, type OrderParts } from '../../../src/services/order/wiring';
import { createDeadLetterRepo } from '../../../src/services/order/workers/dlq-repo';
import { createReleaseHandler } from '../../../src/services/order/workers/release-consumer';
import type { SeedItem } from '../../../src/services/productcatalog/seed/seed-data';
import { SEED_ITEMS } from '../../../src/services/productcatalog/seed/seed-data';
import { seedProducts } from '../../../src/services/productcatalog/seed/seed-products';
import { createProductCatalogParts, type ProductCatalogParts } from '../../../src/services/productcatalog/wiring';
import { uniqueId } from '../../support/ids';
import { testLogger } from '../../support/test-logger';
import { closeRedis, createTestRedis, deleteKeys } from '../../support/test-redis';
import { startTestServer, type TestServer } from '../../support/test-server';
import { testConfig } from '../../support/test-config';
import { startCancelTx, TX_TOPIC } from './cancel-tx-fixture';

export const ADMIN_TOKEN = 'order-test-admin-token-42';
export const GOOD_CARD = { creditCardNumber: '4432801561520454', creditCardCvv: 672, creditCardExpirationYear: 2039, creditCardExpirationMonth: 1 };
/** Fails Luhn. */
export const BAD_CARD = { ...GOOD_CARD, creditCardNumber: '4432801561520455' };
export const ITEM: SeedItem = { product: { ...SEED_ITEMS[0]!.product, id: 'ORDER-TEST-1', name: 'Order test item' }, stock: 100_000, perUserLimit: 0, flashSale: false };

export interface OrderRig {
  readonly db: Db;
  readonly redis: RedisClient;
  readonly parts: OrderParts;
  readonly catalog: ProductCatalogParts;
  readonly client: OrderServiceClient;
  readonly rpc: ReturnType<typeof bindOrderRpc>;
  readonly published: StatusEventInput[];
  /** Reserves stock for a new order (payment window `windowMs`) and inserts its row like the consumer. */
  placeOrder(opts?: { windowMs?: number; userId?: string; quantity?: number }): Promise<OrderDraft>;
  redisStock(): Promise<number>;
  close(): Promise<void>;
}

export function bindOrderRpc(c: OrderServiceClient) {
  const o = { defaultDeadlineMs: 20_000 };
  return {
    getOrder: unary(c, 'getOrder', o),
    listOrders: unary(c, 'listOrders', o),
    getOrderProgress: unary(c, 'getOrderProgress', o),
    payOrder: unary(c, 'payOrder', o),
    cancelOrder: unary(c, 'cancelOrder', o),
  };
}

export async function startOrderRig(db: Db, opts: { mysqlUrl: string; clock?: Clock; payingLeaseMs?: number }): Promise<OrderRig> {
  const clock = opts.clock ?? systemClock;
  const ns = uniqueId('ord');
  const redis = await createTestRedis('order-test');
  const subscriber = await createTestRedis('order-test-sub', { blocking: true });
  const logger = testLogger('order');
  await seedProducts(db, [ITEM], { reset: false, saleStartsAt: new Date(), overrideSaleStart: false });
  const catalog = createProductCatalogParts({
    redis, db, clock, logger, adminToken: ADMIN_TOKEN,
    catalogSettings: { keyPrefix: `test:${ns}:catalog` },
    stockSettings: { namespace: ns },
  });
  const servers: TestServer[] = [];
  const inventoryServer = await startTestServer(s => s.add(InventoryServiceService, catalog.inventoryHandlers));
  servers.push(inventoryServer);
  const paymentServer = await startTestServer(s =>
    s.add(PaymentServiceService, createPaymentHandlers(createPaymentProcessor({ repo: createChargeRepo(db), now: () => new Date(clock.now()) }))),
  );
  servers.push(paymentServer);
  const inventoryClient = createGrpcClient(InventoryServiceClient, inventoryServer.address);
  const paymentClient = createGrpcClient(PaymentServiceClient, paymentServer.address);
  const deadline = { defaultDeadlineMs: 10_000 };
  const admin = { metadata: { authorization: `Bearer ${ADMIN_TOKEN}` } };
  const warmUp = await unary(inventoryClient, 'warmUp', deadline)({ productIds: [ITEM.product.id] }, admin);
  if (warmUp.results[0]?.outcome !== WarmUpOutcome.WARM_UP_OUTCOME_WARMED) throw new Error('warm-up failed');
  const reserve = unary(inventoryClient, 'reserve', deadline);

  const published: StatusEventInput[] = [];
  // The checker reads the repo built just below (check-backs come seconds later).
  const lookup = { getHeader: (id: string, lock?: 'update') => parts.repo.getHeader(id, lock) };
  const cancelTx = await startCancelTx({ repo: lookup, mysqlUrl: opts.mysqlUrl, logger });
  const parts = createOrderParts({
    db,
    redis,
    subscriber,
    clock,
    logger,
    inventory: createInventoryReleaser(inventoryClient, ADMIN_TOKEN, deadline),
    payment: createPaymentCharger(paymentClient, deadline),
    charges: createChargeLookup(createChargeRepo(db)),
    deadLetters: createDeadLetterHandlers({
      repo: createDeadLetterRepo(db),
      publish: () => Promise.reject(new Error('no broker in this suite')),
      admin: createAdminGuard(ADMIN_TOKEN),
      sources: [],
      clock,
    }),
    publishStatus: async e => {
      published.push(e);
    },
    cancelTx: cancelTx.tx,
    settings: { resultTtlMs: 3_600_000, payingLeaseMs: opts.payingLeaseMs ?? 60_000, listPageSize: 20, keyPrefix: `test:${ns}:` },
  });
  const { rocketmq } = testConfig();
  let polled = false;
  const releaseConsumer: MqConsumer = createMqConsumer({
    ...rocketmq, group: uniqueId('GID_it_order_release'), topic: TX_TOPIC, batchSize: 16, invisibleMs: 10_000, awaitMs: 1_000, logger,
    metrics: e => void (e.type === 'polled' && (polled = true)),
    handler: createReleaseHandler({ cancel: parts.cancel, origin: cancelTx.origin, logger }),
  });
  await releaseConsumer.start();
  for (const end = Date.now() + 30_000; !polled; await new Promise(r => setTimeout(r, 50))) {
    if (Date.now() > end) throw new Error('release consumer did not poll within 30 s');
  }
  const orderServer = await startTestServer(s => s.add(OrderServiceService, parts.handlers));
  servers.push(orderServer);
  const client = new OrderServiceClient(orderServer.address, ChannelCredentials.createInsecure());

  let seq = 0;
  return {
    db,
    redis,
    parts,
    catalog,
    client,
    rpc: bindOrderRpc(client),
    published,
    async placeOrder(o = {}) {
      const now = clock.now();
      const quantity = o.quantity ?? 1;
      const unit = ITEM.product.price!;
      const items = [{ productId: ITEM.product.id, quantity, unitCost: { ...unit } }];
      const shipping = { currencyCode: unit.currencyCode, units: 5n, nanos: 0 };
      const totalNanos = (unit.units * 1_000_000_000n + BigInt(unit.nanos)) * BigInt(quantity) + 5n * 1_000_000_000n;
      const draft: OrderDraft = {
        orderId: uniqueId(`order${seq++}`),
        userId: o.userId ?? uniqueId('user'),
        source: OrderSource.ORDER_SOURCE_FLASH_SALE,
        userCurrency: unit.currencyCode,
        email: 'buyer@example.com',
        shippingAddress: { streetAddress: '1 Test Way', city: 'Berlin', state: 'BE', country: 'Germany', zipCode: 10115 },
        items,
        shippingCost: shipping,
        total: { currencyCode: unit.currencyCode, units: totalNanos / 1_000_000_000n, nanos: Number(totalNanos % 1_000_000_000n) },
        createdAt: new Date(now),
        expiresAt: new Date(now + (o.windowMs ?? 30 * 60_000)),
        idempotencyKey: '',
      };
      const r = await reserve({ order: draft });
      if (r.outcome !== ReserveOutcome.RESERVE_OUTCOME_RESERVED) throw new Error(`reserve: ${r.outcome}`);
      await parts.results.markInProgress(draft.orderId, draft.userId, draft.expiresAt);
      await parts.repo.insertBatch([orderFromDraft(draft, new Date(now))]);
      return draft;
    },
    async redisStock() {
      const level = await catalog.stock.getStock(ITEM.product.id);
      return level.warmed ? level.stock : -1;
    },
    async close() {
      client.close();
      inventoryClient.close();
      paymentClient.close();
      await parts.hub.close();
      await releaseConsumer.stop();
      await cancelTx.stop();
      await Promise.all(servers.map(s => s.stop()));
      await deleteKeys(redis, `{${ns}:`);
      await deleteKeys(redis, `test:${ns}:`);
      await closeRedis(redis);
    },
  };
}
