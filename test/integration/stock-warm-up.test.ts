// Warm-up never overwrites Redis with older MySQL figures; NOT_WARMED; the sold-out fast path.
import assert from 'node:assert/strict';
import type { RedisClient } from '../../src/platform/redis';
import { parseStockChange, type ReserveOutcome, type ReserveRequest, type StockService } from '../../src/services/productcatalog/stock';
import { closeRedis, connectStockRedis, figures, redisMode, stockFixture, type StockFixture } from './stock-fixtures';

const GROUP = 'stock-writer';

describe(`stock: warm-up and the sold-out flag (${redisMode} Redis)`, () => {
  let redis: RedisClient;
  let fx: StockFixture;
  let svc: StockService;
  let n = 0;

  before(async () => {
    redis = await connectStockRedis();
  });
  after(() => closeRedis(redis));
  beforeEach(() => {
    fx = stockFixture(redis);
    svc = fx.service();
  });
  afterEach(() => fx.cleanup());

  const buy = (sku: string, qty = 1, userId = `u${++n}`): ReserveRequest => ({
    orderId: `o${++n}`,
    userId,
    lines: [{ sku, qty }],
    orderPayload: '{}',
  });

  const fast = (out: ReserveOutcome) => out.kind === 'SOLD_OUT' && out.fastPath;

  const level = async (sku: string) => {
    const l = await svc.getStock(sku);
    assert.ok(l.warmed);
    return l;
  };

  /** What the write-behind worker does after its MySQL commit: read the stock stream, ack what it applied. */
  async function applyPending(sku: string): Promise<{ acked: number; counted: number }> {
    const shard = svc.keys.shardOf(sku);
    const stream = svc.keys.stockStream(shard);
    await redis.xgroup('CREATE', stream, GROUP, '0', 'MKSTREAM').catch((err: Error) => {
      if (!err.message.includes('BUSYGROUP')) throw err;
    });
    const read = (await redis.xreadgroup('GROUP', GROUP, 'w1', 'COUNT', 1000, 'STREAMS', stream, '>')) as
      | Array<[string, Array<[string, string[]]>]>
      | null;
    const entries = (read?.[0]?.[1] ?? []).map(([id, fields]) => parseStockChange(id, fields));
    return svc.ackApplied(shard, GROUP, entries.map(e => ({ id: e.id, skus: e.lines.map(l => l.sku) })));
  }

  it('an item never warmed is NOT_WARMED (never loaded lazily), with nothing written', async () => {
    assert.deepEqual(await svc.reserve(buy('COLD')), { kind: 'NOT_WARMED', line: 0, sku: 'COLD' });
    const shard = svc.keys.shardOf('COLD');
    assert.equal(await redis.exists(svc.keys.item(shard, 'COLD'), svc.keys.stockStream(shard), svc.keys.ordersStream(shard)), 0);
  });

  it('refuses to overwrite live stock while stock-change records are not in MySQL, then accepts', async () => {
    await svc.warmUp(['W'], figures({ W: { stock: 10, limit: 3 } }));
    await svc.reserve(buy('W', 2));
    await svc.reserve(buy('W', 1));
    assert.deepEqual(await level('W'), { sku: 'W', shard: svc.keys.shardOf('W'), warmed: true, stock: 7, limit: 3, unsynced: 2, warmedAt: fx.clock.now() });

    let loads = 0;
    const mysql = async (skus: readonly string[]) => {
      loads++;
      return (await figures({ W: { stock: 10, limit: 5 } })(skus));
    };
    assert.deepEqual(await svc.warmUp(['W'], mysql), [{ sku: 'W', status: 'UNSYNCED', pending: 2 }]);
    assert.equal(loads, 0, 'MySQL is not even read for an un-synced item');
    assert.equal((await level('W')).stock, 7);

    // the worker applies both records; a redelivered ack counts nothing twice
    assert.deepEqual(await applyPending('W'), { acked: 2, counted: 2 });
    const shard = svc.keys.shardOf('W');
    const ids = (await redis.xrange(svc.keys.stockStream(shard), '-', '+')).map(([id]) => ({ id, skus: ['W'] }));
    assert.deepEqual(await svc.ackApplied(shard, GROUP, ids), { acked: 0, counted: 0 });
    assert.equal((await level('W')).unsynced, 0);

    fx.clock.advance(1000);
    const synced = async (skus: readonly string[]) => figures({ W: { stock: 7, limit: 5 } })(skus);
    assert.deepEqual(await svc.warmUp(['W'], synced), [{ sku: 'W', status: 'WARMED', stock: 7, limit: 5, previousStock: 7 }]);
    const after = await level('W');
    assert.deepEqual([after.stock, after.limit, after.unsynced, after.warmedAt], [7, 5, 0, fx.clock.now()]);
  });

  it('refuses (STALE) when a record was applied while MySQL was being read', async () => {
    await svc.warmUp(['S'], figures({ S: { stock: 5 } }));
    await svc.reserve(buy('S'));
    await applyPending('S');
    // MySQL is read before the worker commits the next change, the ack lands before the write
    const racing = async (skus: readonly string[]) => {
      const read = await figures({ S: { stock: 4 } })(skus);
      await svc.reserve(buy('S'));
      await applyPending('S');
      return read;
    };
    assert.deepEqual(await svc.warmUp(['S'], racing), [{ sku: 'S', status: 'STALE' }]);
    assert.equal((await level('S')).stock, 3, 'the newer Redis figure is kept');
  });

  it('refuses (STALE) when another replica warmed the item meanwhile; NOT_FOUND for an unknown product', async () => {
    const other = fx.service();
    const racing = async (skus: readonly string[]) => {
      await other.warmUp(['R'], figures({ R: { stock: 9 } }));
      return figures({ R: { stock: 8 } })(skus);
    };
    assert.deepEqual(await svc.warmUp(['R', 'GONE'], racing), [
      { sku: 'R', status: 'STALE' },
      { sku: 'GONE', status: 'NOT_FOUND' },
    ]);
    assert.equal((await level('R')).stock, 9);
  });

  it('a new limit applies to later orders, quantities already held still count', async () => {
    await svc.warmUp(['L'], figures({ L: { stock: 10, limit: 3 } }));
    assert.equal((await svc.reserve(buy('L', 2, 'alice'))).kind, 'RESERVED');
    await applyPending('L');
    await svc.warmUp(['L'], figures({ L: { stock: 8, limit: 2 } }));
    assert.deepEqual(await svc.reserve(buy('L', 1, 'alice')), { kind: 'LIMIT_EXCEEDED', line: 0, sku: 'L', limit: 2, held: 2 });
  });

  describe('sold-out flag', () => {
    it('answers without Redis for its TTL once the item hit zero, then asks Redis again', async () => {
      await svc.warmUp(['F'], figures({ F: { stock: 2 } }));
      const shard = svc.keys.shardOf('F');
      const all = buy('F', 2);
      assert.deepEqual(await svc.reserve(all), { kind: 'RESERVED', orderId: all.orderId, lines: [{ sku: 'F', qty: 2, remaining: 0 }], shards: [shard] });

      const quick = buy('F');
      assert.deepEqual(await svc.reserve(quick), { kind: 'SOLD_OUT', line: 0, sku: 'F', available: 0, fastPath: true });
      assert.equal(await redis.exists(svc.keys.resv(shard, quick.orderId)), 0, 'Redis was not asked (it records refusals)');
      fx.clock.advance(999);
      assert.equal(fast(await svc.reserve(buy('F'))), true);

      fx.clock.advance(1);
      const slow = buy('F');
      assert.deepEqual(await svc.reserve(slow), { kind: 'SOLD_OUT', line: 0, sku: 'F', available: 0, fastPath: false });
      assert.equal(await redis.hget(svc.keys.resv(shard, slow.orderId), 'state'), 'REFUSED');
      assert.equal(fast(await svc.reserve(buy('F'))), true, 'marked again');
    });

    it('is set only at zero: a quantity above what is left does not mark the item', async () => {
      await svc.warmUp(['P'], figures({ P: { stock: 1 } }));
      assert.deepEqual(await svc.reserve(buy('P', 2)), { kind: 'SOLD_OUT', line: 0, sku: 'P', available: 1, fastPath: false });
      assert.equal((await svc.reserve(buy('P', 1))).kind, 'RESERVED');
    });

    it('is cleared by a release or a warm-up in this process; another replica keeps it until its TTL', async () => {
      await svc.warmUp(['C'], figures({ C: { stock: 1 } }));
      const first = buy('C');
      assert.equal((await svc.reserve(first)).kind, 'RESERVED');
      const other = fx.service();
      assert.equal((await other.reserve(buy('C'))).kind, 'SOLD_OUT');
      assert.equal(fast(await svc.reserve(buy('C'))), true);

      assert.equal((await svc.release(first.orderId, 'CANCELLED')).kind, 'RELEASED');
      assert.equal((await svc.reserve(buy('C'))).kind, 'RESERVED', 'cleared at once by the release here');
      assert.equal(fast(await other.reserve(buy('C'))), true, 'the other replica waits out its TTL');

      await applyPending('C');
      assert.equal(fast(await svc.reserve(buy('C'))), true);
      assert.equal((await svc.warmUp(['C'], figures({ C: { stock: 3 } })))[0]!.status, 'WARMED');
      assert.equal((await svc.reserve(buy('C'))).kind, 'RESERVED', 'cleared at once by the warm-up here');
      fx.clock.advance(svc.settings.soldOutTtlMs);
      assert.equal((await other.reserve(buy('C'))).kind, 'RESERVED', 'the other replica asks Redis after the TTL');
    });
  });
});
