// Issue 3's flash-sale Done-when, end to end over real gRPC: 20 000 concurrent InventoryService.Reserve
// calls (fresh order id each, 200 in flight over 4 channels, a user's calls may overlap) from 5 000 users
// on one item with 1 000 units and a limit of 2 → exactly 1 000 units reserved, nobody above 2, every
// other reply a definite refusal, stock never negative. Then the real write-behind worker and forwarder
// drain it: MySQL = Redis = 0, and every reserved order id (and no other) is on the RocketMQ topic.
// Runs on the single node or, with STOCK_TEST_REDIS=cluster, on the 3-master Redis Cluster.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ServiceError } from '@grpc/grpc-js';
import { OrderSource, type OrderDraft } from '../../src/gen/shop/v1/common';
import { OrderCreated } from '../../src/gen/shop/v1/events';
import {
  InventoryServiceClient,
  InventoryServiceService,
  ReserveOutcome,
  WarmUpOutcome,
  type ReserveResponse,
} from '../../src/gen/shop/v1/inventory';
import { systemClock } from '../../src/platform/clock';
import { createGrpcClient, unary, type CallOptions } from '../../src/platform/grpc-client';
import { ack, createMqConsumer, createMqProducer, type MqConsumer, type MqMessage, type MqMetricEvent } from '../../src/platform/mq';
import { seedProducts } from '../../src/services/productcatalog/seed/seed-products';
import { startStockWorkers, type StockWorkers } from '../../src/services/productcatalog/workers';
import { createProductCatalogParts, type ProductCatalogParts } from '../../src/services/productcatalog/wiring';
import { useTestDatabase } from '../support/test-database';
import { testLogger } from '../support/test-logger';
import { deleteKeys } from '../support/test-redis';
import { startTestServer, type TestServer } from '../support/test-server';
import { seedItem } from './flashsale-fixture';
import { ENDPOINTS } from './forwarder-harness';
import { inPool, prng, shuffle, stockChanges } from './stock-fixtures';
import {
  allDrained, auditCounts, mysqlStocks, redisMode, sleep, stockLines, stockRig, unsynced, waitFor, type StockRig,
} from './stock-writer-harness';

const UNITS = 1000;
const LIMIT = 2;
const USERS = 5000;
const CALLS = 20_000;
const IN_FLIGHT = 200;
const CHANNELS = 4;
const SKU = 'IT-SALE-1';
const SHARDS = 4;
/** Declared in scripts/rocketmq/topics.txt; the reader's consumer group is fresh per run. */
const TOPIC = 'it-inventory-sale';
const ADMIN_TOKEN = 'inventory-sale-test-admin-token';
const ADMIN: CallOptions = { metadata: { authorization: `Bearer ${ADMIN_TOKEN}` } };
/** Generous: the machine is shared; nothing here asserts timing. */
const DEADLINE_MS = 120_000;

const DEFINITE_REFUSALS = new Set([ReserveOutcome.RESERVE_OUTCOME_SOLD_OUT, ReserveOutcome.RESERVE_OUTCOME_LIMIT_EXCEEDED]);

interface Call {
  readonly orderId: string;
  readonly userId: string;
  readonly qty: number;
}

type Rpc = ReturnType<typeof bind>;

function bind(client: InventoryServiceClient) {
  const o = { defaultDeadlineMs: DEADLINE_MS };
  return { warmUp: unary(client, 'warmUp', o), reserve: unary(client, 'reserve', o), getStock: unary(client, 'getStock', o) };
}

function draft(call: Call): OrderDraft {
  return {
    orderId: call.orderId,
    userId: call.userId,
    source: OrderSource.ORDER_SOURCE_FLASH_SALE,
    userCurrency: 'USD',
    email: `${call.userId}@example.com`,
    shippingAddress: { streetAddress: '1600 Amphitheatre Parkway', city: 'Mountain View', state: 'CA', country: 'United States', zipCode: 94043 },
    items: [{ productId: SKU, quantity: call.qty, unitCost: { currencyCode: 'USD', units: 19n, nanos: 990_000_000 } }],
    shippingCost: { currencyCode: 'USD', units: 0n, nanos: 0 },
    total: { currencyCode: 'USD', units: 19n * BigInt(call.qty), nanos: 990_000_000 * call.qty % 1_000_000_000 },
    createdAt: new Date(),
    expiresAt: new Date(Date.now() + 30 * 60_000),
    idempotencyKey: call.orderId,
  };
}

