// Product changes made directly in MariaDB reach the catalog cache and Redis stock through the CDC path
// alone (binlog → reader → RocketMQ → product consumer), and only through it.
import assert from 'node:assert/strict';
import { applyStockBatch } from '../../../src/services/productcatalog/workers/stock-applier';
import { stockChanges } from '../stock-fixtures';
import { eventually, nextSecondAfter, startCdcRig, type CdcRig } from './cdc-rig';

const WITHIN_MS = 5_000;

describe('cdc: product changes made in MariaDB (real binlog, RocketMQ, Redis)', function () {
  this.timeout(120_000);
  let rig: CdcRig;

  before(async () => {
    rig = await startCdcRig({ productCount: 3, stock: 100 });
    await rig.products.start();
    await rig.startReader();
  });
  after(async () => {
    await rig?.close();
  });

  const sql = (text: string, params: unknown[]) => rig.tdb.database.pool.query(text, params);
  const price = async (id: string) => (await rig.rpc.getProduct({ id })).priceUsd?.units;
  const redisStock = async (id: string) => (await rig.rpc.getStock({ productId: id })).redisStock;

  it('an UPDATE products SET price… is served by GetProduct within 5 s', async () => {
    const id = rig.skus[0]!;
    const before = await price(id); // now cached
    assert.ok(before !== undefined);
    await sql('UPDATE products SET price_units = price_units + 7 WHERE id = ?', [id]);
    await eventually('GetProduct shows the new price', WITHIN_MS, async () => (await price(id)) === before + 7n);
  });

  it('without the CDC consumer the cache keeps serving the old price; the consumer repairs it', async () => {
    const id = rig.skus[1]!;
    const before = await price(id);
    assert.ok(before !== undefined);
    await rig.products.stop();
    const published = rig.reader()!.stats.events;
    await sql('UPDATE products SET price_units = price_units + 11 WHERE id = ?', [id]);
    await eventually('the reader published the change', WITHIN_MS, async () => rig.reader()!.stats.events > published);
    // The change is in MySQL and on the topic, but nothing else invalidates the cache (TTL 5 min).
    for (let i = 0; i < 5; i++) {
      assert.equal(await price(id), before, 'served from the cache while the consumer is stopped');
      await new Promise(r => setTimeout(r, 200));
    }
    const [rows] = (await sql('SELECT price_units FROM products WHERE id = ?', [id])) as unknown as [Array<{ price_units: string | number }>];
    assert.equal(BigInt(rows[0]!.price_units), before + 11n, 'MySQL has the new price');
    await rig.products.start();
    await eventually('GetProduct shows the new price once the consumer is back', WITHIN_MS, async () => (await price(id)) === before + 11n);
  });

  it('a stock edit made in MariaDB reaches Redis (GetStock) within 5 s: nothing in flight → re-warmed from MySQL', async () => {
    const id = rig.skus[2]!;
    const [warm] = await rig.catalog.stock.warmUp([id], ids => rig.catalog.items.figures(ids));
    assert.equal(warm?.status, 'WARMED');
    assert.equal(await redisStock(id), 100n);
    await sql('UPDATE products SET stock = stock + 25 WHERE id = ?', [id]);
    await eventually('GetStock shows 125 in Redis', WITHIN_MS, async () => (await redisStock(id)) === 125n);
    const info = await rig.rpc.getStock({ productId: id });
    assert.equal(info.mysqlStock, 125n);
  });

  it('with reservations in flight only the manual delta is added to Redis, once; the write-behind worker\'s own writes are not re-applied', async () => {
    const id = rig.skus[2]!;
    const reserved = await rig.catalog.stock.reserve({ orderId: `o-${rig.ns}-1`, userId: 'u1', lines: [{ sku: id, qty: 3 }], orderPayload: 'x' });
    assert.equal(reserved.kind, 'RESERVED');
    assert.equal(await redisStock(id), 122n); // MySQL still 125: one record in flight
    const item = await rig.catalog.stock.readItem(id);
    assert.notEqual(item.seq, item.synced);
    await nextSecondAfter(item.warmedAt ?? 0);

    await sql('UPDATE products SET stock = stock + 10 WHERE id = ?', [id]); // MySQL 135; Redis must become 132
    await eventually('Redis gets the +10 edit on top of its live figure', WITHIN_MS, async () => (await redisStock(id)) === 132n);

    // The worker applies the in-flight -3 to MySQL (its transaction logs it in stock_log with the stream id).
    const applied = rig.products.stats.applied;
    const shard = rig.catalog.stock.keys.shardOf(id);
    const plan = await applyStockBatch(rig.tdb.db, rig.catalog.stock.keys.stockStream(shard), await stockChanges(rig.catalog.stock as never, rig.redis, shard));
    assert.equal(plan.apply.length, 1);
    await eventually('the consumer handled the worker\'s change event', WITHIN_MS, async () => rig.products.stats.applied > applied);
    const info = await rig.rpc.getStock({ productId: id });
    assert.equal(info.mysqlStock, 132n);
    assert.equal(info.redisStock, 132n, 'the worker\'s -3 came from Redis: not applied a second time');
  });
});
