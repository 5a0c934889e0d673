// stock_log keeps the whole order id and reason of every change: the widest values the stock scripts
// accept (order id 128 characters, release reason 64) are stored as they are, never cut.
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { stockLog } from '../../src/db/schema';
import { systemClock } from '../../src/platform/clock';
import { startStockWorkers, type StockWorkers } from '../../src/services/productcatalog/workers';
import { useTestDatabase } from '../support/test-database';
import { testLogger } from '../support/test-logger';
import { allDrained, mysqlStocks, payloadOf, redisMode, seedProducts, traceOf, stockRig, waitFor, warmFromMysql, type StockRig } from './stock-writer-harness';

describe(`stock writer: stock_log audit columns (${redisMode} Redis)`, function () {
  this.timeout(60_000);
  const tdb = useTestDatabase();
  let rig: StockRig;
  let workers: StockWorkers | undefined;

  beforeEach(async () => {
    rig = await stockRig(1);
  });
  afterEach(async () => {
    await workers?.stop();
    await rig.cleanup();
  });

  it('stores a 128-character order id and a 64-character release reason whole', async () => {
    const { db } = tdb.current;
    await seedProducts(db, { 'AU-A': 10 });
    await warmFromMysql(rig.stock, db, ['AU-A']);
    const orderId = `${rig.namespace}-`.padEnd(128, 'x');
    const reason = 'R'.repeat(64);
    const lines = [{ sku: 'AU-A', qty: 2 }];
    const reserved = await rig.stock.reserve({ orderId, userId: 'au-user', lines, orderPayload: payloadOf(orderId, lines), traceContext: traceOf(orderId) });
    assert.equal(reserved.kind, 'RESERVED');
    assert.equal((await rig.stock.release(orderId, reason)).kind, 'RELEASED');

    workers = await startStockWorkers({
      redis: rig.redis, openBlocking: rig.openBlocking, stock: rig.stock, clock: systemClock, logger: testLogger('stock-writer'), db,
      run: { writer: true, forwarder: false, trimmer: false },
      settings: { writer: { blockMs: 100 } },
    });
    const stream = rig.stock.keys.stockStream(0);
    await waitFor('the stream to drain', () => allDrained(rig.redis, [stream], 'stock-writer'), 30_000);

    assert.deepEqual(await mysqlStocks(db, ['AU-A']), { 'AU-A': 10 });
    const rows = await db.select({ orderId: stockLog.orderId, reason: stockLog.reason, delta: stockLog.delta }).from(stockLog).where(eq(stockLog.stream, stream)).orderBy(stockLog.id);
    assert.deepEqual(rows, [
      { orderId, reason: 'RESERVE', delta: -2 },
      { orderId, reason, delta: 2 },
    ]);
    assert.equal(workers.stats().writer!.deadLettered, 0);
  });
});
