// Fulfilment of PAID orders on real MariaDB with the real shipping and email services over gRPC:
// ShipOrder with bounded concurrency → tracking id via PAID→SHIPPED; retries with backoff while shipping
// is down, then ships; permanent failure → SHIP_FAILED with its reason; email retried, sent once, never
// failing the order; ShippingRecover; two replicas ship each order once; graceful stop.
import assert from 'node:assert/strict';
import { systemClock } from '../../src/platform/clock';
import { createOrderRepo, type OrderRepo } from '../../src/services/order/order-repo';
import { createFulfilmentClients, type FulfilmentClients } from '../../src/services/order/shipping/fulfilment-clients';
import { createTaskRepo, type TaskRepo } from '../../src/services/order/shipping/task-repo';
import { createShippingWorkers, type FulfilmentSettings, type ShippingWorkers } from '../../src/services/order/workers/shipping-workers';
import { uniqueId } from '../support/ids';
import { useTestDatabase } from '../support/test-database';
import { testLogger } from '../support/test-logger';
import {
  startEmailServer, startShippingServer, testOrder, UNDELIVERABLE_STREET, waitFor, type EmailServerProbe, type ShippingServerProbe,
} from './order-shipping-fixtures';

const logger = testLogger('fulfilment');
const TRACKING_ID = /^[A-Y]{2}-\d+-\d+$/;

const SETTINGS: FulfilmentSettings = {
  shipConcurrency: 3,
  shipMaxAttempts: 50,
  shipBackoffInitialMs: 100,
  shipBackoffMaxMs: 400,
  emailMaxAttempts: 5,
  taskPollMs: 100,
  taskLeaseMs: 10_000,
  shippingRecoverIntervalMs: 200,
  shippingRecoverAgeMs: 0,
};

