// shop.v1.OrderService over real gRPC, MariaDB, Redis, RocketMQ, InventoryService and PaymentService:
// WatchOrder follows a real order PENDING_PAYMENT → PAID → SHIPPED (events through the real status
// consumer), PayOrder races CancelOrder, bad input gets precise codes and changes nothing, cancel gives
// the stock back, ListOrders pages by keyset, a PayOrder that died inside PAYING is recovered.
import assert from 'node:assert/strict';
import { status, type ServiceError } from '@grpc/grpc-js';
import { eq, inArray } from 'drizzle-orm';
import { OrderStatus } from '../../../src/gen/shop/v1/common';
import { ProgressState, type OrderProgress } from '../../../src/gen/shop/v1/order';
import { systemClock } from '../../../src/platform/clock';
import { createMqProducer, type MqConsumer, type MqProducer } from '../../../src/platform/mq';
import { recoverStalePaying } from '../../../src/services/order/pay-order';
import { orders } from '../../../src/services/order/schema';
import { publishStatus } from '../../../src/services/order/status-event';
import { createDeadLetterRepo } from '../../../src/services/order/workers/dlq-repo';
import { createOrderConsumer } from '../../../src/services/order/workers/order-consumers';
import { createStatusHandler } from '../../../src/services/order/workers/status-consumer';
import { paymentCharges } from '../../../src/services/payment/schema';
import { uniqueId } from '../../support/ids';
import { testConfig } from '../../support/test-config';
import { testLogger } from '../../support/test-logger';
import { useTestDatabase } from '../../support/test-database';
import { BAD_CARD, GOOD_CARD, startOrderRig, type OrderRig } from './order-rig';

const STATUS_TOPIC = 'it-order-status';
const STATUS_GROUP = 'GID_it_order_status';

async function failure(p: Promise<unknown>): Promise<ServiceError> {
  try {
    await p;
  } catch (err) {
    return err as ServiceError;
  }
  assert.fail('expected the call to fail');
}

async function expectCode(p: Promise<unknown>, code: status, details?: RegExp): Promise<void> {
  const err = await failure(p);
  assert.equal(err.code, code, `${status[err.code]} ${err.details}`);
  if (details) assert.match(err.details, details);
}

