// The payment-deadline timer's decisions (timeout-decision.ts, timeout-consumer.ts handler) and the
// timer's delivery time (timeout-schedule.ts), over fakes of the order row and the cancel use case.
import assert from 'node:assert/strict';
import { PaymentDeadline } from '../../src/gen/shop/v1/events';
import { ManualClock } from '../../src/platform/clock';
import type { MqMessage, MqOutcome, MqSendRequest } from '../../src/platform/mq';
import type { CancelResult } from '../../src/services/order/cancel-order';
import type { OrderStatusName } from '../../src/services/order/state-machine';
import type { OrderHeader } from '../../src/services/order/types';
import type { NewDeadLetter } from '../../src/services/order/workers/dlq-letters';
import type { FailureNote, FailureNotes } from '../../src/services/order/workers/dlq-failure-notes';
import { createTimeoutHandler, REDELIVER_WITHIN_MS } from '../../src/services/order/workers/timeout-consumer';
import { decideDeadline, PAYING_SLACK_MS } from '../../src/services/order/workers/timeout-decision';
import {
  MAX_TIMER_DELAY_MS, MIN_TIMER_DELAY_MS, schedulePaymentDeadline, timerDeliveryTime, type DeadlineTarget,
} from '../../src/services/order/workers/timeout-schedule';
import { testLogger } from '../support/test-logger';

const NOW = 1_800_000_000_000;

function header(status: OrderStatusName, expiresInMs: number, payingUntilInMs?: number): OrderHeader {
  const money = { currencyCode: 'EUR', units: 1n, nanos: 0 };
  return {
    orderId: 'o1', userId: 'u1', status, previousStatus: null, source: 'FLASH_SALE', userCurrency: 'EUR', email: 'a@b.c',
    address: { streetAddress: '', city: '', state: '', country: '', zipCode: 0 }, shippingCost: money, itemsTotal: money, total: money,
    idempotencyKey: null, trackingId: null, transactionId: null, failureReason: null,
    payingUntil: payingUntilInMs === undefined ? null : new Date(NOW + payingUntilInMs), paidAt: null, stockReleasedAt: null,
    createdAt: new Date(NOW - 60_000), expiresAt: new Date(NOW + expiresInMs), reservedAt: null, persistedAt: new Date(NOW), updatedAt: new Date(NOW), version: 0,
  };
}

function timer(orderId: string | Buffer, attempt = 1): MqMessage {
  const body = typeof orderId === 'string' ? Buffer.from(PaymentDeadline.encode({ orderId, expiresAt: new Date(NOW), traceContext: {} }).finish()) : orderId;
  return {
    messageId: `m-${attempt}`, topic: 'order-timeout', body, keys: [typeof orderId === 'string' ? orderId : 'junk'], tag: 'deadline',
    properties: new Map(), deliveryAttempt: attempt, bornAt: undefined, messageGroup: undefined, deliverAt: undefined,
  };
}

function setup(row: OrderHeader | undefined, cancel: () => Promise<CancelResult> = async () => ({ kind: 'cancelled', order: row!, released: true })) {
  const clock = new ManualClock(NOW);
  const stored: NewDeadLetter[] = [];
  const notes: Array<{ messageId: string; reason: string; attempts?: number }> = [];
  const rescheduled: DeadlineTarget[] = [];
  let cancels = 0;
  const noteStore: FailureNotes = {
    record: async (_g, messageId, reason, attempts) => void notes.push({ messageId, reason, ...(attempts !== undefined ? { attempts } : {}) }),
    read: async (): Promise<FailureNote | undefined> => undefined,
  };
  const handler = createTimeoutHandler({
    source: { group: 'GID_order_timeout', topic: 'order-timeout', kind: 'DELAY' },
    getOrder: async () => row,
    cancel: async () => {
      cancels++;
      return cancel();
    },
    reschedule: async t => void rescheduled.push(t),
    notes: noteStore,
    deadLetters: { store: async l => (stored.push(...l), l.length) },
    clock,
    logger: testLogger('timeout-unit'),
    retryBackoff: { initialMs: 1_000, maxMs: 8_000, jitter: 0 },
  });
  const one = async (m: MqMessage): Promise<MqOutcome> => (await handler([m]))[0]!;
  return { one, stored, notes, rescheduled, cancels: () => cancels };
}