/** Every message of TOPIC whose key starts with `prefix` (the topic outlives runs), via a fresh group. */
async function startTopicReader(prefix: string): Promise<{ messages: MqMessage[]; polls(): number; stop(): Promise<void> }> {
  const messages: MqMessage[] = [];
  let polls = 0;
  const consumer: MqConsumer = createMqConsumer({
    endpoints: ENDPOINTS,
    namespace: '',
    group: `GID_it_inv_sale_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`,
    topic: TOPIC,
    batchSize: 32,
    invisibleMs: 30_000,
    awaitMs: 1000,
    logger: testLogger('sale-reader'),
    startupTimeoutMs: 60_000,
    handler: async batch => {
      for (const m of batch) if (m.keys[0]?.startsWith(prefix)) messages.push(m);
      return batch.map(() => ack);
    },
    metrics: (e: MqMetricEvent) => {
      if (e.type === 'polled') polls += 1;
    },
  });
  await consumer.start();
  return { messages, polls: () => polls, stop: () => consumer.stop() };
}

describe(`inventory gRPC: 20 000 Reserve calls from 5 000 users on 1 000 units, limit 2, drained to MySQL and RocketMQ (${redisMode} Redis)`, function () {
  this.timeout(900_000);
  const tdb = useTestDatabase();
  let rig: StockRig;
  let parts: ProductCatalogParts;
  let server: TestServer;
  let clients: InventoryServiceClient[] = [];
  let rpcs: Rpc[] = [];
  let reader: Awaited<ReturnType<typeof startTopicReader>> | undefined;
  let workers: StockWorkers | undefined;

  const random = prng(3_000);
  let calls: Call[] = [];
  const replies = new Map<string, ReserveResponse>();
  const errors: Array<{ orderId: string; code: number | undefined; details: string }> = [];
  /** Every stock figure GetStock reported, during the sale and during the drain. */
  const stockSeen: Array<{ redis: bigint; mysql: bigint }> = [];
  const pollErrors: string[] = [];
  let overlappingUsers = 0;
  let prefix = '';

  /** GetStock over gRPC until `stop()`; a failed poll is recorded, not retried silently. */
  function pollStock(rpc: Rpc): { stop(): Promise<void> } {
    let running = true;
    const loop = (async () => {
      while (running) {
        try {
          const s = await rpc.getStock({ productId: SKU });
          stockSeen.push({ redis: s.redisStock, mysql: s.mysqlStock });
        } catch (err) {
          pollErrors.push((err as Error).message);
        }
        await sleep(25);
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
      },
    };
  }

  before(async function () {
    this.timeout(300_000);
    rig = await stockRig(SHARDS);
    prefix = `${rig.namespace}-o`;
    await seedProducts(tdb.current.db, [seedItem({ id: SKU, stock: UNITS, limit: LIMIT })], {
      reset: false,
      saleStartsAt: new Date(Date.now() - 3_600_000),
      overrideSaleStart: false,
    });
    parts = createProductCatalogParts({
      redis: rig.redis,
      db: tdb.current.db,
      clock: systemClock,
      logger: testLogger('productcatalog'),
      adminToken: ADMIN_TOKEN,
      catalogSettings: { keyPrefix: `test:${rig.namespace}:catalog` },
      stockSettings: { namespace: rig.namespace, shards: SHARDS },
    });
    server = await startTestServer(s => s.add(InventoryServiceService, parts.inventoryHandlers));
    // Separate subchannel pools: four real HTTP/2 connections, not one shared.
    clients = Array.from({ length: CHANNELS }, () => createGrpcClient(InventoryServiceClient, server.address, { 'grpc.use_local_subchannel_pool': 1 }));
    rpcs = clients.map(bind);

    const warmed = await rpcs[0]!.warmUp({ productIds: [SKU] }, ADMIN);
    assert.deepEqual(warmed.results.map(r => [r.productId, r.outcome, r.stock]), [[SKU, WarmUpOutcome.WARM_UP_OUTCOME_WARMED, BigInt(UNITS)]]);

    // The reader's fresh group starts at the topic's end: it must be polling before the forwarder runs
    // (it is started long before; the wait for a poll is at the drain).
    reader = await startTopicReader(prefix);

    // Each user makes 4 calls (qty 1 or 2), in a shuffled order: a user's calls often run at once.
    calls = shuffle(
      Array.from({ length: CALLS }, (_, i) => ({ orderId: `${prefix}${i}`, userId: `${rig.namespace}-u${i % USERS}`, qty: random() < 0.7 ? 1 : 2 })),
      random,
    );
    const inFlight = new Map<string, number>();
    const overlapped = new Set<string>();
    const poller = pollStock(rpcs[CHANNELS - 1]!);
    try {
      await inPool(calls, IN_FLIGHT, async (call, n) => {
        const now = (inFlight.get(call.userId) ?? 0) + 1;
        inFlight.set(call.userId, now);
        if (now > 1) overlapped.add(call.userId);
        try {
          replies.set(call.orderId, await rpcs[n % CHANNELS]!.reserve({ order: draft(call) }));
        } catch (err) {
          const e = err as ServiceError;
          errors.push({ orderId: call.orderId, code: e.code, details: e.details ?? e.message });
        } finally {
          inFlight.set(call.userId, inFlight.get(call.userId)! - 1);
        }
      });
    } finally {
      await poller.stop();
    }
    overlappingUsers = overlapped.size;
  });

  after(async () => {
    await workers?.stop();
    await reader?.stop();
    for (const c of clients) c.close();
    await server?.stop();
    if (rig) {
      await deleteKeys(rig.redis, `test:${rig.namespace}:`);
      await rig.cleanup();
    }
  });

  const reservedCalls = () => calls.filter(c => replies.get(c.orderId)?.outcome === ReserveOutcome.RESERVE_OUTCOME_RESERVED);

  it('answers every call with a reply (no gRPC error), with some users having calls in flight at once', () => {
    assert.deepEqual(errors.slice(0, 5), [], `${errors.length} calls failed`);
    assert.equal(replies.size, CALLS);
    assert.ok(overlappingUsers > 0, 'the run had users with overlapping calls');
  });

  it('reserves exactly 1 000 units, nobody above 2; every other reply is SOLD_OUT or LIMIT_EXCEEDED', async () => {
    const reserved = reservedCalls();
    assert.equal(reserved.reduce((sum, c) => sum + c.qty, 0), UNITS, 'sum of RESERVED quantities');

    const perUser = new Map<string, number>();
    for (const c of reserved) perUser.set(c.userId, (perUser.get(c.userId) ?? 0) + c.qty);
    assert.deepEqual([...perUser].filter(([, n]) => n > LIMIT), [], 'no user above the limit');
    const buyers = await rig.redis.hgetall(parts.stock.keys.buyers(parts.stock.keys.shardOf(SKU), SKU));
    assert.deepEqual(new Map(Object.entries(buyers).map(([u, q]) => [u, Number(q)])), perUser, 'the per-user counts in Redis match the replies');

    const counts: Record<string, number> = {};
    for (const c of calls) {
      const r = replies.get(c.orderId)!;
      counts[ReserveOutcome[r.outcome]] = (counts[ReserveOutcome[r.outcome]] ?? 0) + 1;
      if (r.outcome === ReserveOutcome.RESERVE_OUTCOME_RESERVED) {
        assert.equal(r.orderId, c.orderId);
        continue;
      }
      assert.ok(DEFINITE_REFUSALS.has(r.outcome), `${c.orderId}: ${ReserveOutcome[r.outcome]} is not a definite refusal`);
      assert.equal(r.refusedLine?.productId, SKU);
      if (r.outcome === ReserveOutcome.RESERVE_OUTCOME_LIMIT_EXCEEDED) assert.equal(r.refusedLine?.limitPerUser, LIMIT);
    }
    assert.ok((counts.RESERVE_OUTCOME_SOLD_OUT ?? 0) > 0, JSON.stringify(counts));
  });

  it('never shows negative stock: GetStock during the sale, and every stock change in execution order', async () => {
    assert.deepEqual(pollErrors.slice(0, 3), []);
    assert.ok(stockSeen.length > 0);
    assert.deepEqual(stockSeen.filter(s => s.redis < 0n || s.mysql < 0n).slice(0, 3), []);
    const info = await rpcs[0]!.getStock({ productId: SKU });
    assert.equal(info.redisStock, 0n);

    const reserved = new Map(reservedCalls().map(c => [c.orderId, c.qty]));
    const changes = await stockChanges(parts.stock, rig.redis, parts.stock.keys.shardOf(SKU));
    assert.equal(changes.length, reserved.size, 'one stock-change record per reserved order');
    let stock = UNITS;
    for (const c of changes) {
      assert.deepEqual(c.lines.map(l => [l.sku, l.delta]), [[SKU, -reserved.get(c.orderId)!]]);
      stock += c.lines[0]!.delta;
      assert.equal(c.lines[0]!.after, stock);
      assert.ok(stock >= 0, `stock went to ${stock} at ${c.orderId}`);
    }
    assert.equal(stock, 0);
  });

  it('after the real workers drain: MySQL = Redis = 0, and every reserved order id (only those) is on the RocketMQ topic', async function () {
    this.timeout(900_000);
    const { db } = tdb.current;
    const reserved = new Set(reservedCalls().map(c => c.orderId));
    const stockStreams = parts.stock.keys.allShards().map(s => parts.stock.keys.stockStream(s));
    const orderStreams = parts.stock.keys.allShards().map(s => parts.stock.keys.ordersStream(s));
    await waitFor('a first poll of the test reader', () => reader!.polls() > 0, 120_000);

    const logger = testLogger('sale-workers');
    workers = await startStockWorkers({
      redis: rig.redis,
      openBlocking: rig.openBlocking,
      stock: parts.stock,
      clock: systemClock,
      logger,
      db,
      createProducer: () => createMqProducer({ endpoints: ENDPOINTS, namespace: '', topics: [TOPIC], logger, startupTimeoutMs: 60_000 }),
      run: { writer: true, forwarder: true, trimmer: false },
      settings: { forwarder: { topic: TOPIC } },
    });
    const poller = pollStock(rpcs[0]!);
    try {
      await waitFor('the stock streams to drain into MySQL', () => allDrained(rig.redis, stockStreams, workers!.settings.writer.group), 600_000);
      await waitFor('the orders streams to drain into RocketMQ', () => allDrained(rig.redis, orderStreams, workers!.settings.forwarder.group), 600_000);
      await waitFor('every reserved order on the topic', () => {
        const seen = new Set(reader!.messages.map(m => m.keys[0]!));
        return [...reserved].every(id => seen.has(id));
      }, 600_000);
    } finally {
      await poller.stop();
    }

    // Stock: MySQL = Redis = 0, every change applied once, nothing left un-synced; never negative meanwhile.
    assert.deepEqual(await mysqlStocks(db, [SKU]), { [SKU]: 0 });
    const level = await parts.stock.getStock(SKU);
    assert.ok(level.warmed && level.stock === 0, JSON.stringify(level));
    const info = await rpcs[0]!.getStock({ productId: SKU });
    assert.deepEqual([info.redisStock, info.mysqlStock, info.pendingDelta], [0n, 0n, 0n]);
    assert.deepEqual(await unsynced(parts.stock, [SKU]), {});
    const written = await stockLines(rig.redis, stockStreams);
    assert.deepEqual(await auditCounts(db, stockStreams), { logRows: written.lines, applied: written.entries, duplicateLogRows: 0 });
    assert.deepEqual(pollErrors.slice(0, 3), []);
    assert.deepEqual(stockSeen.filter(s => s.redis < 0n || s.mysql < 0n).slice(0, 3), []);

    // Topic: exactly the reserved ids; a repeat is only a redelivery of the same order.
    const perId = new Map<string, number>();
    for (const m of reader!.messages) {
      const id = m.keys[0]!;
      assert.ok(reserved.has(id), `${id} is on the topic but was not reserved`);
      assert.equal(OrderCreated.decode(m.body).order?.orderId, id, 'the body is the same order as the key');
      perId.set(id, (perId.get(id) ?? 0) + 1);
    }
    assert.deepEqual(new Set(perId.keys()), reserved);
    const stats = workers.stats();
    assert.equal(stats.writer!.deadLettered, 0);
    assert.equal(stats.forwarder!.deadLettered, 0);
    assert.ok(stats.forwarder!.forwarded >= reserved.size);
    const repeats = [...perId.values()].filter(n => n > 1).length;
    if (repeats > 0) process.stdout.write(`      (${repeats} order ids delivered more than once — retries of the same id)\n`);
  });
});
