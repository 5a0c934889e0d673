import assert from 'node:assert/strict';
import { checkHistory, checkOrder, type OrderContext } from '../../../src/services/ledger/order-invariants';
import type { OrderSnapshot } from '../../../src/services/ledger/types';

const NOW = 1_800_000_000_000;
const ctx: OrderContext = { nowMs: NOW, recordTtlMs: 7 * 86_400_000, itemSynced: () => true };

const live: OrderSnapshot = {
  orderId: 'o1',
  userId: 'u1',
  status: 'PAID',
  version: 1,
  stockReleased: false,
  atMs: NOW - 60_000,
  lines: [{ sku: 'A', qty: 2 }, { sku: 'B', qty: 1 }],
  history: [
    { seq: 0, from: null, to: 'PENDING_PAYMENT' },
    { seq: 1, from: 'PENDING_PAYMENT', to: 'PAID' },
  ],
  reservations: [{ shard: 1, state: 'RESERVED' }, { shard: 2, state: 'RESERVED' }],
  stockLog: [
    { sku: 'A', delta: -2, reason: 'RESERVE' },
    { sku: 'B', delta: -1, reason: 'RESERVE' },
  ],
};

const cancelled: OrderSnapshot = {
  ...live,
  status: 'CANCELLED',
  stockReleased: true,
  history: [
    { seq: 0, from: null, to: 'PENDING_PAYMENT' },
    { seq: 1, from: 'PENDING_PAYMENT', to: 'CANCELLED' },
  ],
  reservations: [{ shard: 1, state: 'RELEASED' }, { shard: 2, state: 'RELEASED' }],
  stockLog: [...live.stockLog, { sku: 'A', delta: 2, reason: 'PAYMENT_TIMEOUT' }, { sku: 'B', delta: 1, reason: 'PAYMENT_TIMEOUT' }],
};

const kinds = (o: OrderSnapshot, c = ctx) => checkOrder(o, c).breaches.map(b => b.invariant);

describe('ledger order invariants', () => {
  it('a paid order and a cancelled-and-released order are clean', () => {
    assert.deepEqual(checkOrder(live, ctx), { breaches: [], cancelledUnreleased: false, releasedAwaitingCancel: false });
    assert.deepEqual(checkOrder(cancelled, ctx), { breaches: [], cancelledUnreleased: false, releasedAwaitingCancel: false });
  });

  it('PAID and CANCELLED in one history is a breach (and a forbidden transition)', () => {
    const o = { ...live, status: 'CANCELLED', version: 2, history: [...live.history, { seq: 2, from: 'PAID', to: 'CANCELLED' }] };
    const b = checkHistory(o);
    assert.deepEqual(b.map(x => x.invariant).sort(), ['order-state', 'paid-and-cancelled']);
    assert.match(b.find(x => x.invariant === 'order-state')!.detail, /forbidden transition PAID → CANCELLED/);
  });

  it('history gaps, wrong start, status or version mismatches are order-state breaches', () => {
    assert.ok(kinds({ ...live, history: [live.history[1]!] }).includes('order-state'));
    assert.deepEqual(kinds({ ...live, history: [] }), ['order-state']);
    assert.deepEqual(kinds({ ...live, status: 'SHIPPED' }), ['order-state']);
    assert.deepEqual(kinds({ ...live, version: 3 }), ['order-state']);
    assert.deepEqual(kinds({ ...live, status: 'LOST' }), ['order-state', 'order-state']);
  });

  it('a row without its reservation record, or with a refused one, is named', () => {
    assert.deepEqual(kinds({ ...live, reservations: [{ shard: 1, state: null }, { shard: 2, state: 'RESERVED' }] }), ['order-has-reservation']);
    assert.deepEqual(kinds({ ...live, reservations: [{ shard: 1, state: 'REFUSED' }, { shard: 2, state: 'RESERVED' }] }), ['order-has-reservation']);
    // The record may have expired legitimately once older than its TTL.
    assert.deepEqual(kinds({ ...live, atMs: NOW - ctx.recordTtlMs, reservations: [{ shard: 1, state: null }, { shard: 2, state: null }] }), []);
  });

  it('stock released twice, or a paid order whose stock was released, breaks release-once', () => {
    const twice = { ...cancelled, stockLog: [...cancelled.stockLog, { sku: 'A', delta: 2, reason: 'ADMIN' }] };
    assert.deepEqual(kinds(twice), ['release-once', 'release-once']);
    assert.deepEqual(kinds({ ...live, reservations: [{ shard: 1, state: 'RELEASED' }, { shard: 2, state: 'RESERVED' }] }), ['release-once']);
    assert.deepEqual(kinds({ ...cancelled, reservations: [{ shard: 1, state: 'RESERVED' }, { shard: 2, state: 'RELEASED' }] }), ['release-once']);
    assert.deepEqual(kinds({ ...cancelled, stockLog: live.stockLog }), ['release-once', 'release-once']);
  });

  it('a cancel waiting for its release, or a decline waiting for its CANCELLED event, is in flight', () => {
    const waiting = checkOrder({ ...cancelled, stockReleased: false, reservations: live.reservations, stockLog: live.stockLog }, ctx);
    assert.deepEqual(waiting, { breaches: [], cancelledUnreleased: true, releasedAwaitingCancel: false });
    const declined = checkOrder({ ...live, status: 'PENDING_PAYMENT', version: 0, history: [live.history[0]!], reservations: cancelled.reservations, stockLog: cancelled.stockLog }, ctx);
    assert.deepEqual(declined, { breaches: [], cancelledUnreleased: false, releasedAwaitingCancel: true });
  });

  it('stock_log of an item MySQL has not caught up with is not judged', () => {
    assert.deepEqual(kinds({ ...live, stockLog: [] }, { ...ctx, itemSynced: () => false }), []);
    assert.deepEqual(kinds({ ...live, stockLog: [] }), ['release-once', 'release-once']);
  });
});
