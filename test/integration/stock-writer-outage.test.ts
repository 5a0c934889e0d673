// MySQL unreachable for 10 s while orders keep coming: the worker's connection path (a TCP proxy in
// front of MariaDB that this test cuts) really breaks, the worker backs off without acking or
// dead-lettering anything, and everything lands once the path is back. The shared MariaDB keeps running.
import assert from 'node:assert/strict';
import { systemClock } from '../../src/platform/clock';
import { createDatabase } from '../../src/platform/db';
import { deadStreamOf, startStockWorkers, type StockWorkers } from '../../src/services/productcatalog/workers';
import { testConfig } from '../support/test-config';
import { useTestDatabase } from '../support/test-database';
import { testLogger } from '../support/test-logger';
import { prng } from './stock-fixtures';
import {
  allDrained, auditCounts, mysqlStocks, redisMode, redisStocks, reserveMany, seedProducts, sleep, startTcpProxy, stockLines, stockRig,
  streamLength, unsynced, waitFor, warmFromMysql, type Cuttable, type StockRig,
} from './stock-writer-harness';

const GROUP = 'stock-writer';
const OUTAGE_MS = 10_000;

describe(`stock writer: MySQL unreachable for 10 s (${redisMode} Redis)`, function () {
  this.timeout(120_000);
  const tdb = useTestDatabase();
  let rig: StockRig;
  let proxy: Cuttable;
  let workers: StockWorkers | undefined;
  let closePool: (() => Promise<void>) | undefined;

  before(async () => {
    rig = await stockRig(2);
    proxy = await startTcpProxy(Number(new URL(tdb.current.config.mysql.url).port));
  });
  after(async () => {
    await workers?.stop();
    await closePool?.();
    await proxy?.close();
    await rig?.cleanup();
  });

  it('nothing is acked or dead-lettered while MySQL is away; everything lands after it returns', async () => {
    const { db } = tdb.current;
    const skus = ['OUT-A', 'OUT-B', 'OUT-C'];
    await seedProducts(db, Object.fromEntries(skus.map(s => [s, 1000])));
    await warmFromMysql(rig.stock, db, skus);
    const streams = rig.stock.keys.allShards().map(s => rig.stock.keys.stockStream(s));

    // The worker reaches MariaDB only through the proxy.
    const url = new URL(tdb.current.config.mysql.url);
    url.port = String(proxy.port);
    const viaProxy = createDatabase(testConfig({ MYSQL_URL: url.toString(), MYSQL_POOL_SIZE: '2', STARTUP_CHECK_TIMEOUT_MS: '2000' }), {
      logger: testLogger('mysql-proxied'),
    });
    closePool = () => viaProxy.close();
    workers = await startStockWorkers({
      redis: rig.redis, openBlocking: rig.openBlocking, stock: rig.stock, clock: systemClock, logger: testLogger('stock-writer'),
      db: viaProxy.db,
      run: { writer: true, forwarder: false, trimmer: false },
      settings: { writer: { batchSize: 20, blockMs: 200, claimIdleMs: 30_000, claimIntervalMs: 1000, maxAttempts: 1, backoff: { initialMs: 100, maxMs: 1000, jitter: 0.2 } } },
    });

    const random = prng(99);
    await reserveMany(rig.stock, `${rig.namespace}-a`, 60, skus, random);
    await waitFor('the first orders to drain', () => allDrained(rig.redis, streams, GROUP), 30_000);

    proxy.cut();
    const outageEnds = Date.now() + OUTAGE_MS;
    const during = await reserveMany(rig.stock, `${rig.namespace}-b`, 80, skus, random);
    assert.ok(during.length > 0);
    await waitFor('the worker to feel the outage', () => (workers!.stats().writer!.loops.some(l => l.failures > 0)), 20_000);
    await sleep(Math.max(0, outageEnds - Date.now()));
    assert.equal(await allDrained(rig.redis, streams, GROUP), false, 'entries wait un-acked while MySQL is away');
    proxy.restore();

    await reserveMany(rig.stock, `${rig.namespace}-c`, 20, skus, random);
    await waitFor('the backlog to drain after MySQL returned', () => allDrained(rig.redis, streams, GROUP), 60_000);

    const written = await stockLines(rig.redis, streams);
    assert.deepEqual(await mysqlStocks(db, skus), await redisStocks(rig.stock, skus));
    assert.deepEqual(await auditCounts(db, streams), { logRows: written.lines, applied: written.entries, duplicateLogRows: 0 });
    assert.deepEqual(await unsynced(rig.stock, skus), {});
    const stats = workers.stats().writer!;
    assert.equal(stats.rejected, 0, 'an outage never counts as a data rejection (maxAttempts is 1 here)');
    assert.equal(stats.deadLettered, 0);
    assert.equal(await streamLength(rig.redis, streams.map(deadStreamOf)), 0);
    assert.ok(stats.loops.every(l => l.failures === 0), 'recovered');
  });
});
