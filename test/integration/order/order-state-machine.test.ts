// The order state machine in real MariaDB: every (from, to) pair table-driven, concurrent races,
// random interleavings, and status events that arrive before their row.
import assert from 'node:assert/strict';
import { systemClock } from '../../../src/platform/clock';
import { createOrderRepo, type OrderRepo } from '../../../src/services/order/order-repo';
import { canTransition, ORDER_STATUSES, type OrderStatusName } from '../../../src/services/order/state-machine';
import { encodeStatusEvent } from '../../../src/services/order/status-event';
import { OrderStatus } from '../../../src/gen/shop/v1/common';
import type { OrderChange, OrderEventRecord } from '../../../src/services/order/types';
import { useTestDatabase } from '../../support/test-database';
import { makeOrder } from './order-fixtures';

/** The transitions that lead from PENDING_PAYMENT to each status. */
const PATH: Record<OrderStatusName, OrderStatusName[]> = {
  PENDING_PAYMENT: [],
  PAYING: ['PAYING'],
  PAID: ['PAID'],
  SHIPPED: ['PAID', 'SHIPPED'],
  SHIP_FAILED: ['PAID', 'SHIP_FAILED'],
  CANCELLED: ['CANCELLED'],
};

function assertValidHistory(h: OrderEventRecord[]): void {
  assert.ok(h.length >= 1, 'creation event');
  assert.equal(h[0]?.seq, 0);
  assert.equal(h[0]?.from, null);
  assert.equal(h[0]?.to, 'PENDING_PAYMENT');
  for (let i = 1; i < h.length; i++) {
    const e = h[i] as OrderEventRecord;
    assert.equal(e.seq, i, 'seq is contiguous');
    assert.equal(e.from, h[i - 1]?.to, `event ${i} starts where ${i - 1} ended`);
    assert.ok(canTransition(e.from as OrderStatusName, e.to), `${e.from} → ${e.to} is allowed`);
  }
  const reached = new Set(h.map(e => e.to));
  assert.ok(!(reached.has('PAID') && reached.has('CANCELLED')), 'PAID and CANCELLED never both in one history');
}

