// Crash tests: the write-behind worker runs in a child process that SIGKILLs itself in the middle of a
// batch (inside the transaction before COMMIT, and after COMMIT before the XACK). A fresh process then
// takes over the dead one's pending entries: nothing lost, nothing applied twice.
import assert from 'node:assert/strict';
import { useTestDatabase } from '../support/test-database';
import { prng } from './stock-fixtures';
import {
  allDrained, auditCounts, mysqlStocks, redisMode, redisStocks, reserveMany, seedProducts, spawnWorkerChild, stockLines, stockRig,
  unsynced, waitFor, warmFromMysql, type StockRig,
} from './stock-writer-harness';

const GROUP = 'stock-writer';
const settings = { writer: { batchSize: 20, blockMs: 200, claimIdleMs: 500, claimIntervalMs: 300, backoff: { initialMs: 50, maxMs: 500, jitter: 0.2 } } };

describe(`stock writer: killed mid-batch (${redisMode} Redis)`, function () {
  this.timeout(180_000);
  const tdb = useTestDatabase();
  let rig: StockRig;

  before(async () => {
    rig = await stockRig(2);
  });
  after(async () => {
    await rig?.cleanup();
  });

  it('SIGKILL before COMMIT, then after COMMIT before XACK: a restarted worker loses nothing and applies nothing twice', async () => {
    const { db, config } = tdb.current;
    const skus = ['KL-A', 'KL-B', 'KL-C'];
    await seedProducts(db, Object.fromEntries(skus.map(s => [s, 1000])));
    await warmFromMysql(rig.stock, db, skus);
    const reserved = await reserveMany(rig.stock, `${rig.namespace}-k`, 200, skus, prng(3));
    for (const id of reserved.slice(0, 25)) await rig.stock.release(id, 'TIMEOUT');
    const streams = rig.stock.keys.allShards().map(s => rig.stock.keys.stockStream(s));
    const base = { namespace: rig.namespace, shards: 2, mysqlUrl: config.mysql.url, run: 'writer' as const, settings };

    const first = spawnWorkerChild({ ...base, killAt: 'before-commit', killOnBatch: 2 });
    assert.equal((await first.exitWithin(60_000)).signal, 'SIGKILL');
    const second = spawnWorkerChild({ ...base, killAt: 'after-commit', killOnBatch: 3 });
    assert.equal((await second.exitWithin(60_000)).signal, 'SIGKILL');
    // The second crash left committed-but-unacked entries behind: MySQL is ahead of the acks.
    const midway = await auditCounts(db, streams);
    assert.ok(midway.applied > 0, 'the second process committed batches before dying');

    const third = spawnWorkerChild({ ...base });
    await third.ready;
    await waitFor('the stock streams to drain', () => allDrained(rig.redis, streams, GROUP), 90_000);
    const stopped = await third.stop();
    assert.equal(stopped.code, 0, 'graceful stop exits 0');

    const written = await stockLines(rig.redis, streams);
    assert.deepEqual(await mysqlStocks(db, skus), await redisStocks(rig.stock, skus));
    assert.deepEqual(await auditCounts(db, streams), { logRows: written.lines, applied: written.entries, duplicateLogRows: 0 });
    assert.deepEqual(await unsynced(rig.stock, skus), {}, 'each entry counted once as synced, even those acked by the restarted worker');
    const stats = third.stats() as { writer: { alreadyApplied: number; deadLettered: number } };
    assert.ok(stats.writer.alreadyApplied > 0, 'the restarted worker found the committed-but-unacked batch and only acked it');
    assert.equal(stats.writer.deadLettered, 0);
  });
});
