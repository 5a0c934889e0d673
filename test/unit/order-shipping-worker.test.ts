// The fulfilment worker's decisions over in-memory fakes of its repos and peers (the real thing runs
// against MariaDB and the real services in test/integration/order-shipping-fulfilment.test.ts).
import assert from 'node:assert/strict';
import { Metadata, status } from '@grpc/grpc-js';
import { BreakerOpenError } from '../../src/platform/breaker';
import { ManualClock } from '../../src/platform/clock';
import { orderResultOf, type ConfirmationSender, type Shipper } from '../../src/services/order/shipping/fulfilment-clients';
import type { ClaimedTask, TaskRepo, TaskRow } from '../../src/services/order/shipping/task-repo';
import type { TaskKind } from '../../src/services/order/shipping/task-schema';
import { canTransition, type OrderStatusName } from '../../src/services/order/state-machine';
import type { StatusEventInput } from '../../src/services/order/status-event';
import type { OrderRecord, TransitionOptions, TransitionResult } from '../../src/services/order/types';
import { createShippingWorker } from '../../src/services/order/workers/shipping-worker';
import { testLogger } from '../support/test-logger';

const unavailable = () => Object.assign(new Error('14 UNAVAILABLE: carrier down'), { code: status.UNAVAILABLE, details: 'carrier down', metadata: new Metadata() });

function order(orderId: string, status: OrderStatusName = 'PAID'): OrderRecord {
  const money = { currencyCode: 'EUR', units: 10n, nanos: 500_000_000 };
  return {
    orderId, userId: 'u1', status, previousStatus: null, source: 'FLASH_SALE', userCurrency: 'EUR', email: 'a@example.com',
    address: { streetAddress: '1 Main St', city: 'Bern', state: 'BE', country: 'CH', zipCode: 3000 },
    items: [{ productId: 'P1', quantity: 2, unitCost: money }],
    shippingCost: money, itemsTotal: money, total: money, idempotencyKey: null, trackingId: null, transactionId: 'tx',
    failureReason: null, payingUntil: null, paidAt: null, stockReleasedAt: null, createdAt: new Date(0), expiresAt: new Date(0),
    reservedAt: null, persistedAt: new Date(0), updatedAt: new Date(0), version: 1,
  };
}

