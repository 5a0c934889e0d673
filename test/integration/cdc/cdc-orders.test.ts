// Order rows as the binlog shows them repair the buyer's result key and its WatchOrder channel, whatever
// path changed them (a manual SQL fix included), and order INSERTs reach the reconciliation counters.
import assert from 'node:assert/strict';
import { OrderStatus } from '../../../src/gen/shop/v1/common';
import { systemClock } from '../../../src/platform/clock';
import { readRecorded } from '../../../src/services/ledger/reconciliation-counters';
import { createOrderRepo, type OrderRepo } from '../../../src/services/order/order-repo';
import { createResultStore, type ResultStore } from '../../../src/services/order/result-store';
import { statusToProto } from '../../../src/services/order/state-machine';
import { createWatchHub, type WatchHub } from '../../../src/services/order/watch-hub';
import { testLogger } from '../../support/test-logger';
import { createTestRedis } from '../../support/test-redis';
import { makeOrder } from '../order/order-fixtures';
import { eventually, startCdcRig, type CdcRig } from './cdc-rig';

const WITHIN_MS = 5_000;

describe('cdc: order changes repair the buyer result channel (real binlog, RocketMQ, Redis)', function () {
  this.timeout(240_000);
  let rig: CdcRig;
  let results: ResultStore;
  let repo: OrderRepo;
  let hub: WatchHub;
  let seq = 0;

  before(async () => {
    rig = await startCdcRig({ productCount: 1 });
    const logger = testLogger('cdc-orders');
    // The order service's own pieces: the repo writes the result key after each commit (normal path),
    // and the hub is what WatchOrder streams from.
    results = createResultStore(rig.redis, { ttlMs: 3_600_000, clock: systemClock, logger, prefix: rig.resultPrefix });
    repo = createOrderRepo(rig.tdb.db, systemClock, { onCommitted: changes => results.record(changes) });
    hub = createWatchHub(await createTestRedis('cdc-watch', { blocking: true }), results, logger);
    await rig.orders.start();
    await rig.startReader();
    // A fresh group on the shared it-row-changed topic may first be handed earlier runs' events (acked
    // unapplied: other databases). Wait for this run's first event to come through, so the 5 s bounds
    // below measure the CDC path, not that one-time catch-up.
    const warmUp = await newOrder();
    await eventually('the first event of this run', 110_000, async () =>
      (await readRecorded(rig.redis, 'binlog', 0, Number.MAX_SAFE_INTEGER, { namespace: rig.reconNamespace })).has(warmUp),
    );
  });
  after(async () => {
    await hub?.close();
    await rig?.close();
  });

  const sql = (text: string, params: unknown[]) => rig.tdb.database.pool.query(text, params);

  async function newOrder(): Promise<string> {
    const order = makeOrder(seq++);
    await repo.insertBatch([order]);
    return order.orderId;
  }

  it('an order INSERT seen in the binlog is recorded at the binlog stage of the reconciliation counters', async () => {
    const id = await newOrder();
    await eventually('the binlog stage holds the order id', WITHIN_MS, async () =>
      (await readRecorded(rig.redis, 'binlog', 0, Number.MAX_SAFE_INTEGER, { namespace: rig.reconNamespace })).has(id),
    );
  });

  it('a manual UPDATE orders SET status… (version not bumped) repairs the result key, and the WatchOrder channel sees it', async () => {
    const id = await newOrder();
    await eventually('the normal path wrote PENDING_PAYMENT', WITHIN_MS, async () => (await results.get(id))?.progress.status === OrderStatus.ORDER_STATUS_PENDING_PAYMENT);
    const watch = hub.watch(id);
    await watch.ready;
    await sql("UPDATE orders SET status = 'CANCELLED', failure_reason = 'fixed by hand' WHERE order_id = ?", [id]);
    const seen = await watch.next(new AbortController().signal, WITHIN_MS);
    watch.close();
    assert.ok(seen && seen !== 'timeout', 'WatchOrder channel got a record within 5 s');
    assert.equal(seen.progress.status, OrderStatus.ORDER_STATUS_CANCELLED);
    assert.equal(seen.progress.reason, 'fixed by hand');
    assert.equal(seen.progress.terminal, true);
    const stored = await results.get(id);
    assert.equal(stored?.progress.status, OrderStatus.ORDER_STATUS_CANCELLED);
    assert.equal(stored?.version, 0);
  });

  it('a result write the order service missed is rebuilt from the binlog', async () => {
    const id = await newOrder();
    await eventually('the normal path wrote the key', WITHIN_MS, async () => (await results.get(id)) !== undefined);
    await rig.redis.del(results.key(id)); // the write after the next commit is "lost"
    await sql("UPDATE orders SET status = 'PAID', paid_at = CURRENT_TIMESTAMP(3), version = version + 1 WHERE order_id = ?", [id]);
    await eventually('the key is back with PAID at version 1', WITHIN_MS, async () => {
      const r = await results.get(id);
      return r?.progress.status === OrderStatus.ORDER_STATUS_PAID && r.version === 1;
    });
  });

  it('a change older than the stored result never overwrites it', async () => {
    const id = await newOrder();
    await eventually('the normal path wrote the key', WITHIN_MS, async () => (await results.get(id)) !== undefined);
    const t = await repo.transition(id, 'PAYING', {});
    assert.ok(t);
    await eventually('PAYING at version 1 stored', WITHIN_MS, async () => (await results.get(id))?.version === 1);
    const applied = rig.orders.stats.applied;
    // A stale-looking manual edit: version back to 0 with another status.
    await sql("UPDATE orders SET status = 'CANCELLED', version = 0 WHERE order_id = ?", [id]);
    await eventually('the consumer handled it', WITHIN_MS, async () => rig.orders.stats.applied > applied);
    const r = await results.get(id);
    assert.equal(r?.version, 1);
    assert.equal(r?.progress.status, statusToProto('PAYING'));
  });
});
