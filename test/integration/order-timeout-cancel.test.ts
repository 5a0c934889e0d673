// Timeout cancellation on the real stack (MariaDB, Redis, RocketMQ, InventoryService over gRPC, stock
// write-behind): with a 3 s payment window unpaid orders are CANCELLED by their DELAY timer, never before
// the deadline; stock is back in Redis and (after the stock writer drains) in MySQL; the buyer's per-user
// limit is restored; payments racing the cancel end in exactly one outcome; the backstop scan cancels
// orders whose timer was lost, once, with two replicas; a PAYING order is left to its payer.
import assert from 'node:assert/strict';
import { OrderSource, ReleaseReason, type OrderDraft } from '../../src/gen/shop/v1/common';
import { InventoryServiceClient, InventoryServiceService, ReserveOutcome, WarmUpOutcome } from '../../src/gen/shop/v1/inventory';
import { systemClock } from '../../src/platform/clock';
import { createGrpcClient, unary } from '../../src/platform/grpc-client';
import { createMqProducer, type MqMetricEvent, type MqProducer } from '../../src/platform/mq';
import type { RedisClient } from '../../src/platform/redis';
import type { CancelOrderDeps } from '../../src/services/order/cancel-order';
import { createInventoryReleaser, type InventoryReleaser, type ReleaseResult } from '../../src/services/order/clients/inventory-releaser';
import { orderFromDraft } from '../../src/services/order/draft';
import { createOrderRepo, type OrderRepo } from '../../src/services/order/order-repo';
import { TIMEOUT_CANCEL_REASON } from '../../src/services/order/workers/cleanup-scan';
import { createFailureNotes } from '../../src/services/order/workers/dlq-failure-notes';
import type { DlqSource } from '../../src/services/order/workers/dlq-letters';
import { createDeadLetterRepo } from '../../src/services/order/workers/dlq-repo';
import { schedulePaymentDeadline } from '../../src/services/order/workers/timeout-schedule';
import { createTimeoutWorkers, type TimeoutWorkers } from '../../src/services/order/workers/timeout-workers';
import { SEED_ITEMS, type SeedItem } from '../../src/services/productcatalog/seed/seed-data';
import { seedProducts } from '../../src/services/productcatalog/seed/seed-products';
import { startStockWorkers, type StockWorkers } from '../../src/services/productcatalog/workers';
import { createProductCatalogParts, type ProductCatalogParts } from '../../src/services/productcatalog/wiring';
import { uniqueId } from '../support/ids';
import { testConfig } from '../support/test-config';
import { useTestDatabase } from '../support/test-database';
import { testLogger } from '../support/test-logger';
import { closeRedis, createTestRedis, deleteKeys } from '../support/test-redis';
import { startTestServer, type TestServer } from '../support/test-server';
import { startCancelTx, type CancelTxFixture } from './order/cancel-tx-fixture';
import { sleep, waitFor } from './order-shipping-fixtures';

const ADMIN_TOKEN = 'timeout-test-admin-token';
const WINDOW_MS = 3_000;
const SOURCE: DlqSource = { group: 'GID_it_order_timeout', topic: 'it-order-timeout', kind: 'DELAY' };
const logger = testLogger('timeout');
const { rocketmq } = testConfig();

const item = (id: string, stock: number, perUserLimit: number): SeedItem => ({
  product: { ...SEED_ITEMS[0]!.product, id, name: id },
  stock,
  perUserLimit,
  flashSale: false,
});
const LIMITED = item('TO-LIMITED', 10, 1);
const RACY = item('TO-RACY', 100, 0);
const LOST = item('TO-LOST', 50, 0);