describe('order service (OrderService over gRPC, real stack)', function () {
  this.timeout(180_000);
  const tdb = useTestDatabase();
  let rig: OrderRig;

  before(async () => {
    rig = await startOrderRig(tdb.current.db, { mysqlUrl: tdb.current.config.mysql.url });
  });
  after(async () => {
    await rig?.close();
  });

  describe('WatchOrder', () => {
    const tag = uniqueId('st').replace(/-/g, '_');
    let producer: MqProducer;
    let consumer: MqConsumer;

    before(async () => {
      const config = testConfig();
      const logger = testLogger('status');
      producer = createMqProducer({ endpoints: config.rocketmq.endpoints, namespace: '', topics: [STATUS_TOPIC], logger, startupTimeoutMs: 20_000 });
      await producer.start();
      const handler = createStatusHandler({
        repo: rig.parts.repo,
        deadLetters: createDeadLetterRepo(rig.db),
        clock: systemClock,
        logger,
        topic: STATUS_TOPIC,
        group: STATUS_GROUP,
        retryDelayMs: 1_000,
      });
      consumer = createOrderConsumer(
        { endpoints: config.rocketmq.endpoints, namespace: '', startupTimeoutMs: 20_000, batchSize: 16, invisibleMs: 5_000, awaitMs: 1_000, retryDelayMs: 1_000 },
        { topic: STATUS_TOPIC, group: STATUS_GROUP, tag },
        handler,
        logger,
      );
      await consumer.start();
    });
    after(async () => {
      await consumer?.stop();
      await producer?.stop();
    });

    function watch(orderId: string, userId = ''): { messages: OrderProgress[]; done: Promise<void>; cancel(): void } {
      const messages: OrderProgress[] = [];
      const call = rig.client.watchOrder({ orderId, userId });
      const done = new Promise<void>((resolve, reject) => {
        call.on('data', (m: OrderProgress) => messages.push(m));
        call.on('end', () => resolve());
        call.on('error', reject);
      });
      return { messages, done, cancel: () => call.cancel() };
    }

    async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
      for (let i = 0; i < 600; i++) {
        if (await check()) return;
        await new Promise(r => setTimeout(r, 100));
      }
      throw new Error(`timed out waiting for ${what}`);
    }

    it('streams PENDING_PAYMENT → PAID → SHIPPED for a real order and ends', async () => {
      const draft = await rig.placeOrder();
      const w = watch(draft.orderId, draft.userId);
      await until('first message', () => w.messages.length >= 1);
      await publishStatus(producer, STATUS_TOPIC, { orderId: draft.orderId, userId: draft.userId, to: OrderStatus.ORDER_STATUS_PAID, at: new Date(), transactionId: 'tx-watch' }, { tag });
      await until('PAID', () => w.messages.length >= 2);
      await publishStatus(producer, STATUS_TOPIC, { orderId: draft.orderId, userId: draft.userId, to: OrderStatus.ORDER_STATUS_SHIPPED, at: new Date(), trackingId: 'TRK-WATCH-1' }, { tag });
      await w.done;
      assert.deepEqual(
        w.messages.map(m => [m.status, m.state, m.terminal]),
        [
          [OrderStatus.ORDER_STATUS_PENDING_PAYMENT, ProgressState.PROGRESS_STATE_SUCCESS, false],
          [OrderStatus.ORDER_STATUS_PAID, ProgressState.PROGRESS_STATE_SUCCESS, false],
          [OrderStatus.ORDER_STATUS_SHIPPED, ProgressState.PROGRESS_STATE_SUCCESS, true],
        ],
      );
      assert.equal(w.messages[2]?.trackingId, 'TRK-WATCH-1');
      const progress = await rig.rpc.getOrderProgress({ orderId: draft.orderId, userId: draft.userId });
      assert.equal(progress.status, OrderStatus.ORDER_STATUS_SHIPPED);
      assert.equal(rig.parts.hub.channels(), 0, 'unsubscribed after the stream ended');
    });

    it('a PAID event published before the row exists still ends PAID (kept, applied at insert)', async () => {
      const orderId = uniqueId('early');
      await publishStatus(producer, STATUS_TOPIC, { orderId, to: OrderStatus.ORDER_STATUS_PAID, at: new Date(), transactionId: 'tx-early' }, { tag });
      await until('pending row', async () => (await rig.parts.repo.countPending()) >= 1);
      const draft = await rig.placeOrder();
      // the creation path for this id: same draft, other id
      const { orderFromDraft } = await import('../../../src/services/order/draft');
      await rig.parts.repo.insertBatch([orderFromDraft({ ...draft, orderId }, new Date())]);
      const row = await rig.parts.repo.get(orderId);
      assert.equal(row?.status, 'PAID');
      assert.equal(row?.transactionId, 'tx-early');
    });

    it('a watch of a finished order yields its final state once and ends', async () => {
      const draft = await rig.placeOrder();
      await rig.rpc.cancelOrder({ orderId: draft.orderId, userId: draft.userId, reason: 'changed my mind' });
      const w = watch(draft.orderId);
      await w.done;
      assert.equal(w.messages.length, 1);
      assert.equal(w.messages[0]?.status, OrderStatus.ORDER_STATUS_CANCELLED);
      assert.equal(w.messages[0]?.reason, 'changed my mind');
      assert.equal(w.messages[0]?.terminal, true);
    });

    it('a client cancel ends the watch and unsubscribes', async () => {
      const draft = await rig.placeOrder();
      const w = watch(draft.orderId);
      await until('first message', () => w.messages.length >= 1);
      w.cancel();
      await assert.rejects(w.done, (e: ServiceError) => e.code === status.CANCELLED);
      await until('unsubscribed', () => rig.parts.hub.channels() === 0);
    });
  });

  describe('PayOrder vs CancelOrder', () => {
    it('40 concurrent pairs: exactly one outcome each, never charged and cancelled', async () => {
      const drafts = await Promise.all(Array.from({ length: 40 }, () => rig.placeOrder()));
      const outcomes = await Promise.all(
        drafts.map(async (d, i) => {
          const pay = rig.rpc.payOrder({ orderId: d.orderId, userId: d.userId, creditCard: GOOD_CARD });
          const cancel = rig.rpc.cancelOrder({ orderId: d.orderId, userId: d.userId, reason: 'race' });
          const [p, c] = i % 2 === 0 ? await Promise.allSettled([pay, cancel]) : (await Promise.allSettled([cancel, pay])).reverse() as [PromiseSettledResult<unknown>, PromiseSettledResult<unknown>];
          return { d, p, c };
        }),
      );
      const ids = drafts.map(d => d.orderId);
      const charged = new Set((await rig.db.select().from(paymentCharges).where(inArray(paymentCharges.idempotencyKey, ids))).map(r => r.idempotencyKey));
      let paid = 0;
      let cancelled = 0;
      for (const { d, p, c } of outcomes) {
        const row = await rig.parts.repo.get(d.orderId);
        const history = (await rig.parts.repo.history(d.orderId)).map(e => e.to);
        assert.ok(!(history.includes('PAID') && history.includes('CANCELLED')), `${d.orderId}: never both`);
        // Exactly one call succeeded; the other got a precise refusal.
        assert.equal([p, c].filter(r => r.status === 'fulfilled').length, 1, `${d.orderId}: one winner`);
        const loser = (p.status === 'rejected' ? p.reason : (c as PromiseRejectedResult).reason) as ServiceError;
        assert.ok([status.FAILED_PRECONDITION, status.ABORTED].includes(loser.code), `loser code ${status[loser.code]} ${loser.details}`);
        if (row?.status === 'PAID') {
          paid++;
          assert.ok(charged.has(d.orderId), 'PAID ⇔ charged');
          assert.equal(p.status, 'fulfilled');
        } else {
          assert.equal(row?.status, 'CANCELLED');
          cancelled++;
          assert.ok(!charged.has(d.orderId), 'CANCELLED ⇒ never charged');
          assert.equal(c.status, 'fulfilled');
        }
      }
      assert.equal(paid + cancelled, drafts.length);
      assert.equal(charged.size, paid, 'one charge per paid order, none for cancelled ones');
    });

    it('PayOrder is idempotent: a second call returns the first transaction without a new charge', async () => {
      const d = await rig.placeOrder();
      const first = await rig.rpc.payOrder({ orderId: d.orderId, userId: d.userId, creditCard: GOOD_CARD });
      const again = await rig.rpc.payOrder({ orderId: d.orderId, userId: d.userId, creditCard: GOOD_CARD });
      assert.equal(first.alreadyPaid, false);
      assert.equal(again.alreadyPaid, true);
      assert.equal(again.transactionId, first.transactionId);
      assert.equal(first.order?.status, OrderStatus.ORDER_STATUS_PAID);
      assert.equal((await rig.db.select().from(paymentCharges).where(eq(paymentCharges.idempotencyKey, d.orderId))).length, 1);
      const progress = await rig.rpc.getOrderProgress({ orderId: d.orderId, userId: '' });
      assert.equal(progress.status, OrderStatus.ORDER_STATUS_PAID);
    });

    it('a declined card leaves the order payable (PENDING_PAYMENT, nothing charged); a good card then pays it', async () => {
      const d = await rig.placeOrder();
      await expectCode(rig.rpc.payOrder({ orderId: d.orderId, userId: d.userId, creditCard: BAD_CARD }), status.INVALID_ARGUMENT, /credit_card/);
      const row = await rig.parts.repo.get(d.orderId);
      assert.equal(row?.status, 'PENDING_PAYMENT');
      assert.equal((await rig.db.select().from(paymentCharges).where(eq(paymentCharges.idempotencyKey, d.orderId))).length, 0);
      const paid = await rig.rpc.payOrder({ orderId: d.orderId, userId: d.userId, creditCard: GOOD_CARD });
      assert.equal(paid.order?.status, OrderStatus.ORDER_STATUS_PAID);
    });

    it('a PayOrder that died inside PAYING is settled from the payment records (charged → PAID, not → payable again)', async () => {
      const charged = await rig.placeOrder();
      const notCharged = await rig.placeOrder();
      for (const d of [charged, notCharged]) {
        assert.equal((await rig.parts.repo.transition(d.orderId, 'PAYING', { onlyBeforeDeadline: true })).kind, 'applied');
        // the lock of the dead call has expired
        await rig.db.update(orders).set({ payingUntil: new Date(Date.now() - 1_000) }).where(eq(orders.orderId, d.orderId));
      }
      // the dead call had charged one of them (same idempotency key it would have used)
      const { createPaymentProcessor } = await import('../../../src/services/payment/processor');
      const { createChargeRepo } = await import('../../../src/services/payment/charge-repo');
      const { transactionId } = await createPaymentProcessor({ repo: createChargeRepo(rig.db), now: () => new Date() })
        .charge({ amount: (await rig.parts.repo.get(charged.orderId))!.total, creditCard: GOOD_CARD }, charged.orderId);
      // a live call's lock is respected meanwhile
      await expectCode(rig.rpc.cancelOrder({ orderId: charged.orderId, userId: '', reason: '' }), status.FAILED_PRECONDITION, /being paid/);
      const r = await recoverStalePaying(rig.parts.pay, 100);
      assert.deepEqual(r, { paid: 1, reverted: 1 });
      const a = await rig.parts.repo.get(charged.orderId);
      assert.equal(a?.status, 'PAID');
      assert.equal(a?.transactionId, transactionId);
      assert.equal((await rig.parts.repo.get(notCharged.orderId))?.status, 'PENDING_PAYMENT');
    });

    it('a retried PayOrder takes over an expired PAYING lock and replays the charge (never twice)', async () => {
      const d = await rig.placeOrder();
      const first = await rig.rpc.payOrder({ orderId: d.orderId, userId: d.userId, creditCard: GOOD_CARD });
      // pretend the PAID transition was lost: back to an expired PAYING lock, charge kept
      await rig.db.update(orders).set({ status: 'PAYING', payingUntil: new Date(Date.now() - 1_000), transactionId: null }).where(eq(orders.orderId, d.orderId));
      const again = await rig.rpc.payOrder({ orderId: d.orderId, userId: d.userId, creditCard: GOOD_CARD });
      assert.equal(again.transactionId, first.transactionId, 'replayed by the payment service');
      assert.equal(again.order?.status, OrderStatus.ORDER_STATUS_PAID);
      assert.equal((await rig.db.select().from(paymentCharges).where(eq(paymentCharges.idempotencyKey, d.orderId))).length, 1);
    });
  });

  describe('CancelOrder', () => {
    it('cancels an unpaid order, gives its stock back, records the reason, publishes CANCELLED; a repeat is idempotent', async () => {
      const before = await rig.redisStock();
      const d = await rig.placeOrder({ quantity: 3 });
      assert.equal(await rig.redisStock(), before - 3);
      const r = await rig.rpc.cancelOrder({ orderId: d.orderId, userId: d.userId, reason: 'too slow' });
      assert.equal(r.alreadyCancelled, false);
      assert.equal(r.order?.status, OrderStatus.ORDER_STATUS_CANCELLED);
      assert.equal(r.order?.failureReason, 'too slow');
      assert.equal(await rig.redisStock(), before, 'stock back in Redis');
      const row = await rig.parts.repo.get(d.orderId);
      assert.ok(row?.stockReleasedAt instanceof Date);
      // Announced by the release consumer once the transactional message is committed.
      for (const end = Date.now() + 30_000; !rig.published.some(e => e.orderId === d.orderId && e.to === OrderStatus.ORDER_STATUS_CANCELLED);) {
        assert.ok(Date.now() < end, 'CANCELLED announced within 30 s');
        await new Promise(r => setTimeout(r, 50));
      }
      const again = await rig.rpc.cancelOrder({ orderId: d.orderId, userId: d.userId, reason: 'again' });
      assert.equal(again.alreadyCancelled, true);
      assert.equal(await rig.redisStock(), before, 'released once');
      const progress = await rig.rpc.getOrderProgress({ orderId: d.orderId, userId: d.userId });
      assert.deepEqual([progress.status, progress.reason, progress.terminal], [OrderStatus.ORDER_STATUS_CANCELLED, 'too slow', true]);
      await expectCode(rig.rpc.payOrder({ orderId: d.orderId, userId: d.userId, creditCard: GOOD_CARD }), status.FAILED_PRECONDITION, /cancelled/);
    });
  });

  describe('reads', () => {
    it('GetOrder returns everything the draft carried', async () => {
      const d = await rig.placeOrder({ quantity: 2 });
      const o = await rig.rpc.getOrder({ orderId: d.orderId, userId: d.userId });
      assert.equal(o.status, OrderStatus.ORDER_STATUS_PENDING_PAYMENT);
      assert.deepEqual(o.items, d.items);
      assert.deepEqual(o.shippingAddress, d.shippingAddress);
      assert.deepEqual([o.total, o.shippingCost, o.email, o.userCurrency, o.source], [d.total, d.shippingCost, d.email, d.userCurrency, d.source]);
      assert.deepEqual([o.createdAt, o.expiresAt], [d.createdAt, d.expiresAt]);
    });

    it('ListOrders pages a user’s orders newest first with page tokens, no gaps, no repeats', async () => {
      const userId = uniqueId('lister');
      const placed: string[] = [];
      for (let i = 0; i < 7; i++) placed.push((await rig.placeOrder({ userId })).orderId);
      const seen: string[] = [];
      let token = '';
      let pages = 0;
      do {
        const page = await rig.rpc.listOrders({ userId, pageSize: 3, pageToken: token });
        seen.push(...page.orders.map(o => o.orderId));
        assert.ok(page.orders.every(o => o.userId === userId && o.items.length === 1));
        token = page.nextPageToken;
        pages++;
      } while (token !== '');
      assert.equal(pages, 3);
      assert.deepEqual(seen, [...placed].reverse(), 'newest first, each once');
    });

    it('GetOrderProgress answers from Redis (IN_PROGRESS before the row, SUCCESS after)', async () => {
      const orderId = uniqueId('progress');
      await rig.parts.results.markInProgress(orderId, 'u-progress', new Date(Date.now() + 60_000));
      const p = await rig.rpc.getOrderProgress({ orderId, userId: 'u-progress' });
      assert.deepEqual([p.state, p.status, p.terminal], [ProgressState.PROGRESS_STATE_IN_PROGRESS, OrderStatus.ORDER_STATUS_PENDING_PAYMENT, false]);
      await expectCode(rig.rpc.getOrder({ orderId, userId: '' }), status.NOT_FOUND);
      await expectCode(rig.rpc.getOrderProgress({ orderId, userId: 'someone-else' }), status.NOT_FOUND);
    });
  });

  describe('bad input → precise codes, nothing changed', () => {
    it('each malformed or forbidden request', async () => {
      const d = await rig.placeOrder();
      const paid = await rig.placeOrder();
      await rig.rpc.payOrder({ orderId: paid.orderId, userId: paid.userId, creditCard: GOOD_CARD });
      const expired = await rig.placeOrder({ windowMs: -1_000 });
      const snapshot = async () => Promise.all([d, paid, expired].map(o => rig.parts.repo.get(o.orderId)));
      const before = await snapshot();
      const charges = (await rig.db.select().from(paymentCharges)).length;

      const cases: Array<[string, () => Promise<unknown>, status, RegExp]> = [
        ['GetOrder without id', () => rig.rpc.getOrder({ orderId: '', userId: '' }), status.INVALID_ARGUMENT, /^order_id: /],
        ['GetOrder id too long', () => rig.rpc.getOrder({ orderId: 'x'.repeat(65), userId: '' }), status.INVALID_ARGUMENT, /^order_id: /],
        ['GetOrder unknown', () => rig.rpc.getOrder({ orderId: 'no-such-order', userId: '' }), status.NOT_FOUND, /not found/],
        ['GetOrder other user', () => rig.rpc.getOrder({ orderId: d.orderId, userId: 'intruder' }), status.NOT_FOUND, /not found/],
        ['ListOrders without user', () => rig.rpc.listOrders({ userId: '', pageSize: 0, pageToken: '' }), status.INVALID_ARGUMENT, /^user_id: /],
        ['ListOrders page size', () => rig.rpc.listOrders({ userId: d.userId, pageSize: 101, pageToken: '' }), status.INVALID_ARGUMENT, /^page_size: /],
        ['ListOrders negative size', () => rig.rpc.listOrders({ userId: d.userId, pageSize: -1, pageToken: '' }), status.INVALID_ARGUMENT, /^page_size: /],
        ['ListOrders bad token', () => rig.rpc.listOrders({ userId: d.userId, pageSize: 0, pageToken: 'garbage' }), status.INVALID_ARGUMENT, /^page_token: /],
        ['GetOrderProgress unknown', () => rig.rpc.getOrderProgress({ orderId: 'no-such-order', userId: '' }), status.NOT_FOUND, /not found/],
        ['PayOrder without card', () => rig.rpc.payOrder({ orderId: d.orderId, userId: d.userId }), status.INVALID_ARGUMENT, /^credit_card: /],
        ['PayOrder empty card number', () => rig.rpc.payOrder({ orderId: d.orderId, userId: d.userId, creditCard: { ...GOOD_CARD, creditCardNumber: ' ' } }), status.INVALID_ARGUMENT, /^credit_card\.credit_card_number: /],
        ['PayOrder other user', () => rig.rpc.payOrder({ orderId: d.orderId, userId: 'intruder', creditCard: GOOD_CARD }), status.NOT_FOUND, /not found/],
        ['PayOrder unknown', () => rig.rpc.payOrder({ orderId: 'no-such-order', userId: '', creditCard: GOOD_CARD }), status.NOT_FOUND, /not found/],
        ['PayOrder past deadline', () => rig.rpc.payOrder({ orderId: expired.orderId, userId: '', creditCard: GOOD_CARD }), status.FAILED_PRECONDITION, /payment window/],
        ['CancelOrder paid', () => rig.rpc.cancelOrder({ orderId: paid.orderId, userId: '', reason: '' }), status.FAILED_PRECONDITION, /is PAID/],
        ['CancelOrder other user', () => rig.rpc.cancelOrder({ orderId: d.orderId, userId: 'intruder', reason: '' }), status.NOT_FOUND, /not found/],
        ['CancelOrder long reason', () => rig.rpc.cancelOrder({ orderId: d.orderId, userId: '', reason: 'r'.repeat(513) }), status.INVALID_ARGUMENT, /^reason: /],
        ['CancelOrder unknown', () => rig.rpc.cancelOrder({ orderId: 'no-such-order', userId: '', reason: '' }), status.NOT_FOUND, /not found/],
      ];
      for (const [name, call, code, details] of cases) {
        const err = await failure(call());
        assert.equal(err.code, code, `${name}: ${status[err.code]} ${err.details}`);
        assert.match(err.details, details, name);
      }
      const watchErr = await new Promise<ServiceError>((resolve, reject) => {
        const call = rig.client.watchOrder({ orderId: 'no-such-order', userId: '' });
        call.on('data', () => reject(new Error('unexpected message')));
        call.on('error', resolve);
        call.on('end', () => reject(new Error('ended without error')));
      });
      assert.equal(watchErr.code, status.NOT_FOUND);
      assert.deepEqual(await snapshot(), before, 'no row changed');
      assert.equal((await rig.db.select().from(paymentCharges)).length, charges, 'nothing charged');
    });
  });

  // Last: it closes the hub.
  describe('shutdown', () => {
    it('server shutdown ends open watches cleanly', async () => {
      const d = await rig.placeOrder();
      const messages: OrderProgress[] = [];
      const call = rig.client.watchOrder({ orderId: d.orderId, userId: '' });
      const ended = new Promise<void>((resolve, reject) => {
        call.on('data', (m: OrderProgress) => messages.push(m));
        call.on('end', resolve);
        call.on('error', reject);
      });
      while (messages.length === 0) await new Promise(r => setTimeout(r, 50));
      await rig.parts.hub.close();
      await ended;
      assert.equal(messages.length, 1);
    });
  });
});
