// Poison and refused stock entries: each leaves the pipeline through the dead stream with its reason,
// after a bounded number of attempts, without blocking the good entries around it and without ever
// clamping a stock that would go negative.
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { products } from '../../src/db/schema';
import { systemClock } from '../../src/platform/clock';
import { deadStreamOf, startStockWorkers, type StockWorkers } from '../../src/services/productcatalog/workers';
import { toEntries } from '../../src/services/productcatalog/workers/stream-entries';
import { useTestDatabase } from '../support/test-database';
import { testLogger } from '../support/test-logger';
import { allDrained, auditCounts, mysqlStocks, redisMode, seedProducts, stockRig, waitFor, type StockRig } from './stock-writer-harness';

const GROUP = 'stock-writer';

describe(`stock writer: poison entries (${redisMode} Redis)`, function () {
  this.timeout(60_000);
  const tdb = useTestDatabase();
  let rig: StockRig;
  let workers: StockWorkers | undefined;

  beforeEach(async () => {
    rig = await stockRig(1); // one shard: every SKU's entries share one stream
  });
  afterEach(async () => {
    await workers?.stop();
    await rig.cleanup();
  });

  const entry = (order: string, lines: string, reason = 'RESERVE') => ['order', order, 'reason', reason, 'user', 'u', 'lines', lines, 'ts', '1', 'trace', ''];

  it('dead-letters unreadable entries at once and rejected ones after maxAttempts; good neighbours apply; no clamping', async () => {
    const { db } = tdb.current;
    await seedProducts(db, { 'PZ-A': 10, 'PZ-LOW': 1 });
    const stream = rig.stock.keys.stockStream(0);
    const add = (fields: string[]) => rig.redis.xadd(stream, '*', ...fields) as Promise<string>;

    const good1 = await add(entry('o-good-1', 'PZ-A:-2:8'));
    const garbage = await add(['order', 'o-bad', 'lines', 'not-a-line']);
    const ghost = await add(entry('o-ghost', 'PZ-GHOST:-1:0'));
    const negative = await add(entry('o-neg', 'PZ-LOW:-5:0'));
    const mixed = await add(entry('o-mixed', 'PZ-A:-1:7,PZ-GHOST:-1:0'));
    // +3e9 fits the unsigned stock but not stock_log.delta (signed INT): MySQL itself refuses the row,
    // which sends the batch down the entry-by-entry path.
    const tooBig = await add(entry('o-big', 'PZ-A:3000000000:3000000007'));
    const good2 = await add(entry('o-good-2', 'PZ-A:-1:6', 'PAYMENT_DECLINED'));

    workers = await startStockWorkers({
      redis: rig.redis,
      openBlocking: rig.openBlocking,
      stock: rig.stock,
      clock: systemClock,
      logger: testLogger('stock-writer'),
      db,
      run: { writer: true, forwarder: false, trimmer: false },
      settings: { writer: { blockMs: 100, claimIdleMs: 50, claimIntervalMs: 100, maxAttempts: 3, backoff: { initialMs: 20, maxMs: 100, jitter: 0 } } },
    });

    await waitFor('the stream to drain', () => allDrained(rig.redis, [stream], GROUP), 30_000);

    // good entries applied, in spite of the bad ones around them
    assert.deepEqual(await mysqlStocks(db, ['PZ-A', 'PZ-LOW']), { 'PZ-A': 7, 'PZ-LOW': 1 });
    const audit = await auditCounts(db, [stream]);
    assert.deepEqual(audit, { logRows: 2, applied: 2, duplicateLogRows: 0 });

    const dead = toEntries(await rig.redis.xrange(deadStreamOf(stream), '-', '+'));
    const byId = new Map(dead.map(d => [d.fields[d.fields.indexOf('dead_id') + 1], d.fields]));
    const field = (id: string, name: string) => {
      const f = byId.get(id);
      assert.ok(f, `${id} in the dead stream`);
      return f[f.indexOf(name) + 1];
    };
    assert.deepEqual([...byId.keys()].sort(), [garbage, ghost, negative, mixed, tooBig].sort());
    assert.equal(dead.length, 5, 'each dead entry once');
    assert.match(field(garbage, 'dead_reason')!, /missing field|bad stock/);
    assert.equal(field(garbage, 'dead_attempts'), '0', 'unreadable: dead on sight');
    assert.match(field(ghost, 'dead_reason')!, /unknown product PZ-GHOST/);
    assert.equal(field(ghost, 'dead_attempts'), '3');
    assert.match(field(negative, 'dead_reason')!, /stock of PZ-LOW would become -4/);
    assert.match(field(mixed, 'dead_reason')!, /unknown product PZ-GHOST/);
    assert.match(field(tooBig, 'dead_reason')!, /ER_WARN_DATA_OUT_OF_RANGE|out of range/i);
    assert.equal(field(ghost, 'order'), 'o-ghost', 'the original fields travel with the dead entry');
    assert.ok(!byId.has(good1) && !byId.has(good2));
    // These entries were written by hand: their items were never warmed, and acking them must not create them.
    const items = ['PZ-A', 'PZ-LOW', 'PZ-GHOST'].map(sku => rig.stock.keys.item(0, sku));
    assert.equal(await rig.redis.exists(...items), 0, 'no item hash created by an ack');
  }).timeout(60_000);

  it('never clamps: the stock row is untouched when an entry would drive it below zero', async () => {
    const { db } = tdb.current;
    await seedProducts(db, { 'PZ-ONE': 1 });
    const stream = rig.stock.keys.stockStream(0);
    await rig.redis.xadd(stream, '*', ...entry('o-neg2', 'PZ-ONE:-2:0'));
    workers = await startStockWorkers({
      redis: rig.redis, openBlocking: rig.openBlocking, stock: rig.stock, clock: systemClock, logger: testLogger('stock-writer'), db,
      run: { writer: true, forwarder: false, trimmer: false },
      settings: { writer: { blockMs: 100, claimIdleMs: 50, claimIntervalMs: 100, maxAttempts: 2, backoff: { initialMs: 20, maxMs: 100, jitter: 0 } } },
    });
    await waitFor('the stream to drain', () => allDrained(rig.redis, [stream], GROUP), 30_000);
    const [row] = await db.select({ stock: products.stock, version: products.version }).from(products).where(eq(products.id, 'PZ-ONE'));
    assert.deepEqual(row, { stock: 1, version: 0 });
    assert.equal(await rig.redis.xlen(deadStreamOf(stream)), 1);
  });
});
