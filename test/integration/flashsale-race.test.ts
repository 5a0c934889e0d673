// The flash-sale Done-when: 10 000 Buy attempts from 2 000 users (each attempt = IssueToken then Buy,
// 200 in flight, a user's attempts may overlap) for 500 units with a limit of 1 per user, through
// FlashSaleService → InventoryService over real gRPC on real Redis + MariaDB.
// Exactly 500 ACCEPTED, nobody holds two, every other reply a definite refusal (no gRPC error), the
// inventory ends at 0, every accepted order id is on the order-created path (the orders streams the
// forwarder relays to RocketMQ) exactly once with nothing else there, and — through the real forwarder,
// RocketMQ (test topic it-flash-orders) and the order service's creation consumer — each accepted
// order ends up as exactly one orders row (PENDING_PAYMENT, FLASH_SALE) with its one line.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import { BuyResult, type BuyResponse } from '../../src/gen/shop/v1/flashsale';
import { systemClock } from '../../src/platform/clock';
import { createMqConsumer, createMqProducer, type MqMetricEvent } from '../../src/platform/mq';
import { orderItems, orders } from '../../src/services/order/schema';
import { createOrderRepo } from '../../src/services/order/order-repo';
import { createCreationHandler } from '../../src/services/order/workers/creation-consumer';
import { createDeadLetterRepo } from '../../src/services/order/workers/dlq-repo';
import { startStockWorkers } from '../../src/services/productcatalog/workers';
import { testConfig } from '../support/test-config';
import { testLogger } from '../support/test-logger';
import { createTestRedis } from '../support/test-redis';
import { inPool, prng, shuffle } from './stock-fixtures';
import { waitFor } from './stock-writer-harness';
import { useFlashFixture } from './flashsale-fixture';

const UNITS = 500;
const USERS = 2000;
const ATTEMPTS = 10_000;
const IN_FLIGHT = 200;
const SKU = 'RACE-FLASH-1';

/** Declared in scripts/rocketmq/topics.txt; the consumer group is fresh per run. */
const TOPIC = 'it-flash-orders';

const ADDRESS = { streetAddress: '1600 Amphitheatre Parkway', city: 'Mountain View', state: 'CA', country: 'United States', zipCode: 94043 };

