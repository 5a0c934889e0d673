// The ledger on a real small sale (real Redis Lua stock, real write-behind, orders inserted the way the
// creation consumer does — see ledger-rig.ts): clean once drained, then each breach is detected and named.
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { systemClock } from '../../../src/platform/clock';
import { metricsRegistry } from '../../../src/platform/metrics/registry';
import { createLedgerChecker, createLedgerJob } from '../../../src/services/ledger';
import { readRecorded } from '../../../src/services/ledger/reconciliation-counters';
import { testLogger } from '../../support/test-logger';
import type { LedgerReport } from '../../../src/services/ledger/types';
import { useTestDatabase } from '../../support/test-database';
import { startLedgerRig, type LedgerRig } from './ledger-rig';

const HOT = 'LEDGER-HOT';
const A = 'LEDGER-A';
const B = 'LEDGER-B';
const C = 'LEDGER-C';

function breachesOf(r: LedgerReport, invariant: string) {
  return r.breaches.filter(b => b.invariant === invariant);
}

describe('ledger checker on a real sale', function () {
  this.timeout(120_000);
  const tdb = useTestDatabase();
  let rig: LedgerRig;
  const accepted: string[] = [];
  const refused: string[] = [];

  before(async () => {
    rig = await startLedgerRig(tdb.current.db, { [HOT]: { stock: 10, limit: 2 }, [A]: { stock: 50 }, [B]: { stock: 50 }, [C]: { stock: 50 } });
    // 16 buyers compete for 10 hot units (limit 2); some also buy A/B/C (multi-item, cross-shard orders).
    for (let i = 0; i < 16; i++) {
      const id = `ord-${rig.rig.namespace}-${i}`;
      const lines = [{ sku: HOT, qty: 1 + (i % 2) }];
      if (i % 3 === 0) lines.push({ sku: A, qty: 2 });
      if (i % 4 === 0) lines.push({ sku: B, qty: 1 });
      if (i % 5 === 0) lines.push({ sku: C, qty: 3 });
      const kind = await rig.reserve(id, `user-${i % 8}`, lines);
      (kind === 'RESERVED' ? accepted : refused).push(id);
    }
    for (let i = 0; i < 6; i++) {
      const id = `ord-${rig.rig.namespace}-ab-${i}`;
      if ((await rig.reserve(id, `user-ab-${i}`, [{ sku: A, qty: 1 }, { sku: B, qty: 2 }])) === 'RESERVED') accepted.push(id);
    }
    const inserted = await rig.persistAccepted();
    assert.deepEqual([...inserted].sort(), [...accepted].sort());
    await rig.cancel(accepted[0]!);
    await rig.cancel(accepted[1]!);
    await rig.pay(accepted[2]!);
    await rig.pay(accepted[3]!);
    await rig.observer.pollOnce();
  });

  after(async () => {
    await rig?.close();
  });

  it('drains and reports a clean ledger, with the three reconciliation counters equal', async () => {
    assert.ok(refused.length > 0, 'the hot item sold out for some buyers');
    const checker = rig.checker();
    assert.equal(await checker.waitForDrain(30_000, { pollMs: 200 }), true);
    const { report, reconciliation } = await checker.checkAll();
    assert.deepEqual(report.breaches, []);
    assert.equal(report.clean, true);
    assert.equal(report.drained, true);
    const hot = report.items.find(i => i.sku === HOT)!;
    assert.equal(hot.state, 'CLEAN');
    assert.equal(hot.redisStock, hot.mysqlStock);
    assert.equal(hot.initial, 10);
    assert.equal(hot.redisStock! + hot.ordered, 10);
    for (const it of report.items) assert.equal(it.state, 'CLEAN', `${it.sku} ${it.state}`);
    assert.equal(report.ordersChecked, accepted.length);
    const totals = reconciliation.minutes.reduce((t, m) => ({ a: t.a + m.accepted, p: t.p + m.persisted, b: t.b + m.binlog }), { a: 0, p: 0, b: 0 });
    assert.deepEqual(totals, { a: accepted.length, p: accepted.length, b: accepted.length });
    assert.equal(reconciliation.gap, 0);
  });

  it('the observer group recorded every accepted id; the job exports clean gauges', async () => {
    const recorded = await readRecorded(rig.rig.redis, 'accepted', 0, Date.now() + 1, { namespace: rig.rig.namespace });
    assert.deepEqual([...recorded.keys()].sort(), [...accepted].sort());
    const job = createLedgerJob({
      redis: rig.rig.redis,
      checker: rig.checker(),
      observer: rig.observer,
      clock: systemClock,
      logger: testLogger('ledger-job'),
      settings: { intervalMs: 60_000, alertLagMs: 0, retentionMs: 3_600_000, reconNamespace: rig.rig.namespace },
    });
    const snap = await job.runOnce();
    assert.equal(snap.report.clean, true);
    assert.equal(snap.alert.alert, false);
    const text = await metricsRegistry.metrics();
    assert.match(text, /^shop_ledger_clean 1$/m);
    assert.match(text, /^shop_reconcile_gap 0$/m);
    assert.match(text, new RegExp(`^shop_ledger_stock_drift\\{sku="${HOT}"\\} 0$`, 'm'));
    await job.stop();
  });

  it('reports an order row deleted behind the system\'s back by id', async () => {
    const victim = accepted[5]!;
    await tdb.current.db.execute(sql`DELETE FROM orders WHERE order_id = ${victim}`);
    const { report, reconciliation } = await rig.checker().checkAll();
    const b = breachesOf(report, 'order-persisted');
    assert.deepEqual(b.map(x => x.orderId), [victim]);
    assert.deepEqual(reconciliation.deletedRows, [victim]);
    assert.ok(reconciliation.notPersisted.includes(victim));
    assert.equal(report.clean, false);
  });

  it('reports an accepted order that never got its row once the grace period passed', async () => {
    const lost = `ord-${rig.rig.namespace}-lost`;
    assert.equal(await rig.reserve(lost, 'user-lost', [{ sku: C, qty: 1 }]), 'RESERVED');
    await rig.persistAccepted({ skip: new Set([lost]) });
    const young = await rig.checker().check();
    assert.ok(young.backlog.acceptedNotPersisted.includes(lost), 'inside the grace period it is in flight');
    assert.equal(breachesOf(young, 'order-persisted').some(b => b.orderId === lost), false);
    const old = await rig.checker({ graceMs: 0 }).check();
    assert.ok(breachesOf(old, 'order-persisted').some(b => b.orderId === lost));
  });

  it('reports tampered Redis stock as a stock breach', async () => {
    await rig.rig.redis.hincrby(rig.rig.stock.keys.item(rig.rig.stock.keys.shardOf(B), B), 'stock', 5);
    const report = await rig.checker().check({ skus: [B] });
    const b = breachesOf(report, 'redis-equals-mysql');
    assert.equal(b.length, 1);
    assert.equal(b[0]!.sku, B);
    assert.equal(report.items[0]!.state, 'BREACH');
  });

  it('reports MySQL stock that differs from Redis after drain', async () => {
    await tdb.current.db.execute(sql`UPDATE products SET stock = stock - 1 WHERE id = ${A}`);
    const report = await rig.checker().check({ skus: [A] });
    assert.ok(breachesOf(report, 'redis-equals-mysql').some(b => b.sku === A));
  });

  it('reports a user holding more than the per-user limit', async () => {
    const keys = rig.rig.stock.keys;
    await rig.rig.redis.hincrby(keys.buyers(keys.shardOf(HOT), HOT), 'user-greedy', 3);
    const report = await rig.checker().check({ skus: [HOT] });
    const b = breachesOf(report, 'per-user-limit');
    assert.deepEqual(b.map(x => x.userId), ['user-greedy']);
    assert.equal(b[0]!.sku, HOT);
  });

  it('reports a history holding both PAID and CANCELLED', async () => {
    const paid = accepted[2]!;
    const [rows] = (await tdb.current.db.execute(sql`SELECT MAX(seq) AS s FROM order_events WHERE order_id = ${paid}`)) as unknown as [{ s: number }[]];
    await tdb.current.db.execute(
      sql`INSERT INTO order_events (order_id, seq, from_status, to_status, reason, at) VALUES (${paid}, ${Number(rows[0]!.s) + 1}, 'PAID', 'CANCELLED', 'forged', ${new Date()})`,
    );
    const report = await rig.checker().check();
    assert.deepEqual(breachesOf(report, 'paid-and-cancelled').map(b => b.orderId), [paid]);
    assert.ok(breachesOf(report, 'order-state').some(b => b.orderId === paid && /forbidden transition PAID → CANCELLED/.test(b.detail)));
  });

  it('is read-only: a check changes no Redis key', async () => {
    const checker = createLedgerChecker({
      redis: rig.rig.redis, db: rig.db, keys: rig.rig.stock.keys, settings: rig.settings(), clock: { now: () => Date.now(), sleep: async () => undefined }, logger: (await import('../../support/test-logger')).testLogger('ledger'),
    });
    const keys = rig.rig.stock.keys;
    const before = await rig.rig.redis.hgetall(keys.item(keys.shardOf(HOT), HOT));
    await checker.check();
    assert.deepEqual(await rig.rig.redis.hgetall(keys.item(keys.shardOf(HOT), HOT)), before);
  });
});