/** Task table + order table in memory, with the real transition table. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function world(clock: ManualClock) {
  const tasks = new Map<string, Mutable<TaskRow>>();
  const orders = new Map<string, OrderRecord>();
  const transitions: Array<{ orderId: string; to: OrderStatusName; opts: TransitionOptions }> = [];
  const key = (id: string, kind: TaskKind) => `${id}/${kind}`;
  let token = 0;
  const owned = (t: ClaimedTask) => {
    const row = tasks.get(key(t.orderId, t.kind));
    return row && row.leaseToken === t.leaseToken && row.doneAt === null ? row : undefined;
  };
  const repo: TaskRepo = {
    async enqueue(ids, now, kinds = ['ship', 'email']) {
      let n = 0;
      for (const id of ids) for (const kind of kinds) {
        if (tasks.has(key(id, kind))) continue;
        tasks.set(key(id, kind), { orderId: id, kind, attempts: 0, dueAt: now, trackingId: null, leaseToken: null, lastError: null, outcome: null, doneAt: null });
        n++;
      }
      return n;
    },
    async claimDue(now, limit, leaseMs) {
      const lease = `t${++token}`;
      const due = [...tasks.values()].filter(t => t.doneAt === null && t.dueAt.getTime() <= now.getTime()).slice(0, limit);
      for (const t of due) Object.assign(t, { dueAt: new Date(now.getTime() + leaseMs), leaseToken: lease });
      return due.map(t => ({ orderId: t.orderId, kind: t.kind, attempts: t.attempts, trackingId: t.trackingId, leaseToken: lease }));
    },
    async recordTracking(t, trackingId) {
      const row = owned(t);
      if (row) row.trackingId = trackingId;
      return row !== undefined;
    },
    async finish(t, outcome, now, detail = {}) {
      const row = owned(t);
      if (row) Object.assign(row, { outcome, doneAt: now, leaseToken: null, ...(detail.lastError !== undefined ? { lastError: detail.lastError } : {}), ...(detail.attempts !== undefined ? { attempts: detail.attempts } : {}) });
      return row !== undefined;
    },
    async retryAt(t, attempts, dueAt, lastError) {
      const row = owned(t);
      if (row) Object.assign(row, { attempts, dueAt, lastError, leaseToken: null });
      return row !== undefined;
    },
    async findPaidWithoutTask() {
      return [];
    },
    async get(id, kind) {
      return tasks.get(key(id, kind));
    },
  };
  const orderRepo = {
    async get(id: string) {
      return orders.get(id);
    },
    async transition(id: string, to: OrderStatusName, opts: TransitionOptions = {}): Promise<TransitionResult> {
      const o = orders.get(id);
      if (!o) return { kind: 'not-found' };
      if (!canTransition(o.status, to)) return { kind: 'refused', current: o.status, order: o };
      const from = o.status;
      Object.assign(o, { status: to, trackingId: opts.trackingId ?? o.trackingId, failureReason: opts.reason ?? null });
      transitions.push({ orderId: id, to, opts });
      return { kind: 'applied', from, to, order: o };
    },
  };
  return { tasks, orders, transitions, repo, orderRepo, clock };
}

function setup(opts: { ship?: Shipper['shipOrder']; email?: ConfirmationSender['sendConfirmation']; maxAttempts?: number } = {}) {
  const clock = new ManualClock(1_000_000);
  const w = world(clock);
  const shipCalls: string[] = [];
  const mails: string[] = [];
  const published: StatusEventInput[] = [];
  const worker = createShippingWorker({
    tasks: w.repo,
    orders: w.orderRepo,
    shipper: { shipOrder: async o => { shipCalls.push(o.orderId); return opts.ship ? opts.ship(o) : 'AB-123-4567'; } },
    email: { sendConfirmation: async o => { mails.push(o.orderId); if (opts.email) await opts.email(o); } },
    clock,
    logger: testLogger('shipping-unit'),
    shipPolicy: { maxAttempts: opts.maxAttempts ?? 3, backoff: { initialMs: 1_000, maxMs: 10_000, jitter: 0 } },
    emailPolicy: { maxAttempts: 2, backoff: { initialMs: 1_000, maxMs: 10_000, jitter: 0 } },
    concurrency: 4,
    leaseMs: 30_000,
    pollMs: 1_000,
    publish: async e => void published.push(e),
  });
  return { ...w, worker, shipCalls, mails, published };
}

describe('order fulfilment worker (fakes)', () => {
  it('ships a PAID order: tracking id via PAID→SHIPPED, SHIPPED published, confirmation sent', async () => {
    const s = setup();
    s.orders.set('o1', order('o1'));
    await s.worker.enqueuePaid(['o1']);
    await s.worker.runOnce();
    assert.equal(s.orders.get('o1')!.status, 'SHIPPED');
    assert.equal(s.orders.get('o1')!.trackingId, 'AB-123-4567');
    assert.deepEqual(s.shipCalls, ['o1']);
    assert.deepEqual(s.mails, ['o1']);
    assert.equal(s.tasks.get('o1/ship')!.outcome, 'shipped');
    assert.equal(s.tasks.get('o1/email')!.outcome, 'sent');
    assert.deepEqual(s.published.map(e => [e.orderId, e.to, e.trackingId]), [['o1', 3, 'AB-123-4567']]);
  });

  it('transient failures are retried at the backoff times, then SHIP_FAILED with the reason after the last attempt', async () => {
    const s = setup({ ship: async () => { throw unavailable(); } });
    s.orders.set('o1', order('o1'));
    await s.worker.enqueuePaid(['o1']);
    await s.worker.runOnce();
    assert.equal(s.tasks.get('o1/ship')!.attempts, 1);
    assert.equal(s.tasks.get('o1/ship')!.dueAt.getTime(), 1_001_000);
    await s.worker.runOnce(); // not due yet: nothing happens
    assert.equal(s.shipCalls.length, 1);
    s.clock.advance(1_000);
    await s.worker.runOnce();
    assert.equal(s.tasks.get('o1/ship')!.attempts, 2);
    assert.equal(s.orders.get('o1')!.status, 'PAID');
    s.clock.advance(2_000);
    await s.worker.runOnce();
    assert.equal(s.orders.get('o1')!.status, 'SHIP_FAILED');
    assert.equal(s.orders.get('o1')!.failureReason, 'shipping failed: gave up after 3 attempts: UNAVAILABLE: carrier down');
    assert.equal(s.tasks.get('o1/ship')!.outcome, 'ship_failed');
    assert.deepEqual(s.published.map(e => e.to), [4]);
    assert.equal(s.shipCalls.length, 3);
  });

  it('an open breaker defers without using attempts', async () => {
    let open = true;
    const s = setup({ ship: async () => { if (open) throw new BreakerOpenError('shipping'); return 'ZZ-1-2'; } });
    s.orders.set('o1', order('o1'));
    await s.worker.enqueuePaid(['o1']);
    for (let i = 0; i < 5; i++) {
      await s.worker.runOnce();
      s.clock.advance(10_000);
    }
    assert.equal(s.tasks.get('o1/ship')!.attempts, 0);
    assert.equal(s.orders.get('o1')!.status, 'PAID');
    open = false;
    await s.worker.runOnce();
    assert.equal(s.orders.get('o1')!.status, 'SHIPPED');
  });

  it('a tracking id kept from a crashed run is reused: ShipOrder is not called again', async () => {
    const s = setup();
    s.orders.set('o1', order('o1'));
    await s.repo.enqueue(['o1'], new Date(s.clock.now()), ['ship']);
    s.tasks.get('o1/ship')!.trackingId = 'KEPT-1-1';
    await s.worker.runOnce();
    assert.deepEqual(s.shipCalls, []);
    assert.equal(s.orders.get('o1')!.trackingId, 'KEPT-1-1');
    assert.equal(s.orders.get('o1')!.status, 'SHIPPED');
  });

  it('orders no longer PAID are not shipped: SHIPPED counts as done, anything else is skipped', async () => {
    const s = setup();
    s.orders.set('a', order('a', 'SHIPPED'));
    s.orders.set('b', order('b', 'SHIP_FAILED'));
    await s.repo.enqueue(['a', 'b', 'gone'], new Date(s.clock.now()), ['ship']);
    await s.worker.runOnce();
    assert.deepEqual(s.shipCalls, []);
    assert.equal(s.tasks.get('a/ship')!.outcome, 'shipped');
    assert.equal(s.tasks.get('b/ship')!.outcome, 'skipped');
    assert.equal(s.tasks.get('gone/ship')!.outcome, 'skipped');
  });

  it('an email that keeps failing is given up; the order is untouched by it', async () => {
    const s = setup({ email: async () => { throw unavailable(); } });
    s.orders.set('o1', order('o1', 'SHIPPED'));
    await s.repo.enqueue(['o1'], new Date(s.clock.now()), ['email']);
    await s.worker.runOnce();
    s.clock.advance(1_000);
    await s.worker.runOnce();
    const t = s.tasks.get('o1/email')!;
    assert.equal(t.outcome, 'gave_up');
    assert.equal(t.attempts, 2);
    assert.deepEqual(s.transitions, []);
    assert.equal(s.orders.get('o1')!.status, 'SHIPPED');
  });

  it('onOrderChanges turns PAID commits (only) into tasks and never throws', async () => {
    const s = setup();
    const change = (orderId: string, to: OrderStatusName) => ({ orderId, userId: 'u', from: null, to, version: 1, reason: '', trackingId: null, transactionId: null, expiresAt: new Date(0), at: new Date(0) });
    await s.worker.onOrderChanges([change('p', 'PAID'), change('c', 'CANCELLED'), change('n', 'PENDING_PAYMENT')]);
    assert.deepEqual([...s.tasks.keys()].sort(), ['p/email', 'p/ship']);
    s.repo.enqueue = async () => { throw new Error('db down'); };
    await s.worker.onOrderChanges([change('q', 'PAID')]);
  });

  it('orderResultOf: the hipstershop OrderResult of a stored order (unit costs, address, tracking id)', () => {
    const o = { ...order('o1'), trackingId: 'AB-1-2' };
    assert.deepEqual(orderResultOf(o), {
      orderId: 'o1',
      shippingTrackingId: 'AB-1-2',
      shippingCost: o.shippingCost,
      shippingAddress: o.address,
      items: [{ item: { productId: 'P1', quantity: 2 }, cost: { currencyCode: 'EUR', units: 10n, nanos: 500_000_000 } }],
    });
  });
});
