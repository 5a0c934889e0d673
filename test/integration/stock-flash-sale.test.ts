// The flash-sale contract on a real Redis: 20 000 concurrent reserves from 5 000 users on one item with
// 1 000 units and a limit of 2, then releases, then a replay of everything.
import assert from 'node:assert/strict';
import type { ReleaseOutcome, ReserveOutcome, ReserveRequest, StockService } from '../../src/services/productcatalog/stock';
import {
  closeRedis,
  connectStockRedis,
  figures,
  inPool,
  ordersCreated,
  prng,
  redisMode,
  shuffle,
  stockChanges,
  stockFixture,
  type StockFixture,
} from './stock-fixtures';
import type { RedisClient } from '../../src/platform/redis';

const UNITS = 1000;
const LIMIT = 2;
const USERS = 5000;
const CALLS = 20_000;
const IN_FLIGHT = 200;
const SKU = 'FLASH-1';

interface Snapshot {
  stock: number;
  buyers: Record<string, string>;
  orders: number;
  changes: number;
}

describe(`stock: flash sale on one item (${redisMode} Redis)`, function () {
  this.timeout(180_000);
  let redis: RedisClient;
  let fx: StockFixture;
  // Two services = two replicas with their own connections' worth of state. The sold-out fast path is
  // off so every call reaches the script (with it on, most refusals would never touch Redis).
  let replicas: StockService[];
  let svc: StockService;
  const random = prng(20_000);
  const requests: ReserveRequest[] = [];
  let outcomes: ReserveOutcome[] = [];
  let released: ReserveRequest[] = [];
  let releaseOutcomes: ReleaseOutcome[] = [];

  const snapshot = async (): Promise<Snapshot> => {
    const shard = svc.keys.shardOf(SKU);
    const level = await svc.getStock(SKU);
    assert.ok(level.warmed);
    return {
      stock: level.stock,
      buyers: await redis.hgetall(svc.keys.buyers(shard, SKU)),
      orders: await redis.xlen(svc.keys.ordersStream(shard)),
      changes: await redis.xlen(svc.keys.stockStream(shard)),
    };
  };

  before(async () => {
    redis = await connectStockRedis();
    fx = stockFixture(redis);
    replicas = [fx.service({ soldOutTtlMs: 0 }), fx.service({ soldOutTtlMs: 0 })];
    svc = replicas[0]!;
    for (let i = 0; i < CALLS; i++) {
      const userId = `user-${i % USERS}`;
      const qty = random() < 0.7 ? 1 : 2;
      requests.push({
        orderId: `order-${i}`,
        userId,
        lines: [{ sku: SKU, qty }],
        orderPayload: JSON.stringify({ orderId: `order-${i}`, userId, items: [{ productId: SKU, quantity: qty }] }),
        traceContext: { traceparent: `00-${i.toString(16).padStart(32, '0')}-00f067aa0ba902b7-01` },
      });
    }
  });

  after(async () => {
    await fx.cleanup();
    await closeRedis(redis);
  });

  it('sells exactly the units, within the per-user limit, never below zero', async () => {
    const warmed = await svc.warmUp([SKU], figures({ [SKU]: { stock: UNITS, limit: LIMIT } }));
    assert.deepEqual(warmed, [{ sku: SKU, status: 'WARMED', stock: UNITS, limit: LIMIT, previousStock: null }]);

    const order = shuffle(requests.map((_, i) => i), random);
    const got = await inPool(order, IN_FLIGHT, (i, n) => replicas[n % 2]!.reserve(requests[i]!));
    outcomes = new Array<ReserveOutcome>(CALLS);
    order.forEach((i, n) => (outcomes[i] = got[n]!));

    const perUser = new Map<string, number>();
    let units = 0;
    const reservedIds = new Set<string>();
    outcomes.forEach((o, i) => {
      const req = requests[i]!;
      assert.ok(['RESERVED', 'SOLD_OUT', 'LIMIT_EXCEEDED'].includes(o.kind), `unexpected ${o.kind}`);
      if (o.kind !== 'RESERVED') return;
      assert.ok(o.lines[0]!.remaining >= 0);
      units += req.lines[0]!.qty;
      reservedIds.add(req.orderId);
      perUser.set(req.userId, (perUser.get(req.userId) ?? 0) + req.lines[0]!.qty);
    });
    assert.equal(units, UNITS, 'exactly the warmed units are reserved');
    assert.ok(Math.max(...perUser.values()) <= LIMIT, 'no user above the limit');

    const shard = svc.keys.shardOf(SKU);
    const snap = await snapshot();
    assert.equal(snap.stock, 0);
    const held = Object.entries(snap.buyers).map(([u, q]) => [u, Number(q)] as const);
    assert.deepEqual(new Map(held), perUser, 'the buyers hash matches the reservations');

    // The orders stream holds exactly the reserved orders, payload and trace context intact.
    const created = await ordersCreated(svc, redis, shard);
    assert.equal(created.length, reservedIds.size);
    assert.deepEqual(new Set(created.map(r => r.orderId)), reservedIds);
    for (const r of created) {
      const req = requests[Number(r.orderId.slice('order-'.length))]!;
      assert.equal(r.payload, req.orderPayload);
      assert.deepEqual(r.trace, req.traceContext);
      assert.deepEqual(r.lines, req.lines);
    }

    // One stock-change record per reserved order; replayed in stream (= execution) order the stock
    // goes 1000 -> 0 without ever dipping below zero.
    const changes = await stockChanges(svc, redis, shard);
    assert.equal(changes.length, reservedIds.size);
    let stock = UNITS;
    for (const c of changes) {
      assert.equal(c.reason, 'RESERVE');
      assert.ok(reservedIds.has(c.orderId));
      const req = requests[Number(c.orderId.slice('order-'.length))]!;
      assert.deepEqual(c.lines.map(l => [l.sku, l.delta]), [[SKU, -req.lines[0]!.qty]]);
      stock += c.lines[0]!.delta;
      assert.equal(c.lines[0]!.after, stock);
      assert.ok(stock >= 0);
    }
    assert.equal(stock, 0);
  });

  it('releasing 100 orders twice each gives back exactly their units, once', async () => {
    const reserved = requests.filter((_, i) => outcomes[i]!.kind === 'RESERVED');
    released = shuffle(reserved, random).slice(0, 100);
    const before = await snapshot();
    const calls = shuffle([...released, ...released], random);
    releaseOutcomes = await inPool(calls, IN_FLIGHT, (req, n) => replicas[n % 2]!.release(req.orderId, 'PAYMENT_DECLINED'));

    assert.equal(releaseOutcomes.filter(o => o.kind === 'RELEASED').length, 100);
    assert.equal(releaseOutcomes.filter(o => o.kind === 'ALREADY_RELEASED').length, 100);
    const units = released.reduce((sum, r) => sum + r.lines[0]!.qty, 0);
    const after = await snapshot();
    assert.equal(after.stock, before.stock + units);
    assert.equal(after.orders, before.orders, 'a release writes no order record');
    assert.equal(after.changes, before.changes + 100, 'one stock-change record per released order');
    const expectedBuyers = new Map(Object.entries(before.buyers).map(([u, q]) => [u, Number(q)]));
    for (const r of released) expectedBuyers.set(r.userId, expectedBuyers.get(r.userId)! - r.lines[0]!.qty);
    for (const [u, q] of expectedBuyers) if (q === 0) expectedBuyers.delete(u);
    assert.deepEqual(new Map(Object.entries(after.buyers).map(([u, q]) => [u, Number(q)])), expectedBuyers, 'per-user counts given back exactly');
    const changes = (await stockChanges(svc, redis, svc.keys.shardOf(SKU))).slice(before.changes);
    assert.deepEqual(new Set(changes.map(c => c.orderId)), new Set(released.map(r => r.orderId)));
    for (const c of changes) {
      assert.equal(c.reason, 'PAYMENT_DECLINED');
      const req = requests[Number(c.orderId.slice('order-'.length))]!;
      assert.equal(c.lines[0]!.delta, req.lines[0]!.qty);
    }
  });

  it('replaying every reserve and every release, shuffled, changes nothing', async () => {
    const before = await snapshot();
    type Call = { reserve: number } | { release: ReserveRequest };
    const calls: Call[] = shuffle(
      [...requests.map((_, i) => ({ reserve: i })), ...released.map(r => ({ release: r })), ...released.map(r => ({ release: r }))],
      random,
    );
    const results = await inPool(calls, IN_FLIGHT, async (call, n) => {
      const replica = replicas[n % 2]!;
      return 'reserve' in call ? { call, out: await replica.reserve(requests[call.reserve]!) } : { call, out: await replica.release(call.release.orderId, 'PAYMENT_DECLINED') };
    });
    const releasedIds = new Set(released.map(r => r.orderId));
    for (const { call, out } of results) {
      if ('reserve' in call) {
        const first = outcomes[call.reserve]!;
        assert.equal(out.kind, 'DUPLICATE');
        if (out.kind !== 'DUPLICATE') continue;
        if (first.kind === 'RESERVED') {
          assert.deepEqual(out.first, { kind: 'RESERVED' });
          assert.equal(out.state, releasedIds.has(first.orderId) ? 'RELEASED' : 'RESERVED');
        } else {
          assert.deepEqual(out.first, first, 'a refusal replays as the same refusal');
          assert.equal(out.state, 'REFUSED');
        }
      } else {
        assert.deepEqual(out, { kind: 'ALREADY_RELEASED', orderId: call.release.orderId, state: 'RELEASED' });
      }
    }
    assert.deepEqual(await snapshot(), before);
  });
});