describe('order state machine (MariaDB)', function () {
  this.timeout(120_000);
  const tdb = useTestDatabase();
  let repo: OrderRepo;
  const committed: OrderChange[] = [];
  let seq = 0;

  before(() => {
    repo = createOrderRepo(tdb.current.db, systemClock, {
      onCommitted: async changes => {
        committed.push(...changes);
      },
    });
  });

  async function freshOrder(): Promise<string> {
    const o = makeOrder(seq++);
    const r = await repo.insertBatch([o]);
    assert.deepEqual(r.inserted, [o.orderId]);
    return o.orderId;
  }

  async function orderIn(status: OrderStatusName): Promise<string> {
    const id = await freshOrder();
    for (const to of PATH[status]) {
      const r = await repo.transition(id, to, { reason: `to ${to}` });
      assert.equal(r.kind, 'applied', `setup ${to}`);
    }
    return id;
  }

  describe('every (from, to) pair', () => {
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        const allowed = canTransition(from, to);
        it(`${from} → ${to}: ${allowed ? 'applied' : 'refused, nothing changes'}`, async () => {
          const id = await orderIn(from);
          const before = await repo.get(id);
          const historyBefore = await repo.history(id);
          const r = await repo.transition(id, to, { reason: 'probe', trackingId: 'TRK-1', transactionId: 'TX-1' });
          const after = await repo.get(id);
          if (allowed) {
            assert.equal(r.kind, 'applied');
            assert.equal(after?.status, to);
            assert.equal(after?.previousStatus, from, 'previous_status is the old status');
            assert.equal(after?.version, (before?.version ?? 0) + 1);
            const h = await repo.history(id);
            assert.equal(h.length, historyBefore.length + 1);
            assert.deepEqual([h.at(-1)?.from, h.at(-1)?.to, h.at(-1)?.reason], [from, to, 'probe']);
            assertValidHistory(h);
          } else {
            assert.deepEqual(r.kind === 'refused' ? r.current : r.kind, from);
            assert.deepEqual(after, before, 'row unchanged');
            assert.deepEqual(await repo.history(id), historyBefore, 'history unchanged');
          }
        });
      }
    }

    it('unknown order → not-found', async () => {
      assert.deepEqual(await repo.transition('no-such-order', 'PAID'), { kind: 'not-found' });
    });

    it('PAYING is only taken before the deadline when asked to', async () => {
      const id = await freshOrder(); // fixture deadlines are in the past
      const r = await repo.transition(id, 'PAYING', { onlyBeforeDeadline: true });
      assert.equal(r.kind, 'refused');
      assert.equal((await repo.get(id))?.status, 'PENDING_PAYMENT');
    });
  });

  describe('concurrent races', () => {
    const RACES = 40;

    for (const [a, b] of [
      ['PAID', 'CANCELLED'],
      ['PAYING', 'CANCELLED'],
    ] as const) {
      it(`${a} vs ${b} on ${RACES} orders: exactly one wins each`, async () => {
        const ids = await Promise.all(Array.from({ length: RACES }, () => freshOrder()));
        await Promise.all(
          ids.map(async (id, i) => {
            const order = i % 2 === 0 ? [a, b] : [b, a];
            const results = await Promise.all(order.map(to => repo.transition(id, to)));
            assert.equal(results.filter(r => r.kind === 'applied').length, 1, `one winner for ${id}`);
            const row = await repo.get(id);
            assertValidHistory(await repo.history(id));
            assert.ok(row?.status === a || row?.status === b);
          }),
        );
      });
    }

    it('random interleavings of every event on 60 orders → valid histories only', async () => {
      const ids = await Promise.all(Array.from({ length: 60 }, () => freshOrder()));
      const events: Array<[string, OrderStatusName]> = [];
      for (const id of ids) for (const to of ORDER_STATUSES) for (let k = 0; k < 2; k++) events.push([id, to]);
      for (let i = events.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [events[i], events[j]] = [events[j] as [string, OrderStatusName], events[i] as [string, OrderStatusName]];
      }
      // 8 concurrent lanes over the shuffled list
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < events.length) {
            const [id, to] = events[next++] as [string, OrderStatusName];
            await repo.transition(id, to, { reason: 'shuffle' });
          }
        }),
      );
      for (const id of ids) {
        const h = await repo.history(id);
        assertValidHistory(h);
        const row = await repo.get(id);
        assert.equal(row?.status, h.at(-1)?.to, 'row status = last history entry');
        assert.equal(row?.version, h.length - 1);
      }
    });
  });

  describe('events before their row', () => {
    const pending = (orderId: string, to: OrderStatusName, proto: OrderStatus, extra: { transactionId?: string; trackingId?: string } = {}) => ({
      event: { orderId, to, payload: encodeStatusEvent({ orderId, to: proto, at: new Date(), ...extra }), receivedAt: new Date() },
      opts: { ...extra },
    });

    it('a PAID event before its row ends PAID, with the transaction id', async () => {
      const o = makeOrder(seq++);
      const p = pending(o.orderId, 'PAID', OrderStatus.ORDER_STATUS_PAID, { transactionId: 'tx-early' });
      assert.deepEqual(await repo.transitionOrKeep(p.event, p.opts), { kind: 'kept' });
      assert.deepEqual(await repo.transitionOrKeep(p.event, p.opts), { kind: 'kept' }, 'redelivery is a no-op');
      const r = await repo.insertBatch([o]);
      assert.deepEqual(r.pendingApplied, [{ orderId: o.orderId, to: 'PAID' }]);
      const row = await repo.get(o.orderId);
      assert.equal(row?.status, 'PAID');
      assert.equal(row?.transactionId, 'tx-early');
      assert.ok(row?.paidAt instanceof Date);
      assertValidHistory(await repo.history(o.orderId));
      assert.equal(await repo.countPending(), 0);
    });

    it('SHIPPED then PAID before the row → both applied in table order', async () => {
      const o = makeOrder(seq++);
      const s = pending(o.orderId, 'SHIPPED', OrderStatus.ORDER_STATUS_SHIPPED, { trackingId: 'TRK-9' });
      const p = pending(o.orderId, 'PAID', OrderStatus.ORDER_STATUS_PAID);
      await repo.transitionOrKeep(s.event, s.opts);
      await repo.transitionOrKeep(p.event, p.opts);
      const r = await repo.insertBatch([o]);
      assert.equal(r.pendingApplied.length, 2);
      const row = await repo.get(o.orderId);
      assert.equal(row?.status, 'SHIPPED');
      assert.equal(row?.trackingId, 'TRK-9');
    });

    it('PAID and CANCELLED both before the row → only one applied, the other refused', async () => {
      const o = makeOrder(seq++);
      for (const [to, proto] of [['CANCELLED', OrderStatus.ORDER_STATUS_CANCELLED], ['PAID', OrderStatus.ORDER_STATUS_PAID]] as const) {
        const p = pending(o.orderId, to, proto);
        await repo.transitionOrKeep(p.event, p.opts);
      }
      const r = await repo.insertBatch([o]);
      assert.equal(r.pendingApplied.length, 1);
      assert.equal(r.pendingRefused.length, 1);
      assertValidHistory(await repo.history(o.orderId));
    });

    it('PAID events racing the creation of 50 rows: every order ends PAID, nothing left pending', async () => {
      const orders = Array.from({ length: 50 }, () => makeOrder(seq++));
      await Promise.all([
        ...orders.map(async (o, i) => {
          if (i % 3 === 0) await new Promise(res => setImmediate(res));
          const p = pending(o.orderId, 'PAID', OrderStatus.ORDER_STATUS_PAID);
          await repo.transitionOrKeep(p.event, p.opts);
        }),
        // creation in batches of 10, concurrently with the events
        ...Array.from({ length: 5 }, (_, b) => repo.insertBatch(orders.slice(b * 10, b * 10 + 10))),
      ]);
      for (const o of orders) assert.equal((await repo.get(o.orderId))?.status, 'PAID', o.orderId);
      assert.equal(await repo.countPending(), 0);
    });
  });

  it('two replicas inserting overlapping batches at once: one row per order; the loser only ever sees a retryable error', async () => {
    const batch = Array.from({ length: 60 }, () => makeOrder(seq++));
    const reversed = [...batch].reverse();
    const retryable = /InsertRaceError|Deadlock|Lock wait/;
    const insertUntilDone = async (orders: typeof batch) => {
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          return await repo.insertBatch(orders);
        } catch (err) {
          assert.match(String((err as Error & { cause?: unknown }).cause ?? err), retryable);
        }
      }
      throw new Error('never succeeded');
    };
    const [a, b] = await Promise.all([insertUntilDone(batch), insertUntilDone(reversed)]);
    assert.equal(a.inserted.length + b.inserted.length, batch.length, 'each order inserted by exactly one replica');
    for (const o of batch) {
      const h = await repo.history(o.orderId);
      assert.equal(h.length, 1, 'one creation event');
    }
  });

  it('listeners hear only committed changes, with increasing versions per order', async () => {
    const byOrder = new Map<string, number[]>();
    for (const c of committed) byOrder.set(c.orderId, [...(byOrder.get(c.orderId) ?? []), c.version]);
    for (const [id, versions] of byOrder) {
      const h = await repo.history(id);
      assert.deepEqual([...versions].sort((x, y) => x - y), h.map(e => e.seq), `${id}: one notification per history row`);
    }
  });
});
