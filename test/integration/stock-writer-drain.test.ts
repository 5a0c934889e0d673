// Write-behind worker on the real stack: reservations and releases drain into MySQL exactly once,
// also when replayed and when two replicas share the streams.
import assert from 'node:assert/strict';
import { systemClock } from '../../src/platform/clock';
import { startStockWorkers, type StockWorkers } from '../../src/services/productcatalog/workers';
import { useTestDatabase } from '../support/test-database';
import { toEntries } from '../../src/services/productcatalog/workers/stream-entries';
import { testLogger } from '../support/test-logger';
import { prng } from './stock-fixtures';
import {
  allDrained, auditCounts, mysqlStocks, redisMode, redisStocks, reserve, reserveMany, seedProducts, stockLines, stockRig,
  unsynced, waitFor, warmFromMysql, type StockRig,
} from './stock-writer-harness';

const GROUP = 'stock-writer';
const fast = { batchSize: 50, blockMs: 200, claimIntervalMs: 200, claimIdleMs: 2000, backoff: { initialMs: 50, maxMs: 500, jitter: 0.2 } };

describe(`stock writer: drain into MySQL (${redisMode} Redis)`, function () {
  this.timeout(120_000);
  const tdb = useTestDatabase();
  let rig: StockRig;
  const running: StockWorkers[] = [];

  const start = (settings: object = {}) =>
    startStockWorkers({
      redis: rig.redis,
      openBlocking: rig.openBlocking,
      stock: rig.stock,
      clock: systemClock,
      logger: testLogger('stock-writer'),
      db: tdb.current.db,
      run: { writer: true, forwarder: false, trimmer: false },
      settings: { writer: { ...fast, ...settings } },
    }).then(w => (running.push(w), w));

  const streams = () => rig.stock.keys.allShards().map(s => rig.stock.keys.stockStream(s));

  beforeEach(async () => {
    rig = await stockRig();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map(w => w.stop()));
    await rig.cleanup();
  });

  it('applies every reservation and release once: MySQL = Redis, stock_log per line, applied ids; a replay changes nothing', async () => {
    const { db } = tdb.current;
    const skus = ['DR-A', 'DR-B', 'DR-C', 'DR-D', 'DR-E'];
    await seedProducts(db, Object.fromEntries(skus.map(s => [s, 200])));
    await warmFromMysql(rig.stock, db, skus);
    const random = prng(7);
    const reserved = await reserveMany(rig.stock, `${rig.namespace}-o`, 150, skus, random);
    for (const id of reserved.slice(0, 40)) assert.equal((await rig.stock.release(id, 'PAYMENT_DECLINED')).kind, 'RELEASED');

    const worker = await start();
    await waitFor('the stock streams to drain', () => allDrained(rig.redis, streams(), GROUP), 60_000);

    const written = await stockLines(rig.redis, streams());
    assert.ok(written.entries >= reserved.length + 40, 'one stock entry per shard an order or release touched');
    assert.deepEqual(await mysqlStocks(db, skus), await redisStocks(rig.stock, skus));
    const audit = await auditCounts(db, streams());
    assert.deepEqual(audit, { logRows: written.lines, applied: written.entries, duplicateLogRows: 0 });
    assert.deepEqual(await unsynced(rig.stock, skus), {}, 'every item counts all its records as synced (warm-up may run again)');
    assert.equal(worker.stats().writer!.applied, written.entries);

    // Replay: rewind the group so every entry is delivered again.
    const before = await mysqlStocks(db, skus);
    for (const s of streams()) await rig.redis.xgroup('SETID', s, GROUP, '0');
    await waitFor('the replay to drain', () => allDrained(rig.redis, streams(), GROUP), 60_000);
    assert.deepEqual(await mysqlStocks(db, skus), before);
    assert.deepEqual(await auditCounts(db, streams()), audit);
    assert.equal(worker.stats().writer!.alreadyApplied, written.entries);
    assert.deepEqual(await unsynced(rig.stock, skus), {}, 'the replay (XACK answering 1 again) counted nothing twice');

    // Re-add the very same entries (same ids) to a recreated stream: the worker recreates its group
    // (NOGROUP) and finds every id already applied.
    const shard0 = streams()[0]!;
    const entries = toEntries(await rig.redis.xrange(shard0, '-', '+'));
    assert.ok(entries.length > 0);
    await rig.redis.del(shard0);
    for (const e of entries) await rig.redis.xadd(shard0, e.id, ...e.fields);
    await waitFor('the re-added entries to drain', () => allDrained(rig.redis, streams(), GROUP), 60_000);
    assert.deepEqual(await mysqlStocks(db, skus), before);
    assert.deepEqual(await auditCounts(db, streams()), audit);
    assert.equal(worker.stats().writer!.alreadyApplied, written.entries + entries.length);
    assert.deepEqual(await unsynced(rig.stock, skus), {}, 'the recreated stream counted nothing twice');
    assert.equal(worker.stats().writer!.deadLettered, 0);
  });

  it('two replicas taking entries from each other (tiny claim idle time) still apply each entry exactly once', async () => {
    const { db } = tdb.current;
    const skus = ['RP-A', 'RP-B', 'RP-C', 'RP-D'];
    await seedProducts(db, Object.fromEntries(skus.map(s => [s, 500])));
    await warmFromMysql(rig.stock, db, skus);
    const random = prng(11);
    // claimIdleMs 1: each replica's XAUTOCLAIM steals whatever the other holds right now.
    const replicas = { batchSize: 10, claimIdleMs: 1, claimIntervalMs: 1 };
    const [a, b] = await Promise.all([start(replicas), start(replicas)]);
    assert.notEqual(a.consumer, b.consumer);
    const reserved = await reserveMany(rig.stock, `${rig.namespace}-r`, 200, skus, random);
    for (const id of reserved.slice(0, 30)) await rig.stock.release(id, 'TIMEOUT');
    await reserve(rig.stock, `${rig.namespace}-last`, [{ sku: 'RP-A', qty: 1 }]);

    await waitFor('the stock streams to drain', () => allDrained(rig.redis, streams(), GROUP), 60_000);
    const written = await stockLines(rig.redis, streams());
    assert.deepEqual(await mysqlStocks(db, skus), await redisStocks(rig.stock, skus));
    const audit = await auditCounts(db, streams());
    assert.equal(audit.duplicateLogRows, 0);
    assert.equal(audit.applied, written.entries);
    assert.equal(audit.logRows, written.lines);
    assert.deepEqual(await unsynced(rig.stock, skus), {});
    const sa = a.stats().writer!;
    const sb = b.stats().writer!;
    assert.equal(sa.applied + sb.applied, written.entries, 'each entry committed by exactly one replica');
  });
});
