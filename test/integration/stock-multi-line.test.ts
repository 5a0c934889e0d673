// Multi-line orders stay all-or-nothing on one shard and across shards, including the crash cases
// of the cross-shard protocol (simulated by running the part script alone, as a dead coordinator would).
import assert from 'node:assert/strict';
import type { RedisClient } from '../../src/platform/redis';
import type { ReserveRequest, StockService } from '../../src/services/productcatalog/stock';
import { createStockScripts } from '../../src/services/productcatalog/stock/stock-scripts';
import {
  closeRedis,
  connectStockRedis,
  figures,
  inPool,
  ordersCreated,
  prng,
  redisMode,
  shuffle,
  skusOnDistinctShards,
  skusOnOneShard,
  stockChanges,
  stockFixture,
  type StockFixture,
} from './stock-fixtures';

describe(`stock: multi-line orders (${redisMode} Redis)`, function () {
  let redis: RedisClient;
  let fx: StockFixture;
  let svc: StockService;

  before(async () => {
    redis = await connectStockRedis();
  });
  after(() => closeRedis(redis));
  beforeEach(() => {
    fx = stockFixture(redis);
    svc = fx.service();
  });
  afterEach(() => fx.cleanup());

  const order = (orderId: string, lines: Array<[string, number]>, userId = 'u1'): ReserveRequest => ({
    orderId,
    userId,
    lines: lines.map(([sku, qty]) => ({ sku, qty })),
    orderPayload: JSON.stringify({ orderId }),
  });

  const stockOf = async (sku: string) => {
    const level = await svc.getStock(sku);
    assert.ok(level.warmed, `${sku} warmed`);
    return level.stock;
  };

  const ordersOn = async (shards: readonly number[]) => (await Promise.all(shards.map(s => ordersCreated(svc, redis, s)))).flat();

  /** Runs reserve-stock exactly as the coordinator does for one shard, then "crashes". */
  async function runPartScript(shard: number, req: ReserveRequest, shards: number[], mode: 'PART' | 'COMMIT') {
    const scripts = createStockScripts(redis);
    const k = svc.keys;
    const mine = req.lines.map((l, index) => ({ ...l, index })).filter(l => k.shardOf(l.sku) === shard);
    const keys = [k.resv(shard, req.orderId), k.ordersStream(shard), k.stockStream(shard), k.parts(shard)];
    const args: Array<string | number> = [req.orderId, req.userId, fx.clock.now(), mode, shards.join(','),
      req.lines.map(l => `${l.sku}:${l.qty}`).join(','), mode === 'COMMIT' ? req.orderPayload : '', '',
      svc.settings.recordTtlMs, svc.settings.refusalTtlMs, mine.length];
    for (const l of mine) {
      keys.push(k.item(shard, l.sku), k.buyers(shard, l.sku));
      args.push(l.sku, l.qty, l.index);
    }
    return (await scripts.run('reserve-stock', keys, args)) as string[];
  }

  describe('one shard', () => {
    it('reserves every line in one step and writes one order record and one stock record', async () => {
      const [a, b, c] = skusOnOneShard(svc, 'same', 3) as [string, string, string];
      const shard = svc.keys.shardOf(a);
      await svc.warmUp([a, b, c], figures({ [a]: { stock: 5 }, [b]: { stock: 5 }, [c]: { stock: 5 } }));
      const out = await svc.reserve(order('o1', [[a, 1], [b, 2], [c, 3]]));
      assert.equal(out.kind, 'RESERVED');
      assert.deepEqual(out.kind === 'RESERVED' && out.lines.map(l => l.remaining), [4, 3, 2]);
      const changes = await stockChanges(svc, redis, shard);
      assert.equal(changes.length, 1);
      assert.deepEqual(changes[0]!.lines.map(l => [l.sku, l.delta, l.after]), [[a, -1, 4], [b, -2, 3], [c, -3, 2]]);
      assert.equal((await ordersCreated(svc, redis, shard)).length, 1);
    });

    it('a sold-out or over-limit later line leaves every line untouched', async () => {
      const [a, b] = skusOnOneShard(svc, 'same', 2) as [string, string];
      const shard = svc.keys.shardOf(a);
      await svc.warmUp([a, b], figures({ [a]: { stock: 5, limit: 3 }, [b]: { stock: 1, limit: 1 } }));
      assert.deepEqual(await svc.reserve(order('o1', [[a, 2], [b, 2]])), {
        kind: 'SOLD_OUT', line: 1, sku: b, available: 1, fastPath: false,
      });
      assert.deepEqual(await svc.reserve(order('o2', [[a, 4], [b, 1]])), {
        kind: 'LIMIT_EXCEEDED', line: 0, sku: a, limit: 3, held: 0,
      });
      assert.equal(await stockOf(a), 5);
      assert.equal(await stockOf(b), 1);
      assert.deepEqual(await redis.hgetall(svc.keys.buyers(shard, a)), {});
      assert.equal(await redis.xlen(svc.keys.stockStream(shard)), 0);
      assert.equal(await redis.xlen(svc.keys.ordersStream(shard)), 0);
    });
  });

  describe('across shards', () => {
    it('reserves every part and commits once: one order record, one stock record per shard, parts settled', async () => {
      const skus = skusOnDistinctShards(svc, 'x', 3);
      const shards = skus.map(s => svc.keys.shardOf(s));
      await svc.warmUp(skus, figures(Object.fromEntries(skus.map(s => [s, { stock: 10 }]))));
      const out = await svc.reserve(order('o1', [[skus[2]!, 3], [skus[0]!, 1], [skus[1]!, 2]]));
      assert.deepEqual(out, {
        kind: 'RESERVED', orderId: 'o1', shards,
        lines: [{ sku: skus[2], qty: 3, remaining: 7 }, { sku: skus[0], qty: 1, remaining: 9 }, { sku: skus[1], qty: 2, remaining: 8 }],
      });
      const created = await ordersOn(shards);
      assert.equal(created.length, 1);
      assert.deepEqual(created[0]!.shards, shards);
      assert.equal(await redis.xlen(svc.keys.ordersStream(shards[2]!)), 1, 'the order record is written by the home (last) shard');
      for (const shard of shards) {
        assert.equal((await stockChanges(svc, redis, shard)).length, 1);
        assert.equal(await redis.hget(svc.keys.resv(shard, 'o1'), 'state'), 'RESERVED');
        assert.equal(await redis.zcard(svc.keys.parts(shard)), 0);
      }
      const replay = await svc.reserve(order('o1', [[skus[2]!, 3], [skus[0]!, 1], [skus[1]!, 2]]));
      assert.equal(replay.kind, 'DUPLICATE');
      assert.deepEqual(replay.kind === 'DUPLICATE' && [replay.first, replay.state], [{ kind: 'RESERVED' }, 'RESERVED']);

      assert.equal((await svc.release('o1', 'CANCELLED')).kind, 'RELEASED');
      for (const s of skus) assert.equal(await stockOf(s), 10);
      assert.equal((await svc.release('o1', 'CANCELLED')).kind, 'ALREADY_RELEASED');
    });

    it('a sold-out line on a later shard gives back the parts already taken; a replay answers the refusal', async () => {
      const [a, b, c] = skusOnDistinctShards(svc, 'y', 3) as [string, string, string];
      await svc.warmUp([a, b, c], figures({ [a]: { stock: 10 }, [b]: { stock: 10 }, [c]: { stock: 0 } }));
      const req = order('o1', [[a, 1], [b, 1], [c, 1]]);
      assert.deepEqual(await svc.reserve(req), { kind: 'SOLD_OUT', line: 2, sku: c, available: 0, fastPath: false });
      assert.equal(await stockOf(a), 10);
      assert.equal(await stockOf(b), 10);
      const shards = [a, b, c].map(s => svc.keys.shardOf(s));
      assert.equal((await ordersOn(shards)).length, 0, 'no order record');
      // the taken parts were given back with a compensating record each
      for (const [i, shard] of shards.entries()) {
        const changes = await stockChanges(svc, redis, shard);
        assert.deepEqual(changes.map(x => [x.reason, x.lines[0]!.delta]), i < 2 ? [['RESERVE', -1], ['ABORT', 1]] : []);
        assert.equal(await redis.hget(svc.keys.resv(shard, 'o1'), 'state'), 'REFUSED');
        assert.deepEqual(await redis.hgetall(svc.keys.buyers(shard, [a, b, c][i]!)), {});
      }
      // c is now marked sold out in this process: a plain call is refused on the fast path, a retry
      // skips it and is answered from the records.
      assert.deepEqual(await svc.reserve(req), { kind: 'SOLD_OUT', line: 2, sku: c, available: 0, fastPath: true });
      const replay = await svc.reserve(req, { retry: true });
      assert.deepEqual(replay.kind === 'DUPLICATE' && replay.first, { kind: 'SOLD_OUT', line: 2, sku: c, available: 0, fastPath: false });
      assert.deepEqual(await svc.release('o1', 'CANCELLED'), { kind: 'ALREADY_RELEASED', orderId: 'o1', state: 'REFUSED' });
    });

    it('a NOT_WARMED later line deletes the taken parts, so the order id can be retried once warmed', async () => {
      const [a, b] = skusOnDistinctShards(svc, 'z', 2) as [string, string];
      await svc.warmUp([a], figures({ [a]: { stock: 3 } }));
      const req = order('o1', [[a, 1], [b, 1]]);
      assert.deepEqual(await svc.reserve(req), { kind: 'NOT_WARMED', line: 1, sku: b });
      assert.equal(await stockOf(a), 3);
      assert.equal(await redis.exists(svc.keys.resv(svc.keys.shardOf(a), 'o1')), 0);
      await svc.warmUp([b], figures({ [b]: { stock: 3 } }));
      assert.equal((await svc.reserve(req)).kind, 'RESERVED');
      assert.equal(await stockOf(a), 2);
      assert.equal(await stockOf(b), 2);
    });

    it('a coordinator that died after a part: the sweeper gives the part back and the order id stays aborted', async () => {
      const [a, b] = skusOnDistinctShards(svc, 'c', 2) as [string, string];
      const [sa, sb] = [svc.keys.shardOf(a), svc.keys.shardOf(b)];
      await svc.warmUp([a, b], figures({ [a]: { stock: 4 }, [b]: { stock: 4 } }));
      const req = order('o1', [[a, 2], [b, 1]]);
      assert.equal((await runPartScript(sa, req, [sa, sb], 'PART'))[0], 'RESERVED');
      assert.equal(await stockOf(a), 2);

      // Too young: left alone (its coordinator may still be running).
      assert.deepEqual(await svc.sweepStaleParts(), { settled: 0, aborted: 0, cleaned: 0 });
      const pending = await svc.reserve(req);
      assert.deepEqual(pending.kind === 'DUPLICATE' && [pending.first, pending.state], [{ kind: 'PENDING' }, 'PENDING']);

      fx.clock.advance(svc.settings.partTimeoutMs + 1);
      assert.deepEqual(await svc.sweepStaleParts(), { settled: 0, aborted: 1, cleaned: 0 });
      assert.equal(await stockOf(a), 4);
      assert.equal(await stockOf(b), 4);
      assert.equal(await redis.zcard(svc.keys.parts(sa)), 0);
      assert.deepEqual(await redis.hgetall(svc.keys.buyers(sa, a)), {});
      assert.equal(await redis.hget(svc.keys.resv(sb, 'o1'), 'state'), 'ABORTED', 'tombstone on the home shard');
      // The slow coordinator's commit can no longer happen, and a retry answers ABORTED.
      assert.equal((await runPartScript(sb, req, [sa, sb], 'COMMIT'))[0], 'DUPLICATE');
      const retry = await svc.reserve(req);
      assert.deepEqual(retry.kind === 'DUPLICATE' && retry.first, { kind: 'ABORTED' });
      assert.equal(await stockOf(b), 4);
      assert.equal((await ordersOn([sa, sb])).length, 0);
      assert.deepEqual(await svc.sweepStaleParts(), { settled: 0, aborted: 0, cleaned: 0 });
    });

    it('a coordinator that died after the commit: the sweeper settles the parts and a release gives all back', async () => {
      const [a, b] = skusOnDistinctShards(svc, 'd', 2) as [string, string];
      const [sa, sb] = [svc.keys.shardOf(a), svc.keys.shardOf(b)];
      await svc.warmUp([a, b], figures({ [a]: { stock: 4 }, [b]: { stock: 4 } }));
      const req = order('o1', [[a, 2], [b, 1]]);
      await runPartScript(sa, req, [sa, sb], 'PART');
      assert.equal((await runPartScript(sb, req, [sa, sb], 'COMMIT'))[0], 'RESERVED');
      fx.clock.advance(svc.settings.partTimeoutMs + 1);
      assert.deepEqual(await svc.sweepStaleParts(), { settled: 1, aborted: 0, cleaned: 0 });
      assert.equal(await redis.hget(svc.keys.resv(sa, 'o1'), 'state'), 'RESERVED');
      assert.equal((await ordersOn([sa, sb])).length, 1);
      assert.deepEqual(await svc.release('o1', 'CANCELLED', { skus: [b] }), {
        kind: 'RELEASED', orderId: 'o1', lines: [{ sku: a, qty: 2 }, { sku: b, qty: 1 }],
      });
      assert.equal(await stockOf(a), 4);
      assert.equal(await stockOf(b), 4);
    });

    it('meeting an ABORTED home, the coordinator gives back its parts and keeps them ABORTED (replays stop early)', async () => {
      const [a, b] = skusOnDistinctShards(svc, 'g', 2) as [string, string];
      const [sa, sb] = [svc.keys.shardOf(a), svc.keys.shardOf(b)];
      await svc.warmUp([a, b], figures({ [a]: { stock: 4 }, [b]: { stock: 4 } }));
      // the home decided ABORTED (a release or the sweeper) before this coordinator reached it
      await createStockScripts(redis).run('decide-stock-order', [svc.keys.resv(sb, 'o1')], [fx.clock.now(), 0]);
      const req = order('o1', [[a, 1], [b, 1]]);
      const out = await svc.reserve(req);
      assert.deepEqual(out.kind === 'DUPLICATE' && [out.first, out.state], [{ kind: 'ABORTED' }, 'ABORTED']);
      assert.equal(await stockOf(a), 4);
      assert.equal(await redis.hget(svc.keys.resv(sa, 'o1'), 'state'), 'ABORTED');
      await svc.reserve(req, { retry: true });
      assert.deepEqual((await stockChanges(svc, redis, sa)).map(c => c.reason), ['RESERVE', 'ABORT'], 'the replay took nothing');
    });

    it('a release that meets an undecided part aborts the order first, so it can never commit', async () => {
      const [a, b] = skusOnDistinctShards(svc, 'e', 2) as [string, string];
      const [sa, sb] = [svc.keys.shardOf(a), svc.keys.shardOf(b)];
      await svc.warmUp([a, b], figures({ [a]: { stock: 4 }, [b]: { stock: 4 } }));
      const req = order('o1', [[a, 1], [b, 1]]);
      await runPartScript(sa, req, [sa, sb], 'PART');
      assert.deepEqual(await svc.release('o1', 'CANCELLED'), { kind: 'ALREADY_RELEASED', orderId: 'o1', state: 'ABORTED' });
      assert.equal(await stockOf(a), 4);
      assert.equal((await runPartScript(sb, req, [sa, sb], 'COMMIT'))[0], 'DUPLICATE');
      assert.equal(await stockOf(b), 4);
    });

    it('concurrent cross-shard orders racing for scarce stock never keep part of an order', async () => {
      const skus = skusOnDistinctShards(svc, 'r', 3);
      const shards = skus.map(s => svc.keys.shardOf(s));
      await svc.warmUp(skus, figures(Object.fromEntries(skus.map(s => [s, { stock: 40 }]))));
      const random = prng(7);
      const requests = Array.from({ length: 300 }, (_, i) =>
        order(`o${i}`, shuffle(skus, random).slice(0, 2 + Math.floor(random() * 2)).map(s => [s, 1 + Math.floor(random() * 2)] as [string, number]), `u${i}`),
      );
      const other = fx.service();
      const outcomes = await inPool(requests, 60, (req, i) => (i % 2 ? other : svc).reserve(req, { retry: true }));
      const taken = new Map(skus.map(s => [s, 0]));
      let reserved = 0;
      outcomes.forEach((out, i) => {
        assert.ok(out.kind === 'RESERVED' || out.kind === 'SOLD_OUT', out.kind);
        if (out.kind !== 'RESERVED') return;
        reserved++;
        for (const l of requests[i]!.lines) taken.set(l.sku, taken.get(l.sku)! + l.qty);
      });
      assert.ok(reserved > 0 && reserved < requests.length);
      for (const [i, sku] of skus.entries()) {
        assert.equal(await stockOf(sku), 40 - taken.get(sku)!, `${sku}: stock = initial - reserved`);
        assert.equal(await redis.zcard(svc.keys.parts(shards[i]!)), 0, 'no part left HELD');
        const net = (await stockChanges(svc, redis, shards[i]!)).reduce((sum, c) => sum + c.lines.reduce((t, l) => t + l.delta, 0), 0);
        assert.equal(net, -taken.get(sku)!, `${sku}: the stock stream nets to the reserved quantity`);
      }
      assert.equal((await ordersOn(shards)).length, reserved, 'one order record per reserved order');
    });

    it('a committed order whose parts are not settled yet is still released whole', async () => {
      const [a, b] = skusOnDistinctShards(svc, 'f', 2) as [string, string];
      const [sa, sb] = [svc.keys.shardOf(a), svc.keys.shardOf(b)];
      await svc.warmUp([a, b], figures({ [a]: { stock: 4 }, [b]: { stock: 4 } }));
      const req = order('o1', [[a, 1], [b, 3]]);
      await runPartScript(sa, req, [sa, sb], 'PART');
      await runPartScript(sb, req, [sa, sb], 'COMMIT');
      const out = await svc.release('o1', 'CANCELLED');
      assert.equal(out.kind, 'RELEASED');
      assert.equal(await stockOf(a), 4);
      assert.equal(await stockOf(b), 4);
      assert.equal(await redis.zcard(svc.keys.parts(sa)), 0);
    });
  });
});
