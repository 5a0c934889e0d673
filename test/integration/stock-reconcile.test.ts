// Operator reconcile of items left "unsynced" by dead-lettered stock entries (WarmUp refuses them):
// the report compares Redis with MySQL + what MySQL lacks and lists the dead entries; --apply refuses
// while entries are in flight, re-drives (or resolves) the dead entries, and re-aligns the counters.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { products } from '../../src/db/schema';
import { systemClock } from '../../src/platform/clock';
import { FailedPreconditionError } from '../../src/platform/errors';
import { projectPath } from '../../src/platform/paths';
import { startStockWorkers } from '../../src/services/productcatalog/workers';
import { inspectItem, reconcileItem, unsyncedOf, type ReconcileDeps } from '../../src/services/productcatalog/workers/stock-reconcile';
import { useTestDatabase } from '../support/test-database';
import { testLogger } from '../support/test-logger';
import {
  allDrained, mysqlStocks, redisEnv, redisMode, redisStocks, reserve, seedProducts, stockRig, unsynced, waitFor, warmFromMysql, type StockRig,
} from './stock-writer-harness';

const GROUP = 'stock-writer';
const TSX = projectPath('node_modules/.bin/tsx');
const CLI = projectPath('scripts/stock-reconcile.ts');

describe(`stock reconcile: dead-lettered stock entries (${redisMode} Redis)`, function () {
  this.timeout(120_000);
  const tdb = useTestDatabase();
  let rig: StockRig;
  let deps: ReconcileDeps;

  beforeEach(async () => {
    rig = await stockRig(1); // one shard: every item's entries share one stream
    deps = { redis: rig.redis, db: tdb.current.db, stock: rig.stock, group: GROUP };
  });
  afterEach(() => rig.cleanup());

  const stream = () => rig.stock.keys.stockStream(0);
  const deadLength = () => rig.redis.xlen(rig.stock.keys.stockDeadStream(0));
  const setMysqlStock = (sku: string, stock: number) => tdb.current.db.update(products).set({ stock }).where(eq(products.id, sku));

  /** Runs the write-behind worker until the stream is drained; data rejections die at the first attempt. */
  async function drain(): Promise<void> {
    const workers = await startStockWorkers({
      redis: rig.redis, openBlocking: rig.openBlocking, stock: rig.stock, clock: systemClock, logger: testLogger('stock-writer'), db: tdb.current.db,
      run: { writer: true, forwarder: false, trimmer: false },
      settings: { writer: { blockMs: 100, claimIdleMs: 50, claimIntervalMs: 100, maxAttempts: 1, backoff: { initialMs: 20, maxMs: 100, jitter: 0 } } },
    });
    try {
      await waitFor('the stock stream to drain', () => allDrained(rig.redis, [stream()], GROUP), 30_000);
    } finally {
      await workers.stop();
    }
  }

  function cli(args: readonly string[]): Promise<{ code: number | null; out: string }> {
    const env = { ...process.env, ...redisEnv(), MYSQL_URL: tdb.current.config.mysql.url, INVENTORY_SHARDS: '1', LOG_LEVEL: 'warn' };
    const child = spawn(TSX, [CLI, ...args, '--namespace', rig.namespace], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    return new Promise(resolve => child.on('exit', code => resolve({ code, out })));
  }

  it('reports the dead entry, refuses while entries are in flight, then re-drives it (CLI) and WarmUp accepts the items again', async () => {
    const { db } = tdb.current;
    await seedProducts(db, { 'RC-A': 10, 'RC-B': 5 });
    await warmFromMysql(rig.stock, db, ['RC-A', 'RC-B']);
    assert.equal((await reserve(rig.stock, `${rig.namespace}-o1`, [{ sku: 'RC-A', qty: 2 }])).kind, 'RESERVED');
    assert.equal((await reserve(rig.stock, `${rig.namespace}-o2`, [{ sku: 'RC-A', qty: 1 }, { sku: 'RC-B', qty: 1 }])).kind, 'RESERVED');
    await setMysqlStock('RC-B', 0); // MySQL drifted: o2 would drive RC-B below zero there
    await drain();

    assert.equal(await deadLength(), 1);
    assert.deepEqual(await unsynced(rig.stock, ['RC-A', 'RC-B']), { 'RC-A': 1, 'RC-B': 1 });
    const refused = await rig.stock.warmUp(['RC-A'], async skus => skus.map(sku => ({ sku, stock: 8, limit: 0 })));
    assert.deepEqual(refused, [{ sku: 'RC-A', status: 'UNSYNCED', pending: 1 }]);

    const report = await inspectItem(deps, 'RC-A');
    assert.deepEqual(report.redis, { stock: 7, seq: 2, synced: 1 });
    assert.equal(report.mysqlStock, 8);
    assert.equal(report.expectedRedisStock, 7, 'MySQL 8 + the dead entry it lacks (-1) = Redis');
    assert.deepEqual(report.inFlight, []);
    assert.equal(report.dead.length, 1);
    assert.deepEqual(
      { order: report.dead[0]!.record.orderId, delta: report.dead[0]!.delta, applied: report.dead[0]!.applied, others: report.dead[0]!.others },
      { order: `${rig.namespace}-o2`, delta: -1, applied: false, others: ['RC-B'] },
    );
    assert.match(report.dead[0]!.deadReason, /stock of RC-B would become -1/);

    const shown = await cli(['--sku', 'RC-A']);
    assert.equal(shown.code, 1, shown.out);
    assert.match(shown.out, /dead entries: 1/);
    assert.match(shown.out, /MATCH/);

    // A new change of RC-A the worker has not seen yet: nothing may be touched.
    assert.equal((await reserve(rig.stock, `${rig.namespace}-o3`, [{ sku: 'RC-A', qty: 1 }])).kind, 'RESERVED');
    await assert.rejects(reconcileItem(deps, 'RC-A', 'redrive'), (err: unknown) => err instanceof FailedPreconditionError && /1 stock-change entry of RC-A still in flight/.test(err.message));
    const refusedCli = await cli(['--sku', 'RC-A', '--apply']);
    assert.equal(refusedCli.code, 1, refusedCli.out);
    assert.match(refusedCli.out, /refused, nothing changed/);
    assert.equal(await deadLength(), 1);
    assert.deepEqual(await mysqlStocks(db, ['RC-A', 'RC-B']), { 'RC-A': 8, 'RC-B': 0 });
    await drain();

    await setMysqlStock('RC-B', 5); // the operator corrected MySQL
    const applied = await cli(['--sku', 'RC-A', '--apply']);
    assert.equal(applied.code, 0, applied.out);
    assert.match(applied.out, /REDRIVEN, counted as synced/);

    assert.equal(await deadLength(), 0);
    assert.deepEqual(await mysqlStocks(db, ['RC-A', 'RC-B']), { 'RC-A': 6, 'RC-B': 4 });
    assert.deepEqual(await redisStocks(rig.stock, ['RC-A', 'RC-B']), { 'RC-A': 6, 'RC-B': 4 });
    assert.deepEqual(await unsynced(rig.stock, ['RC-A', 'RC-B']), {}, 'both items of the dead entry count it');
    await warmFromMysql(rig.stock, db, ['RC-A', 'RC-B']); // throws unless WARMED

    const again = await cli(['--sku', 'RC-A', '--apply']);
    assert.equal(again.code, 0, again.out);
  });

  it('--resolve accepts a dead entry as lost: MySQL untouched, counted once', async () => {
    const { db } = tdb.current;
    await seedProducts(db, { 'RS-A': 10 });
    await warmFromMysql(rig.stock, db, ['RS-A']);
    assert.equal((await reserve(rig.stock, `${rig.namespace}-r1`, [{ sku: 'RS-A', qty: 1 }])).kind, 'RESERVED');
    await setMysqlStock('RS-A', 0);
    await drain();
    assert.equal(await deadLength(), 1);

    const outcome = await reconcileItem(deps, 'RS-A', 'resolve');
    assert.deepEqual(outcome.actions.map(a => a.result), ['RESOLVED']);
    assert.deepEqual(outcome.realign, { code: 'NOT_NEEDED' });
    assert.equal(unsyncedOf(outcome.after), 0);
    assert.equal(await deadLength(), 0);
    assert.deepEqual(await mysqlStocks(db, ['RS-A']), { 'RS-A': 0 });
    assert.deepEqual((await reconcileItem(deps, 'RS-A', 'resolve')).actions, [], 'nothing left');
  });

  it('re-aligns a counter broken without a dead copy only when nothing is in flight and Redis agrees with MySQL', async () => {
    const { db } = tdb.current;
    await seedProducts(db, { 'RL-A': 10 });
    await warmFromMysql(rig.stock, db, ['RL-A']);
    assert.equal((await reserve(rig.stock, `${rig.namespace}-l1`, [{ sku: 'RL-A', qty: 1 }])).kind, 'RESERVED');
    await drain();
    await rig.redis.hincrby(rig.stock.keys.item(0, 'RL-A'), 'synced', 2); // counted twice by an older bug
    assert.deepEqual(await unsynced(rig.stock, ['RL-A']), { 'RL-A': -2 });

    await setMysqlStock('RL-A', 5);
    const skipped = await reconcileItem(deps, 'RL-A', 'redrive');
    assert.equal(skipped.realign.code, 'SKIPPED');
    assert.match((skipped.realign as { why: string }).why, /Redis stock 9 differs from MySQL stock 5/);

    await setMysqlStock('RL-A', 9);
    const fixed = await reconcileItem(deps, 'RL-A', 'redrive');
    assert.deepEqual(fixed.realign, { code: 'REALIGNED', previousSynced: 3, seq: 1 });
    assert.deepEqual(await unsynced(rig.stock, ['RL-A']), {});
    await warmFromMysql(rig.stock, db, ['RL-A']);
  });
});