describe('order timeout cancel (3 s payment window, real stack)', function () {
  this.timeout(180_000);
  const tdb = useTestDatabase();
  let redis: RedisClient;
  let ns: string;
  let parts: ProductCatalogParts;
  let server: TestServer;
  let client: InventoryServiceClient;
  let rpc: { reserve: ReturnType<typeof unary<InventoryServiceClient, 'reserve'>>; getStock: ReturnType<typeof unary<InventoryServiceClient, 'getStock'>> };
  let stockWorkers: StockWorkers;
  let producer: MqProducer;
  let repo: OrderRepo;
  let releases: Map<string, ReleaseResult[]>;
  let cancelDeps: CancelOrderDeps;
  let cancelTx: CancelTxFixture;
  let running: TimeoutWorkers[] = [];

  before(async () => {
    redis = await createTestRedis('timeout-test');
    ns = uniqueId('to');
    await seedProducts(tdb.current.db, [LIMITED, RACY, LOST], { reset: false, saleStartsAt: new Date(), overrideSaleStart: false });
    parts = createProductCatalogParts({
      redis, db: tdb.current.db, clock: systemClock, logger, adminToken: ADMIN_TOKEN,
      catalogSettings: { keyPrefix: `test:${ns}:catalog` }, stockSettings: { namespace: ns },
    });
    server = await startTestServer(s => s.add(InventoryServiceService, parts.inventoryHandlers));
    client = createGrpcClient(InventoryServiceClient, server.address);
    rpc = { reserve: unary(client, 'reserve', { defaultDeadlineMs: 10_000 }), getStock: unary(client, 'getStock', { defaultDeadlineMs: 10_000 }) };
    const warm = unary(client, 'warmUp', { defaultDeadlineMs: 10_000 });
    const warmed = await warm({ productIds: [LIMITED, RACY, LOST].map(i => i.product.id) }, { metadata: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.ok(warmed.results.every(r => r.outcome === WarmUpOutcome.WARM_UP_OUTCOME_WARMED));
    stockWorkers = await startStockWorkers({
      redis, openBlocking: name => createTestRedis(name, { blocking: true }), stock: parts.stock, clock: systemClock, logger,
      db: tdb.current.db, run: { writer: true, forwarder: false, trimmer: false }, settings: { writer: { blockMs: 200 } },
    });
    producer = createMqProducer({ endpoints: rocketmq.endpoints, namespace: rocketmq.namespace, topics: [SOURCE.topic], logger, startupTimeoutMs: rocketmq.startupTimeoutMs });
    await producer.start();
    repo = createOrderRepo(tdb.current.db, systemClock, { payingLeaseMs: 1_500 });
    releases = new Map();
    const real = createInventoryReleaser(client, ADMIN_TOKEN, { defaultDeadlineMs: 10_000 });
    const counting: InventoryReleaser = {
      async release(orderId, reason, note) {
        const outcome = await real.release(orderId, reason, note);
        releases.set(orderId, [...(releases.get(orderId) ?? []), outcome]);
        return outcome;
      },
    };
    cancelTx = await startCancelTx({ repo, mysqlUrl: tdb.current.config.mysql.url, logger });
    cancelDeps = { repo, inventory: counting, clock: systemClock, logger, tx: cancelTx.tx };
  });

  afterEach(async () => {
    await Promise.all(running.map(w => w.stop()));
    running = [];
  });

  after(async () => {
    await stockWorkers?.stop();
    await producer?.stop();
    await cancelTx?.stop();
    client?.close();
    await server?.stop();
    if (redis) {
      await deleteKeys(redis, `{${ns}:`);
      await deleteKeys(redis, `test:${ns}:`);
      await closeRedis(redis);
    }
  });

  /** A replica's timeout workers on the test topic; resolves once its consumer has polled the broker. */
  async function timeoutWorkers(scanIntervalMs = 3_600_000): Promise<TimeoutWorkers> {
    let polled = false;
    const workers = createTimeoutWorkers({
      mq: { ...rocketmq, awaitMs: 1_000, metrics: (e: MqMetricEvent) => void (e.type === 'polled' && (polled = true)) },
      repo,
      cancel: cancelDeps,
      producer,
      deadLetters: createDeadLetterRepo(tdb.current.db),
      notes: createFailureNotes(redis, { keyPrefix: `test:${ns}:`, ttlMs: 600_000 }),
      clock: systemClock,
      logger,
      settings: { timeoutScanIntervalMs: scanIntervalMs, timeoutScanBatch: 50 },
      source: SOURCE,
      retryBackoff: { initialMs: 300, maxMs: 1_000, jitter: 0 },
    });
    running.push(workers);
    await workers.start();
    await waitFor('a first poll of the timeout consumer', () => polled, 30_000);
    return workers;
  }

  function draft(productId: string, quantity: number, userId = uniqueId('buyer')): OrderDraft {
    const createdAt = new Date();
    const unit = { currencyCode: 'USD', units: 19n, nanos: 990_000_000 };
    const totalNanos = (19_990_000_000n * BigInt(quantity)) + 8_990_000_000n;
    return {
      orderId: uniqueId('to'),
      userId,
      source: OrderSource.ORDER_SOURCE_FLASH_SALE,
      userCurrency: 'USD',
      email: 'buyer@example.com',
      shippingAddress: { streetAddress: '1 Main St', city: 'Springfield', state: 'IL', country: 'US', zipCode: 62701 },
      items: [{ productId, quantity, unitCost: unit }],
      shippingCost: { currencyCode: 'USD', units: 8n, nanos: 990_000_000 },
      total: { currencyCode: 'USD', units: totalNanos / 1_000_000_000n, nanos: Number(totalNanos % 1_000_000_000n) },
      createdAt,
      expiresAt: new Date(createdAt.getTime() + WINDOW_MS),
      idempotencyKey: '',
    };
  }

  /** Reserve → row (what the creation consumer does) → timer, unless `timer` is false (a lost timer). */
  async function accept(d: OrderDraft, timer = true): Promise<OrderDraft> {
    const res = await rpc.reserve({ order: d });
    assert.equal(res.outcome, ReserveOutcome.RESERVE_OUTCOME_RESERVED, `reserve ${d.orderId}`);
    await repo.insertBatch([orderFromDraft(d, res.reservedAt)]);
    if (timer) await schedulePaymentDeadline(producer, { orderId: d.orderId, expiresAt: d.expiresAt! }, { topic: SOURCE.topic });
    return d;
  }

  const stockOf = async (productId: string) => rpc.getStock({ productId });

  async function drained(productId: string, expected: number): Promise<void> {
    await waitFor(`MySQL stock of ${productId} = ${expected}`, async () => {
      const s = await stockOf(productId);
      return Number(s.mysqlStock) === expected && Number(s.pendingDelta) === 0;
    }, 30_000);
  }

  it('unpaid orders are cancelled by their timer at the deadline: stock back in Redis and MySQL, buyers may buy again', async () => {
    await timeoutWorkers();
    const buyers = Array.from({ length: 5 }, () => uniqueId('buyer'));
    const orders: OrderDraft[] = [];
    for (const b of buyers) orders.push(await accept(draft(LIMITED.product.id, 1, b)));
    assert.equal(Number((await stockOf(LIMITED.product.id)).redisStock), LIMITED.stock - buyers.length);
    // While the order holds the buyer's one allowed unit, a second order is refused.
    const again = await rpc.reserve({ order: draft(LIMITED.product.id, 1, buyers[0]) });
    assert.equal(again.outcome, ReserveOutcome.RESERVE_OUTCOME_LIMIT_EXCEEDED);

    await waitFor('all orders CANCELLED', async () =>
      (await Promise.all(orders.map(o => repo.getHeader(o.orderId)))).every(h => h?.status === 'CANCELLED'), WINDOW_MS + 15_000);

    for (const o of orders) {
      const h = (await repo.getHeader(o.orderId))!;
      assert.equal(h.failureReason, TIMEOUT_CANCEL_REASON);
      const history = await repo.history(o.orderId);
      assert.deepEqual(history.map(e => e.to), ['PENDING_PAYMENT', 'CANCELLED']);
      assert.ok(history[1]!.at.getTime() >= o.expiresAt!.getTime(), `cancelled ${o.expiresAt!.getTime() - history[1]!.at.getTime()} ms before its deadline`);
      await waitFor('stock release recorded', async () => (await repo.getHeader(o.orderId))?.stockReleasedAt != null, 10_000);
      assert.deepEqual(releases.get(o.orderId), ['released']);
    }
    assert.equal(Number((await stockOf(LIMITED.product.id)).redisStock), LIMITED.stock);
    await drained(LIMITED.product.id, LIMITED.stock);

    // The per-user mark went back with the stock: every buyer can buy again.
    for (const b of buyers) {
      const res = await rpc.reserve({ order: draft(LIMITED.product.id, 1, b) });
      assert.equal(res.outcome, ReserveOutcome.RESERVE_OUTCOME_RESERVED);
    }
  });

  it('payments racing the cancel at the deadline: each order ends either PAID or CANCELLED, never both', async () => {
    await timeoutWorkers(250); // timers AND the backstop scan compete with the payers
    const before = Number((await stockOf(RACY.product.id)).redisStock);
    const orders: OrderDraft[] = [];
    for (let i = 0; i < 24; i++) orders.push(await accept(draft(RACY.product.id, 1 + (i % 3))));

    // Payers arrive spread around each deadline: half as a PAID event (PENDING_PAYMENT → PAID), half as
    // PayOrder does it (take the PAYING lock — only before the deadline — then PAID).
    const paid = await Promise.all(orders.map(async (o, i) => {
      const at = o.expiresAt!.getTime() - 400 + ((i * 137) % 800);
      await sleep(Math.max(0, at - Date.now()));
      if (i % 2 === 0) return (await repo.transition(o.orderId, 'PAID', { transactionId: `tx-${o.orderId}` })).kind === 'applied';
      const lock = await repo.transition(o.orderId, 'PAYING', { onlyBeforeDeadline: true });
      if (lock.kind !== 'applied') return false;
      return (await repo.transition(o.orderId, 'PAID', { transactionId: `tx-${o.orderId}` })).kind === 'applied';
    }));

    await waitFor('every order settled', async () =>
      (await Promise.all(orders.map(o => repo.getHeader(o.orderId)))).every(h => h?.status === 'PAID' || (h?.status === 'CANCELLED' && h.stockReleasedAt)),
      WINDOW_MS + 20_000);

    let expectedStock = before;
    let paidCount = 0;
    for (const [i, o] of orders.entries()) {
      const h = (await repo.getHeader(o.orderId))!;
      const finals = (await repo.history(o.orderId)).map(e => e.to).filter(s => s === 'PAID' || s === 'CANCELLED');
      assert.equal(finals.length, 1, `${o.orderId}: ${finals.join(',')}`);
      assert.equal(h.status, finals[0]);
      assert.equal(h.status === 'PAID', paid[i], `${o.orderId}: the payer's view agrees with the row`);
      if (h.status === 'PAID') {
        paidCount++;
        expectedStock -= o.items[0]!.quantity;
        assert.equal(releases.get(o.orderId), undefined, 'a paid order is never released');
        assert.equal(h.stockReleasedAt, null);
      } else {
        assert.ok((releases.get(o.orderId) ?? []).includes('released'));
      }
    }
    assert.ok(paidCount > 0 && paidCount < orders.length, `both outcomes occur (paid ${paidCount}/${orders.length})`);
    assert.equal(Number((await stockOf(RACY.product.id)).redisStock), expectedStock);
    await drained(RACY.product.id, expectedStock);
  });

  it('lost timers: the backstop scan cancels expired orders once, with two replicas scanning', async () => {
    const orders: OrderDraft[] = [];
    for (let i = 0; i < 12; i++) orders.push(await accept(draft(LOST.product.id, 2), false));
    await sleep(Math.max(0, orders[orders.length - 1]!.expiresAt!.getTime() - Date.now()));
    // Two replicas start together: each runs a first scan pass at once, then both scan again at the same
    // moment. SKIP LOCKED splits the rows; the guarded transition makes a second cancel impossible.
    const [a, b] = await Promise.all([timeoutWorkers(3_600_000), timeoutWorkers(3_600_000)]);
    await Promise.all([a.scanOnce(), b.scanOnce()]);
    for (const o of orders) {
      const h = (await repo.getHeader(o.orderId))!;
      assert.equal(h.status, 'CANCELLED');
      assert.notEqual(h.stockReleasedAt, null);
      assert.deepEqual((await repo.history(o.orderId)).map(e => e.to), ['PENDING_PAYMENT', 'CANCELLED']);
      assert.equal((releases.get(o.orderId) ?? []).filter(r => r === 'released').length, 1);
    }
    assert.equal(Number((await stockOf(LOST.product.id)).redisStock), LOST.stock);
    await drained(LOST.product.id, LOST.stock);
  });

  it('a release that failed after the cancel is re-driven by the scan', async () => {
    const o = await accept(draft(LOST.product.id, 1), false);
    await sleep(Math.max(0, o.expiresAt!.getTime() - Date.now()));
    // Cancel with Release failing (inventory unreachable): committed CANCELLED, stock not yet back.
    const broken: CancelOrderDeps = { ...cancelDeps, inventory: { release: async () => { throw new Error('UNAVAILABLE: inventory down'); } } };
    const { cancelOrder } = await import('../../src/services/order/cancel-order');
    const r = await cancelOrder(broken, o.orderId, { reason: TIMEOUT_CANCEL_REASON, releaseReason: ReleaseReason.RELEASE_REASON_PAYMENT_TIMEOUT });
    assert.equal(r.kind, 'cancelled');
    assert.equal((await repo.getHeader(o.orderId))?.stockReleasedAt, null);
    const workers = await timeoutWorkers(3_600_000); // its scan runs a first pass at start
    await workers.scanOnce();
    assert.notEqual((await repo.getHeader(o.orderId))?.stockReleasedAt, null);
    assert.deepEqual(releases.get(o.orderId), ['released']);
  });

  it('an order being paid (PAYING) at its deadline is left to the payer; cancelled once the payment is declined', async () => {
    await timeoutWorkers();
    const paying = await accept(draft(RACY.product.id, 1));
    const declined = await accept(draft(RACY.product.id, 1));
    for (const o of [paying, declined]) assert.equal((await repo.transition(o.orderId, 'PAYING', { onlyBeforeDeadline: true })).kind, 'applied');
    await sleep(Math.max(0, declined.expiresAt!.getTime() + 500 - Date.now()));
    assert.equal((await repo.getHeader(paying.orderId))?.status, 'PAYING');
    assert.equal((await repo.transition(paying.orderId, 'PAID', { transactionId: 'tx-1' })).kind, 'applied');
    assert.equal((await repo.transition(declined.orderId, 'PENDING_PAYMENT', { reason: 'card declined' })).kind, 'applied');
    await waitFor('the declined order CANCELLED by its retried timer', async () => (await repo.getHeader(declined.orderId))?.status === 'CANCELLED', 20_000);
    assert.equal((await repo.getHeader(paying.orderId))?.status, 'PAID');
    assert.equal(releases.get(paying.orderId), undefined);
  });
});