describe('order fulfilment: shipping + confirmation email', function () {
  this.timeout(120_000);
  const tdb = useTestDatabase();
  let shipping: ShippingServerProbe;
  let email: EmailServerProbe;
  let clients: FulfilmentClients;
  let running: ShippingWorkers[] = [];

  before(async () => {
    [shipping, email] = await Promise.all([startShippingServer(), startEmailServer()]);
    clients = createFulfilmentClients({
      shippingAddr: shipping.server.address,
      emailAddr: email.server.address,
      shipping: { defaultDeadlineMs: 5_000 },
      email: { defaultDeadlineMs: 5_000 },
    });
  });

  afterEach(async () => {
    await Promise.all(running.map(w => w.stop()));
    running = [];
    shipping.failures.setRate(0);
    shipping.delayMs = 0;
    email.setDown(false);
  });

  after(async () => {
    clients?.close();
    await Promise.all([shipping?.server.stop(), email?.server.stop()]);
  });

  /** A replica's fulfilment workers; `hook: false` = PAID transitions do not create tasks (crash window). */
  function replica(overrides: Partial<FulfilmentSettings> = {}, opts: { hook?: boolean; start?: boolean } = {}) {
    const tasks = createTaskRepo(tdb.current.db);
    let workers: ShippingWorkers | undefined;
    const repo = createOrderRepo(tdb.current.db, systemClock, {
      onCommitted: async changes => {
        if (opts.hook !== false) await workers?.onOrderChanges(changes);
      },
    });
    workers = createShippingWorkers({ tasks, orders: repo, shipper: clients, email: clients, clock: systemClock, logger, settings: { ...SETTINGS, ...overrides } });
    running.push(workers);
    if (opts.start !== false) workers.start();
    return { repo, tasks, workers };
  }

  /** Inserts `n` orders (street = order id, so the shipping server's counters are per order) and pays them. */
  async function paidOrders(repo: OrderRepo, n: number, street?: string): Promise<string[]> {
    const orders = Array.from({ length: n }, (_, i) => {
      const orderId = uniqueId(`ship${i}`);
      return testOrder(i, {
        orderId,
        shippingAddress: { streetAddress: street ?? orderId, city: 'Zürich', state: 'ZH', country: 'Switzerland', zipCode: 8001 },
      });
    });
    await repo.insertBatch(orders);
    for (const o of orders) {
      const r = await repo.transition(o.orderId, 'PAID', { transactionId: `tx-${o.orderId}`, reason: 'paid' });
      assert.equal(r.kind, 'applied');
    }
    return orders.map(o => o.orderId);
  }

  const statuses = async (repo: OrderRepo, ids: readonly string[]) =>
    Promise.all(ids.map(async id => (await repo.getHeader(id))?.status));

  const allDone = (tasks: TaskRepo, ids: readonly string[], kind: 'ship' | 'email') => async () =>
    (await Promise.all(ids.map(id => tasks.get(id, kind)))).every(t => t?.doneAt != null);

  it('PAID orders are shipped with bounded concurrency: tracking id stored by PAID→SHIPPED, one confirmation each', async () => {
    shipping.delayMs = 100; // makes overlapping calls observable
    const { repo, tasks } = replica();
    const ids = await paidOrders(repo, 12);
    await waitFor('all 12 orders SHIPPED', async () => (await statuses(repo, ids)).every(s => s === 'SHIPPED'));
    await waitFor('all confirmations sent', allDone(tasks, ids, 'email'));

    for (const id of ids) {
      const order = (await repo.get(id))!;
      assert.match(order.trackingId ?? '', TRACKING_ID);
      assert.equal(order.transactionId, `tx-${id}`);
      assert.equal(shipping.shippedCalls.get(id), 1, `ShipOrder calls for ${id}`);
      const history = (await repo.history(id)).map(e => `${e.from ?? '-'}>${e.to}`);
      assert.deepEqual(history, ['->PENDING_PAYMENT', 'PENDING_PAYMENT>PAID', 'PAID>SHIPPED']);
      const mails = email.sent.get(id) ?? [];
      assert.equal(mails.length, 1, `confirmations for ${id}`);
      assert.equal(mails[0]!.to, order.email);
      assert.equal((await tasks.get(id, 'ship'))?.outcome, 'shipped');
      assert.equal((await tasks.get(id, 'email'))?.outcome, 'sent');
    }
    assert.ok(shipping.maxInFlight() <= SETTINGS.shipConcurrency, `max in flight ${shipping.maxInFlight()}`);
    assert.ok(shipping.maxInFlight() > 1, 'calls ran concurrently');
  });

  it('shipping down for a while: orders stay PAID while retries back off, then ship when it returns', async () => {
    shipping.failures.setRate(1); // the carrier is down: every ShipOrder answers UNAVAILABLE
    const { repo, tasks } = replica();
    const ids = await paidOrders(repo, 5);
    await waitFor('every order retried at least twice', async () =>
      (await Promise.all(ids.map(id => tasks.get(id, 'ship')))).every(t => (t?.attempts ?? 0) >= 2));
    assert.deepEqual(await statuses(repo, ids), ids.map(() => 'PAID'));
    for (const id of ids) {
      const t = (await tasks.get(id, 'ship'))!;
      assert.equal(t.doneAt, null);
      assert.match(t.lastError ?? '', /^UNAVAILABLE: shipping carrier unavailable/);
      assert.equal((await repo.getHeader(id))?.trackingId, null);
    }

    shipping.failures.setRate(0);
    await waitFor('all orders SHIPPED after the outage', async () => (await statuses(repo, ids)).every(s => s === 'SHIPPED'));
    for (const id of ids) {
      assert.match((await repo.getHeader(id))?.trackingId ?? '', TRACKING_ID);
      assert.equal(shipping.shippedCalls.get(id), 1);
    }
  });

  it('shipping down past the last attempt → SHIP_FAILED with the reason; the order is never shipped afterwards', async () => {
    shipping.failures.setRate(1);
    const { repo, tasks } = replica({ shipMaxAttempts: 3 });
    const ids = await paidOrders(repo, 3);
    await waitFor('all orders SHIP_FAILED', async () => (await statuses(repo, ids)).every(s => s === 'SHIP_FAILED'));
    for (const id of ids) {
      const order = (await repo.getHeader(id))!;
      assert.equal(order.failureReason, 'shipping failed: gave up after 3 attempts: UNAVAILABLE: shipping carrier unavailable');
      assert.equal(order.trackingId, null);
      const t = (await tasks.get(id, 'ship'))!;
      assert.equal(t.outcome, 'ship_failed');
      assert.equal(t.attempts, 3);
      const history = (await repo.history(id)).map(e => e.to);
      assert.deepEqual(history, ['PENDING_PAYMENT', 'PAID', 'SHIP_FAILED']);
    }
    // Confirmation of the payment still goes out: a shipping failure does not unsend it.
    await waitFor('confirmations sent', allDone(tasks, ids, 'email'));
    shipping.failures.setRate(0);
    assert.equal((await repo.transition(ids[0]!, 'SHIPPED', { trackingId: 'XX-1-1' })).kind, 'refused');
  });

  it('a permanent refusal (INVALID_ARGUMENT) fails the order at the first attempt', async () => {
    const { repo, tasks } = replica();
    const [id] = await paidOrders(repo, 1, UNDELIVERABLE_STREET);
    await waitFor('SHIP_FAILED', async () => (await repo.getHeader(id!))?.status === 'SHIP_FAILED');
    assert.equal((await repo.getHeader(id!))?.failureReason, 'shipping failed: INVALID_ARGUMENT: address: undeliverable');
    assert.equal((await tasks.get(id!, 'ship'))?.attempts, 1);
  });

  it('email outage: retried with backoff and sent once when it recovers; giving up never fails the order', async () => {
    email.failNext(2);
    const a = replica();
    const [first] = await paidOrders(a.repo, 1);
    await waitFor('confirmation sent after two failures', () => (email.sent.get(first!)?.length ?? 0) === 1);
    await waitFor('email task done', allDone(a.tasks, [first!], 'email'));
    assert.equal((await a.tasks.get(first!, 'email'))?.attempts, 3, 'two failed calls, then the one that worked');
    await waitFor('order shipped', async () => (await a.repo.getHeader(first!))?.status === 'SHIPPED');
    await a.workers.stop();

    email.setDown(true);
    const b = replica({ emailMaxAttempts: 2 });
    const [second] = await paidOrders(b.repo, 1);
    await waitFor('email given up', allDone(b.tasks, [second!], 'email'));
    const task = (await b.tasks.get(second!, 'email'))!;
    assert.equal(task.outcome, 'gave_up');
    assert.match(task.lastError ?? '', /^gave up after 2 attempts: UNAVAILABLE/);
    await waitFor('order shipped regardless', async () => (await b.repo.getHeader(second!))?.status === 'SHIPPED');
    assert.equal(email.sent.get(second!), undefined);
  });

  it('ShippingRecover re-drives PAID orders whose fulfilment tasks were never created', async () => {
    const writer = replica({}, { hook: false, start: false }); // pays without creating tasks (lost enqueue)
    const ids = await paidOrders(writer.repo, 4);
    assert.equal(await writer.tasks.get(ids[0]!, 'ship'), undefined);
    const { repo } = replica({ shippingRecoverAgeMs: 300 }, { hook: false });
    await waitFor('recovered orders SHIPPED', async () => (await statuses(repo, ids)).every(s => s === 'SHIPPED'));
    for (const id of ids) assert.equal(shipping.shippedCalls.get(id), 1);
  });

  it('two replicas share the work: every order shipped and confirmed exactly once', async () => {
    shipping.delayMs = 30;
    const writer = replica({}, { hook: false, start: false });
    const a = replica();
    const b = replica();
    const ids = await paidOrders(writer.repo, 30);
    await a.workers.worker.enqueuePaid(ids);
    b.workers.worker.wake();
    await waitFor('all 30 SHIPPED', async () => (await statuses(writer.repo, ids)).every(s => s === 'SHIPPED'), 60_000);
    await waitFor('all confirmed', allDone(writer.tasks, ids, 'email'));
    for (const id of ids) {
      assert.equal(shipping.shippedCalls.get(id), 1, `ShipOrder calls for ${id}`);
      assert.equal(email.sent.get(id)?.length, 1, `confirmations for ${id}`);
    }
  });

  it('shipping service gone (connection refused), then back on its address: orders stay PAID, then ship', async () => {
    await shipping.kill();
    let revived = false;
    try {
      const { repo, tasks } = replica();
      const ids = await paidOrders(repo, 3);
      await waitFor('retries while the service is gone', async () =>
        (await Promise.all(ids.map(id => tasks.get(id, 'ship')))).every(t => (t?.attempts ?? 0) >= 2));
      assert.deepEqual(await statuses(repo, ids), ['PAID', 'PAID', 'PAID']);
      assert.match((await tasks.get(ids[0]!, 'ship'))?.lastError ?? '', /^UNAVAILABLE/);
      await shipping.revive();
      revived = true;
      await waitFor('all SHIPPED once the service is back', async () => (await statuses(repo, ids)).every(s => s === 'SHIPPED'), 60_000);
    } finally {
      if (!revived) await shipping.revive();
    }
  });

  it('graceful stop finishes the calls in hand: nothing is left claimed', async () => {
    shipping.delayMs = 400;
    const { repo, tasks, workers } = replica();
    const ids = await paidOrders(repo, 6);
    await waitFor('calls in flight', () => shipping.inFlight() > 0);
    await workers.stop();
    assert.equal(shipping.inFlight(), 0);
    const rows = await Promise.all(ids.flatMap(id => [tasks.get(id, 'ship'), tasks.get(id, 'email')]));
    // Every task is either finished or was never claimed: none is left half-done under a lease.
    for (const t of rows) assert.ok(t!.doneAt !== null || t!.leaseToken === null, JSON.stringify(t));
    const shipped = (await statuses(repo, ids)).filter(s => s === 'SHIPPED').length;
    assert.ok(shipped > 0, 'the batch in hand was completed');
  });
});