describe('flash sale: 10 000 Buy attempts from 2 000 users for 500 units (limit 1)', function () {
  this.timeout(600_000);
  const fx = useFlashFixture([{ id: SKU, stock: UNITS, limit: 1 }]);
  const replies: Array<{ user: string; reply: BuyResponse }> = [];
  const errors: unknown[] = [];

  before(async function () {
    this.timeout(600_000);
    const { rpc } = fx.current.flash;
    const random = prng(500);
    const users = Array.from({ length: USERS }, (_, i) => `race-user-${i}`);
    const attempts = shuffle(Array.from({ length: ATTEMPTS }, (_, i) => users[i % USERS]!), random);
    await inPool(attempts, IN_FLIGHT, async user => {
      try {
        const { token } = await rpc.issueToken({ userId: user, productId: SKU });
        const reply = await rpc.buy({ userId: user, productId: SKU, quantity: 1, token, userCurrency: '', shippingAddress: ADDRESS, email: `${user}@example.com` });
        replies.push({ user, reply });
      } catch (err) {
        errors.push(err);
      }
    });
  });

  it('answers every attempt with a reply (no gRPC error)', () => {
    assert.deepEqual(errors.map(e => (e as Error).message).slice(0, 5), []);
    assert.equal(replies.length, ATTEMPTS);
  });

  it('accepts exactly 500 orders, with distinct ids, at most one per user', () => {
    const accepted = replies.filter(r => r.reply.result === BuyResult.BUY_RESULT_ACCEPTED);
    assert.equal(accepted.length, UNITS);
    assert.equal(new Set(accepted.map(r => r.reply.orderId)).size, UNITS);
    const perUser = new Map<string, number>();
    for (const r of accepted) perUser.set(r.user, (perUser.get(r.user) ?? 0) + 1);
    assert.deepEqual([...perUser.values()].filter(n => n > 1), []);
    for (const r of accepted) assert.ok(r.reply.expiresAt instanceof Date && r.reply.orderId !== '');
  });

  it('refuses every other attempt definitely (sold out, limit, unpaid order or token)', () => {
    const definite = new Set([
      BuyResult.BUY_RESULT_SOLD_OUT,
      BuyResult.BUY_RESULT_LIMIT_EXCEEDED,
      BuyResult.BUY_RESULT_UNPAID_ORDER_EXISTS,
      BuyResult.BUY_RESULT_INVALID_TOKEN,
    ]);
    const others = replies.filter(r => r.reply.result !== BuyResult.BUY_RESULT_ACCEPTED);
    assert.equal(others.length, ATTEMPTS - UNITS);
    const unexpected = others.filter(r => !definite.has(r.reply.result));
    assert.deepEqual(unexpected.slice(0, 3), []);
    const counts: Record<string, number> = {};
    for (const r of others) counts[BuyResult[r.reply.result]] = (counts[BuyResult[r.reply.result]] ?? 0) + 1;
    // Sold out dominates: 500 units for 2 000 users.
    assert.ok((counts.BUY_RESULT_SOLD_OUT ?? 0) > 0, JSON.stringify(counts));
    for (const r of others) assert.notEqual(r.reply.reason, '');
  });

  it('leaves the inventory at 0', async () => {
    assert.equal(await fx.current.redisStock(SKU), 0);
    const info = await fx.current.inventory.getStock({ productId: SKU });
    assert.equal(info.redisStock, 0n);
  });

  it('puts every accepted order id on the order-created path exactly once, and nothing else', async () => {
    const ids = await fx.current.orderCreatedIds();
    const accepted = replies.filter(r => r.reply.result === BuyResult.BUY_RESULT_ACCEPTED).map(r => r.reply.orderId);
    assert.equal(ids.length, UNITS);
    assert.deepEqual([...ids].sort(), [...accepted].sort());
  });

  it('persists every accepted order exactly once: forwarder → RocketMQ → order creation consumer → MySQL', async function () {
    this.timeout(300_000);
    const f = fx.current;
    const config = testConfig();
    const logger = testLogger('flashsale-persist');
    const accepted = replies.filter(r => r.reply.result === BuyResult.BUY_RESULT_ACCEPTED);
    const ids = accepted.map(r => r.reply.orderId);
    const group = `GID_it_flash_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
    const handler = createCreationHandler({
      repo: createOrderRepo(f.db, systemClock),
      deadLetters: createDeadLetterRepo(f.db),
      clock: systemClock,
      logger,
      topic: TOPIC,
      group,
      retryDelayMs: 1000,
    });
    let polls = 0;
    const consumer = createMqConsumer({
      endpoints: config.rocketmq.endpoints,
      namespace: '',
      group,
      topic: TOPIC,
      batchSize: 100,
      invisibleMs: 30_000,
      awaitMs: 1000,
      logger,
      startupTimeoutMs: config.rocketmq.startupTimeoutMs,
      handler,
      metrics: (e: MqMetricEvent) => {
        if (e.type === 'polled') polls += 1;
      },
    });
    const blocking: Array<{ quit(): Promise<unknown> }> = [];
    let workers: Awaited<ReturnType<typeof startStockWorkers>> | undefined;
    await consumer.start();
    try {
      // A new group starts at the queue's end: let it poll once before anything is sent.
      await waitFor('a first poll of the creation consumer', () => polls > 0, 60_000);
      workers = await startStockWorkers({
        redis: f.redis,
        openBlocking: async name => {
          const c = await createTestRedis(name, { blocking: true });
          blocking.push(c);
          return c;
        },
        stock: f.catalog.stock,
        clock: systemClock,
        logger,
        createProducer: () =>
          createMqProducer({ endpoints: config.rocketmq.endpoints, namespace: '', topics: [TOPIC], logger, startupTimeoutMs: config.rocketmq.startupTimeoutMs }),
        settings: { forwarder: { topic: TOPIC } },
        run: { forwarder: true, writer: false, trimmer: false },
      });
      const persisted = async () => (await f.db.select({ id: orders.orderId }).from(orders).where(inArray(orders.orderId, ids))).length;
      await waitFor('500 order rows', async () => (await persisted()) >= ids.length, 240_000);

      const rows = await f.db.select().from(orders).where(inArray(orders.orderId, ids));
      assert.equal(rows.length, ids.length);
      assert.equal(new Set(rows.map(r => r.orderId)).size, ids.length);
      const userOf = new Map(accepted.map(r => [r.reply.orderId, r.user]));
      for (const row of rows) {
        assert.equal(row.userId, userOf.get(row.orderId));
        assert.equal(row.status, 'PENDING_PAYMENT');
        assert.equal(row.source, 'FLASH_SALE');
        assert.equal(row.totalUnits, 19n);
        assert.equal(row.totalNanos, 990_000_000);
        assert.equal(row.streetAddress, ADDRESS.streetAddress);
      }
      const lines = await f.db.select().from(orderItems).where(inArray(orderItems.orderId, ids));
      assert.equal(lines.length, ids.length);
      assert.ok(lines.every(l => l.productId === SKU && l.quantity === 1));
      assert.equal(handler.stats().deadLettered, 0);
    } finally {
      await workers?.stop();
      await consumer.stop();
      for (const c of blocking) await c.quit().catch(() => undefined);
    }
  });
});
