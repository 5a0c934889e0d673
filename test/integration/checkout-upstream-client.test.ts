// A client generated at run time from the upstream contract (protos/hipstershop/demo.proto through
// @grpc/proto-loader, the way upstream's Node services load it; none of our generated code) does
// AddItem → PlaceOrder, and the order appears in MySQL with its items, PAID: the order-created record
// the Reserve script wrote goes through the real forwarder, RocketMQ (test topic it-checkout-orders)
// and the order service's creation consumer; checkout's PAID event (it-checkout-status) through its
// status consumer. Fresh consumer groups per run.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Client, ServiceError } from '@grpc/grpc-js';
import { systemClock } from '../../src/platform/clock';
import { createMqConsumer, createMqProducer, type MqBatchHandler, type MqConsumer, type MqMetricEvent } from '../../src/platform/mq';
import type { RedisClient } from '../../src/platform/redis';
import { createOrderRepo } from '../../src/services/order/order-repo';
import { orderItems, orders } from '../../src/services/order/schema';
import { createCreationHandler } from '../../src/services/order/workers/creation-consumer';
import { createDeadLetterRepo } from '../../src/services/order/workers/dlq-repo';
import { createStatusHandler } from '../../src/services/order/workers/status-consumer';
import { startStockWorkers } from '../../src/services/productcatalog/workers';
import { uniqueId } from '../support/ids';
import { testConfig } from '../support/test-config';
import { useTestDatabase } from '../support/test-database';
import { testLogger } from '../support/test-logger';
import { createTestRedis } from '../support/test-redis';
import { unary, upstreamClient } from '../support/upstream-client';
import { STATUS_TOPIC, startCheckoutHarness, type CheckoutHarness } from './checkout-harness';
import { waitFor } from './stock-writer-harness';

const ORDERS_TOPIC = 'it-checkout-orders';

interface WireMoney {
  currency_code: string;
  units: string;
  nanos: number;
}
interface WireOrderResult {
  order_id: string;
  shipping_tracking_id: string;
  shipping_cost: WireMoney;
  shipping_address: Record<string, unknown>;
  items: Array<{ item: { product_id: string; quantity: number }; cost: WireMoney }>;
}