describe('payment-deadline timer', () => {
  describe('decideDeadline', () => {
    it('unpaid and due → cancel; unpaid early → wait the rest; PAYING → wait for the lock; anything else → settled', () => {
      assert.deepEqual(decideDeadline(header('PENDING_PAYMENT', 0), NOW), { kind: 'cancel' });
      assert.deepEqual(decideDeadline(header('PENDING_PAYMENT', -5), NOW), { kind: 'cancel' });
      assert.deepEqual(decideDeadline(header('PENDING_PAYMENT', 800), NOW), { kind: 'not-due', inMs: 800 });
      assert.deepEqual(decideDeadline(header('PAYING', -1, 2_000), NOW), { kind: 'paying', inMs: 2_000 + PAYING_SLACK_MS });
      assert.deepEqual(decideDeadline(header('PAYING', -1, -3_000), NOW), { kind: 'paying', inMs: PAYING_SLACK_MS });
      for (const s of ['PAID', 'SHIPPED', 'SHIP_FAILED', 'CANCELLED'] as const) assert.deepEqual(decideDeadline(header(s, -1), NOW), { kind: 'settled' });
      assert.deepEqual(decideDeadline(undefined, NOW), { kind: 'missing' });
    });
  });

  describe('handler', () => {
    it('a due unpaid order is cancelled and the timer acked', async () => {
      const s = setup(header('PENDING_PAYMENT', -1));
      assert.deepEqual(await s.one(timer('o1')), { kind: 'ack' });
      assert.equal(s.cancels(), 1);
    });

    it('an early fire never cancels: a near deadline is awaited by redelivery, a far one gets a fresh timer', async () => {
      const near = setup(header('PENDING_PAYMENT', 700));
      assert.deepEqual(await near.one(timer('o1')), { kind: 'retry', delayMs: 800 });
      const far = setup(header('PENDING_PAYMENT', REDELIVER_WITHIN_MS + 60_000));
      assert.deepEqual(await far.one(timer('o1')), { kind: 'ack' });
      assert.equal(far.rescheduled[0]!.orderId, 'o1');
      assert.equal(near.cancels() + far.cancels(), 0);
    });

    it('paid, shipped or cancelled orders: acked, nothing done', async () => {
      for (const st of ['PAID', 'SHIPPED', 'CANCELLED'] as const) {
        const s = setup(header(st, -1));
        assert.deepEqual(await s.one(timer('o1')), { kind: 'ack' });
        assert.equal(s.cancels(), 0);
      }
    });

    it('losing the race to a payment is an outcome, not an error: refused PAID → ack; refused PAYING → look again after the lock', async () => {
      const paid = setup(header('PENDING_PAYMENT', -1), async () => ({ kind: 'refused', current: 'PAID', order: header('PAID', -1) }));
      assert.deepEqual(await paid.one(timer('o1')), { kind: 'ack' });
      const paying = setup(header('PENDING_PAYMENT', -1), async () => ({ kind: 'refused', current: 'PAYING', order: header('PAYING', -1, 4_000) }));
      assert.deepEqual(await paying.one(timer('o1')), { kind: 'retry', delayMs: 4_000 + PAYING_SLACK_MS });
      assert.equal(paying.notes[0]!.reason, 'payment in progress (PAYING)');
    });

    it('no row yet: retried with backoff by delivery attempt, the reason and attempt left for the DLQ worker', async () => {
      const s = setup(undefined);
      assert.deepEqual(await s.one(timer('o9', 1)), { kind: 'retry', delayMs: 1_000 });
      assert.deepEqual(await s.one(timer('o9', 3)), { kind: 'retry', delayMs: 4_000 });
      assert.deepEqual(await s.one(timer('o9', 9)), { kind: 'retry', delayMs: 8_000 });
      assert.deepEqual(s.notes[1], { messageId: 'm-3', reason: 'order o9 not found (no row yet?)', attempts: 3 });
    });

    it('a failing cancel (database down) is retried with its reason', async () => {
      const s = setup(header('PENDING_PAYMENT', -1), async () => { throw new Error('ECONNREFUSED'); });
      assert.deepEqual(await s.one(timer('o1', 2)), { kind: 'retry', delayMs: 2_000 });
      assert.equal(s.notes[0]!.reason, 'ECONNREFUSED');
    });

    it('an undecodable timer is dead-lettered at once, with the reason', async () => {
      const s = setup(undefined);
      assert.deepEqual(await s.one(timer(Buffer.from([0xff, 0xff, 0xff]))), { kind: 'ack' });
      assert.equal(s.stored.length, 1);
      assert.match(s.stored[0]!.reason, /^malformed PaymentDeadline body/);
      assert.equal(s.stored[0]!.consumerGroup, 'GID_order_timeout');
      const empty = setup(undefined);
      await empty.one(timer(''));
      assert.equal(empty.stored[0]!.reason, 'PaymentDeadline without order_id');
    });
  });

  describe('schedule', () => {
    it('delivers at expires_at, pulled into [now + 1 s, now + 23 h]', () => {
      assert.equal(timerDeliveryTime(new Date(NOW + 30 * 60_000), NOW).getTime(), NOW + 30 * 60_000);
      assert.equal(timerDeliveryTime(new Date(NOW - 5_000), NOW).getTime(), NOW + MIN_TIMER_DELAY_MS);
      assert.equal(timerDeliveryTime(new Date(NOW + 3 * 86_400_000), NOW).getTime(), NOW + MAX_TIMER_DELAY_MS);
    });

    it('sends PaymentDeadline keyed by order id as a DELAY message', async () => {
      const sent: MqSendRequest[] = [];
      await schedulePaymentDeadline({ send: async m => (sent.push(m), { messageId: 'x' }) }, { orderId: 'o1', expiresAt: new Date(NOW + 3_000), traceContext: { traceparent: 't' } }, { now: NOW });
      const m = sent[0]!;
      assert.equal(m.topic, 'order-timeout');
      assert.deepEqual(m.keys, ['o1']);
      assert.equal(m.deliverAt?.getTime(), NOW + 3_000);
      assert.equal(m.messageGroup, undefined);
      const decoded = PaymentDeadline.decode(m.body);
      assert.equal(decoded.orderId, 'o1');
      assert.equal(decoded.expiresAt?.getTime(), NOW + 3_000);
      assert.deepEqual(m.properties, { traceparent: 't' });
    });
  });
});
