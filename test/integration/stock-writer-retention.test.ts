// Stream retention: XTRIM MINID below what every group acked; pending or undelivered entries of any
// group are kept; a group the pipeline needs but that never ran keeps the whole stream.
import assert from 'node:assert/strict';
import { systemClock } from '../../src/platform/clock';
import { startStockWorkers, type StockWorkers } from '../../src/services/productcatalog/workers';
import { consumerInfos, groupInfos, readGroupEntries, toEntries } from '../../src/services/productcatalog/workers/stream-entries';
import { trimStream } from '../../src/services/productcatalog/workers/stream-trimmer';
import { useTestDatabase } from '../support/test-database';
import { testLogger } from '../support/test-logger';
import { prng } from './stock-fixtures';
import { allDrained, redisMode, reserveMany, seedProducts, sleep, stockRig, streamLength, waitFor, warmFromMysql, type StockRig } from './stock-writer-harness';

describe(`stream retention (${redisMode} Redis)`, function () {
  this.timeout(60_000);
  const tdb = useTestDatabase();
  let rig: StockRig;
  let workers: StockWorkers | undefined;

  beforeEach(async () => {
    rig = await stockRig(2);
  });
  afterEach(async () => {
    await workers?.stop();
    workers = undefined;
    await rig.cleanup();
  });

  const ids = async (stream: string) => toEntries(await rig.redis.xrange(stream, '-', '+')).map(e => e.id);
  const read = async (stream: string, group: string, consumer: string, count: number) =>
    readGroupEntries(await rig.redis.xreadgroup('GROUP', group, consumer, 'COUNT', count, 'STREAMS', stream, '>')).map(e => e.id);

  it('trims only below the slowest group: its pending and undelivered entries stay', async () => {
    const stream = rig.stock.keys.stockStream(0);
    const added: string[] = [];
    for (let i = 0; i < 10; i++) added.push((await rig.redis.xadd(stream, '*', 'n', String(i))) as string);
    await rig.redis.xgroup('CREATE', stream, 'stock-writer', '0');
    await rig.redis.xgroup('CREATE', stream, 'audit', '0');
    await rig.redis.xack(stream, 'stock-writer', ...(await read(stream, 'stock-writer', 'w1', 10)));
    const auditRead = await read(stream, 'audit', 'a1', 6);
    await rig.redis.xack(stream, 'audit', ...auditRead.slice(0, 4)); // 2 pending, 4 never delivered

    const first = await trimStream(rig.redis, { stream, groups: ['stock-writer'] });
    assert.equal(first.trimmed, 4);
    assert.deepEqual(await ids(stream), added.slice(4), 'the pending entries and everything after them are kept');

    await rig.redis.xack(stream, 'audit', ...auditRead.slice(4));
    const second = await trimStream(rig.redis, { stream, groups: ['stock-writer'] });
    assert.equal(second.trimmed, 2);
    assert.deepEqual(await ids(stream), added.slice(6), 'entries never delivered to audit are kept');

    await rig.redis.xack(stream, 'audit', ...(await read(stream, 'audit', 'a1', 10)));
    await trimStream(rig.redis, { stream, groups: ['stock-writer'] });
    assert.equal(await rig.redis.xlen(stream), 0, 'acked by every group: all gone');
    const again = await trimStream(rig.redis, { stream, groups: ['stock-writer'] });
    assert.equal(again.trimmed, 0, 'idempotent');
  });

  it('a required group that never ran is created at 0 and keeps the whole stream; dead consumers are removed', async () => {
    const stream = rig.stock.keys.ordersStream(1);
    for (let i = 0; i < 5; i++) await rig.redis.xadd(stream, '*', 'n', String(i));
    await rig.redis.xgroup('CREATE', stream, 'other', '0');
    const got = await read(stream, 'other', 'gone-consumer', 5);
    await rig.redis.xack(stream, 'other', ...got.slice(0, 4));
    await rig.redis.xgroup('CREATECONSUMER', stream, 'other', 'idle-consumer');
    await sleep(5); // idle for at least the 1 ms threshold below

    const r = await trimStream(rig.redis, { stream, groups: ['order-forwarder'] }, 1);
    assert.equal(r.floor, null);
    assert.equal(r.trimmed, 0);
    assert.equal(await rig.redis.xlen(stream), 5);
    const groups = groupInfos(await rig.redis.xinfo('GROUPS', stream));
    assert.deepEqual(groups.find(g => g.name === 'order-forwarder'), { name: 'order-forwarder', pending: 0, lastDeliveredId: '0-0' });
    const consumers = consumerInfos(await rig.redis.xinfo('CONSUMERS', stream, 'other')).map(c => c.name);
    assert.deepEqual(consumers, ['gone-consumer'], 'the idle consumer with nothing pending went; the one holding an entry stayed');
  });

  it('after the write-behind worker drained, the trimmer empties the stock streams and keeps the unforwarded orders', async () => {
    const { db } = tdb.current;
    const skus = ['RT-A', 'RT-B', 'RT-C'];
    await seedProducts(db, Object.fromEntries(skus.map(s => [s, 100])));
    await warmFromMysql(rig.stock, db, skus);
    await reserveMany(rig.stock, `${rig.namespace}-t`, 30, skus, prng(1));
    const stockStreams = rig.stock.keys.allShards().map(s => rig.stock.keys.stockStream(s));
    const orderStreams = rig.stock.keys.allShards().map(s => rig.stock.keys.ordersStream(s));
    const orders = await streamLength(rig.redis, orderStreams);

    workers = await startStockWorkers({
      redis: rig.redis, openBlocking: rig.openBlocking, stock: rig.stock, clock: systemClock, logger: testLogger('workers'), db,
      run: { writer: true, forwarder: false, trimmer: true },
      settings: { writer: { blockMs: 200 }, trimmer: { intervalMs: 3_600_000 } },
    });
    await waitFor('the stock streams to drain', () => allDrained(rig.redis, stockStreams, 'stock-writer'), 30_000);
    await workers.trimmer!.trimOnce();
    assert.equal(await streamLength(rig.redis, stockStreams), 0);
    assert.equal(await streamLength(rig.redis, orderStreams), orders, 'the forwarder group has not consumed them');
    assert.ok(workers.stats().trimmer!.trimmed > 0);

    // The settled set of each stock stream (exactly-once synced accounting) is pruned to the trim floor.
    let settledFloors = 0;
    for (const shard of rig.stock.keys.allShards()) {
      const floor = await rig.redis.get(rig.stock.keys.stockSettledFloor(shard));
      if (floor === null) continue;
      settledFloors += 1;
      const floorMs = floor.split('-')[0]!;
      assert.equal(await rig.redis.zcount(rig.stock.keys.stockSettled(shard), '-inf', `(${floorMs}`), 0, `settled ids below ${floor} pruned`);
    }
    assert.ok(settledFloors > 0, 'the trimmer raised the settled floors');
  });
});