describe('checkout: a client built from upstream demo.proto (proto-loader)', function () {
  const tdb = useTestDatabase();
  let h: CheckoutHarness;
  let cart: Client;
  let checkout: Client;

  const consumers: MqConsumer[] = [];
  const blocking: RedisClient[] = [];
  let workers: Awaited<ReturnType<typeof startStockWorkers>> | undefined;

  /** A consumer in a fresh group, started and polled once (a new group begins at the queue's end). */
  async function consume(topic: string, handler: MqBatchHandler): Promise<void> {
    let polls = 0;
    const consumer = createMqConsumer({
      endpoints: testConfig().rocketmq.endpoints,
      namespace: '',
      group: `GID_it_co_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`,
      topic,
      batchSize: 100,
      invisibleMs: 30_000,
      awaitMs: 1000,
      logger: testLogger('order-pipeline'),
      startupTimeoutMs: 20_000,
      handler,
      metrics: (e: MqMetricEvent) => void (e.type === 'polled' && polls++),
    });
    consumers.push(consumer);
    await consumer.start();
    await waitFor(`a first poll on ${topic}`, () => polls > 0, 60_000);
  }

  before(async () => {
    h = await startCheckoutHarness(tdb.current.db);
    cart = upstreamClient('CartService', h.addresses.cart);
    checkout = upstreamClient('CheckoutService', h.addresses.checkout);

    // The order service's side of the pipeline, on this suite's database.
    const db = tdb.current.db;
    const logger = testLogger('order-pipeline');
    const repo = createOrderRepo(db, systemClock);
    const deadLetters = createDeadLetterRepo(db);
    await consume(ORDERS_TOPIC, createCreationHandler({ repo, deadLetters, clock: systemClock, logger, topic: ORDERS_TOPIC, group: 'it', retryDelayMs: 1000 }));
    await consume(STATUS_TOPIC, createStatusHandler({ repo, deadLetters, clock: systemClock, logger, topic: STATUS_TOPIC, group: 'it', retryDelayMs: 1000 }));
    const config = testConfig();
    workers = await startStockWorkers({
      redis: h.redis,
      openBlocking: async name => {
        const c = await createTestRedis(name, { blocking: true });
        blocking.push(c);
        return c;
      },
      stock: h.catalog.stock,
      clock: systemClock,
      logger,
      createProducer: () =>
        createMqProducer({ endpoints: config.rocketmq.endpoints, namespace: '', topics: [ORDERS_TOPIC], logger, startupTimeoutMs: config.rocketmq.startupTimeoutMs }),
      settings: { forwarder: { topic: ORDERS_TOPIC } },
      run: { forwarder: true, writer: false, trimmer: false },
    });
  });
  after(async () => {
    await workers?.stop();
    for (const c of consumers) await c.stop();
    for (const c of blocking) await c.quit().catch(() => undefined);
    cart?.close();
    checkout?.close();
    await h?.stop();
  });

  it('AddItem → PlaceOrder completes; the order lands in MySQL with its items, PAID, with exact totals', async () => {
    const user = uniqueId('session');
    await unary(cart, 'AddItem', { user_id: user, item: { product_id: 'L9ECAV7KIM', quantity: 1 } });
    await unary(cart, 'AddItem', { user_id: user, item: { product_id: '2ZYFJ3GM2N', quantity: 2 } });
    const address = { street_address: '1600 Amphitheatre Parkway', city: 'Mountain View', state: 'CA', country: 'United States', zip_code: 94043 };
    const res = await unary<{ order: WireOrderResult }>(checkout, 'PlaceOrder', {
      user_id: user,
      user_currency: 'JPY',
      address,
      email: 'someone@example.com',
      credit_card: { credit_card_number: '4432801561520454', credit_card_cvv: 672, credit_card_expiration_year: new Date().getUTCFullYear() + 1, credit_card_expiration_month: 1 },
    });
    const order = res.order;
    assert.match(order.order_id, /^[0-9a-f-]{36}$/);
    assert.equal(order.shipping_tracking_id, '');
    assert.deepEqual(order.shipping_address, address);
    assert.deepEqual(order.items.map(i => [i.item.product_id, i.item.quantity, i.cost.currency_code]), [
      ['L9ECAV7KIM', 1, 'JPY'],
      ['2ZYFJ3GM2N', 2, 'JPY'],
    ]);
    assert.equal(order.shipping_cost.currency_code, 'JPY');

    const [created] = await h.orderCreated(order.order_id);
    const draft = created!.order!;
    assert.equal(draft.userId, user);
    assert.equal(draft.email, 'someone@example.com');
    assert.equal(draft.shippingAddress?.zipCode, 94043);
    assert.deepEqual(
      draft.items.map(i => [i.productId, i.quantity, `${i.unitCost!.units}:${i.unitCost!.nanos}`]),
      order.items.map(i => [i.item.product_id, i.item.quantity, `${i.cost.units}:${i.cost.nanos}`]),
    );
    const nanos = (m: WireMoney) => BigInt(m.units) * 1_000_000_000n + BigInt(m.nanos);
    const total = nanos(order.shipping_cost) + order.items.reduce((acc, i) => acc + nanos(i.cost) * BigInt(i.item.quantity), 0n);
    assert.equal(draft.total!.units * 1_000_000_000n + BigInt(draft.total!.nanos), total, 'total = shipping + Σ unit × qty, exactly');
    assert.equal(await h.charges(order.order_id), 1);
    assert.deepEqual(await unary<{ items: unknown[] }>(cart, 'GetCart', { user_id: user }).then(c => c.items), []);

    // In MySQL: the order row with its lines, PAID with checkout's transaction id.
    const db = tdb.current.db;
    const row = async () => (await db.select().from(orders).where(eq(orders.orderId, order.order_id)))[0];
    await waitFor(`order ${order.order_id} PAID in MySQL`, async () => (await row())?.status === 'PAID', 120_000);
    const persisted = (await row())!;
    assert.equal(persisted.userId, user);
    assert.equal(persisted.source, 'PLACE_ORDER');
    assert.equal(persisted.email, 'someone@example.com');
    assert.equal(persisted.streetAddress, address.street_address);
    assert.match(persisted.transactionId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(persisted.totalUnits * 1_000_000_000n + BigInt(persisted.totalNanos), total);
    const lines = await db.select().from(orderItems).where(eq(orderItems.orderId, order.order_id));
    assert.deepEqual(
      lines.map(l => [l.productId, l.quantity]).sort(),
      order.items.map(i => [i.item.product_id, i.item.quantity]).sort(),
    );
  });

  it('errors reach the upstream client as standard codes with readable details', async () => {
    const err = await unary(checkout, 'PlaceOrder', { user_id: uniqueId('session'), user_currency: 'USD' }).catch((e: ServiceError) => e);
    assert.equal((err as ServiceError).code, 3);
    assert.equal((err as ServiceError).details, 'address: must be set');
  });
});
