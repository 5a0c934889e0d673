// Pure parts of the order service: the transition table, draft → row validation, body decoding
// (raw protobuf and the forwarder's base64 text), status events, page tokens, and the consumer
// handlers' batch logic (split on failure, permanent failures, FIFO hold) against in-memory fakes.
import assert from 'node:assert/strict';
import { OrderStatus } from '../../src/gen/shop/v1/common';
import { systemClock } from '../../src/platform/clock';
import type { MqMessage } from '../../src/platform/mq';
import { decodeOrderCreatedBody, InvalidOrderMessageError, orderFromDraft } from '../../src/services/order/draft';
import { decodeListToken, encodeListToken } from '../../src/services/order/order-proto';
import { encodeOrderPayload } from '../../src/services/productcatalog/inventory/order-payload';
import {
  allowedFrom,
  canTransition,
  FINAL_STATUSES,
  ORDER_STATUSES,
  statusFromProto,
  statusToProto,
  type OrderStatusName,
} from '../../src/services/order/state-machine';
import { decodeStatusEvent, encodeStatusEvent, InvalidStatusEventError } from '../../src/services/order/status-event';
import type { InsertBatchResult, NewOrder } from '../../src/services/order/types';
import { createCreationHandler } from '../../src/services/order/workers/creation-consumer';
import type { NewDeadLetter } from '../../src/services/order/workers/dlq-letters';
import { createStatusHandler } from '../../src/services/order/workers/status-consumer';
import { makeDraft, orderCreatedBody } from '../integration/order/order-fixtures';
import { testLogger } from '../support/test-logger';

describe('order state machine table', () => {
  it('allows exactly the documented transitions', () => {
    const allowed = ORDER_STATUSES.flatMap(from => ORDER_STATUSES.filter(to => canTransition(from, to)).map(to => `${from}→${to}`));
    assert.deepEqual(allowed.sort(), [
      'PAID→SHIPPED',
      'PAID→SHIP_FAILED',
      'PAYING→PAID',
      'PAYING→PENDING_PAYMENT',
      'PENDING_PAYMENT→CANCELLED',
      'PENDING_PAYMENT→PAID',
      'PENDING_PAYMENT→PAYING',
    ]);
  });

  it('never leaves a final status, and PAID/CANCELLED exclude each other', () => {
    for (const final of FINAL_STATUSES) for (const to of ORDER_STATUSES) assert.equal(canTransition(final, to), false, `${final}→${to}`);
    assert.ok(!allowedFrom('CANCELLED').includes('PAID'));
    assert.ok(!allowedFrom('CANCELLED').includes('PAYING'), 'a payment in progress cannot be cancelled');
    assert.ok(!allowedFrom('PAID').includes('CANCELLED'));
  });

  it('maps statuses to the wire (PAYING shows as PENDING_PAYMENT) and back', () => {
    assert.equal(statusToProto('PAYING'), OrderStatus.ORDER_STATUS_PENDING_PAYMENT);
    for (const s of ORDER_STATUSES.filter(x => x !== 'PAYING')) assert.equal(statusFromProto(statusToProto(s)), s);
    assert.equal(statusFromProto(OrderStatus.ORDER_STATUS_UNSPECIFIED), undefined);
  });
});

describe('OrderCreated body → order row', () => {
  const reservedAt = new Date('2026-01-01T00:00:01.000Z');

  it('keeps every draft field and derives the items total exactly', () => {
    const d = makeDraft(7);
    const o = orderFromDraft(d, reservedAt);
    assert.deepEqual(o.address, d.shippingAddress);
    assert.deepEqual(o.items, d.items);
    assert.deepEqual([o.total, o.shippingCost, o.email, o.userCurrency, o.expiresAt, o.createdAt], [d.total, d.shippingCost, d.email, d.userCurrency, d.expiresAt, d.createdAt]);
    assert.equal(o.idempotencyKey, d.idempotencyKey);
    const itemsNanos = d.items.reduce((n, l) => n + (l.unitCost!.units * 1_000_000_000n + BigInt(l.unitCost!.nanos)) * BigInt(l.quantity), 0n);
    assert.equal(o.itemsTotal.units * 1_000_000_000n + BigInt(o.itemsTotal.nanos), itemsNanos);
  });

  it('decodes raw protobuf bytes and the forwarder’s base64 text alike', () => {
    const d = makeDraft(3);
    const raw = orderCreatedBody(d, reservedAt);
    const text = Buffer.from(encodeOrderPayload(d, reservedAt, {}), 'utf8');
    assert.deepEqual(decodeOrderCreatedBody(raw).order, decodeOrderCreatedBody(text).order);
    assert.equal(decodeOrderCreatedBody(text).order?.orderId, d.orderId);
    assert.throws(() => decodeOrderCreatedBody(Buffer.from([0x0a, 0xff, 0xff])), InvalidOrderMessageError);
  });

  const bad: Array<[string, Parameters<typeof makeDraft>[1], RegExp]> = [
    ['no order id', { orderId: '' }, /^order\.order_id/],
    ['no user', { userId: '' }, /^order\.user_id/],
    ['bad currency', { userCurrency: 'euro' }, /^order\.user_currency/],
    ['no items', { items: [] }, /^order\.items/],
    ['zero quantity', { items: [{ productId: 'A', quantity: 0, unitCost: { currencyCode: 'EUR', units: 1n, nanos: 0 } }] }, /quantity/],
    ['line in another currency', { items: [{ productId: 'A', quantity: 1, unitCost: { currencyCode: 'USD', units: 1n, nanos: 0 } }] }, /currency_code/],
    ['total that does not add up', { total: { currencyCode: 'EUR', units: 1n, nanos: 0 } }, /^order\.total/],
    ['bad nanos', { shippingCost: { currencyCode: 'EUR', units: 1n, nanos: -5 } }, /^order\.shipping_cost/],
    ['no deadline', { expiresAt: undefined }, /^order\.expires_at/],
  ];
  for (const [name, overrides, field] of bad) {
    it(`refuses a draft with ${name} (permanent failure)`, () => {
      assert.throws(() => orderFromDraft(makeDraft(1, overrides), reservedAt), (e: unknown) => e instanceof InvalidOrderMessageError && field.test(e.message));
    });
  }
});

describe('status events and page tokens', () => {
  it('round-trips an event and refuses non-targets', () => {
    const body = encodeStatusEvent({ orderId: 'o1', to: OrderStatus.ORDER_STATUS_SHIPPED, at: new Date(0), trackingId: 'T' });
    const e = decodeStatusEvent(body);
    assert.deepEqual([e.orderId, e.to, e.options.trackingId], ['o1', 'SHIPPED', 'T']);
    assert.throws(() => decodeStatusEvent(encodeStatusEvent({ orderId: 'o1', to: OrderStatus.ORDER_STATUS_PENDING_PAYMENT, at: new Date(0) })), InvalidStatusEventError);
    assert.throws(() => decodeStatusEvent(encodeStatusEvent({ orderId: '', to: OrderStatus.ORDER_STATUS_PAID, at: new Date(0) })), InvalidStatusEventError);
    assert.throws(() => decodeStatusEvent(Buffer.from([0xff, 0xff, 0xff])), InvalidStatusEventError);
  });

  it('list tokens round-trip and garbage is INVALID_ARGUMENT on page_token', () => {
    const c = { createdAt: new Date(1_700_000_000_123), orderId: 'order:with/odd chars' };
    assert.deepEqual(decodeListToken(encodeListToken(c)), c);
    assert.equal(decodeListToken(''), undefined);
    assert.throws(() => decodeListToken('bm9wZQ'), /page_token/);
  });
});

function message(body: Buffer, i: number, extra: Partial<MqMessage> = {}): MqMessage {
  return { messageId: `m${i}`, topic: 't', body, keys: [`k${i}`], tag: undefined, properties: new Map(), deliveryAttempt: 1, bornAt: undefined, messageGroup: undefined, deliverAt: undefined, ...extra };
}

describe('creation handler batch logic (fakes)', () => {
  function fakeRepo(poison: Set<string>) {
    const rows = new Map<string, NewOrder>();
    const calls: number[] = [];
    return {
      rows,
      calls,
      async insertBatch(batch: readonly NewOrder[]): Promise<InsertBatchResult> {
        calls.push(batch.length);
        if (batch.some(o => poison.has(o.orderId))) throw new Error('Incorrect datetime value');
        const r: InsertBatchResult = { inserted: [], duplicates: [], pendingApplied: [], pendingRefused: [] };
        for (const o of batch) {
          if (rows.has(o.orderId)) r.duplicates.push(o.orderId);
          else {
            rows.set(o.orderId, o);
            r.inserted.push(o.orderId);
          }
        }
        return r;
      },
    };
  }

  it('one transaction for a good batch; a bad row is isolated by halving; permanent failures are dead-lettered and acked', async () => {
    const drafts = Array.from({ length: 16 }, (_, i) => makeDraft(i));
    const poison = new Set([drafts[5]!.orderId]);
    const repo = fakeRepo(poison);
    const letters: NewDeadLetter[] = [];
    const handler = createCreationHandler({
      repo,
      deadLetters: { store: async l => (letters.push(...l), l.length) },
      clock: systemClock,
      logger: testLogger(),
      topic: 'order-created',
      group: 'G',
      retryDelayMs: 1234,
    });
    const batch = [
      ...drafts.map((d, i) => message(orderCreatedBody(d), i)),
      message(Buffer.from('not protobuf at all'), 100),
      message(orderCreatedBody(makeDraft(99, { total: { currencyCode: 'EUR', units: 0n, nanos: 1 } })), 101),
      message(orderCreatedBody(drafts[0]!), 102), // a redelivery inside the same batch
    ];
    const outcomes = await handler(batch);
    assert.equal(repo.rows.size, 15, 'every good row inserted');
    assert.ok(!repo.rows.has(drafts[5]!.orderId));
    assert.deepEqual(outcomes.map(o => o.kind), [...drafts.map((_, i) => (i === 5 ? 'retry' : 'ack')), 'ack', 'ack', 'ack']);
    assert.deepEqual(outcomes[5], { kind: 'retry', delayMs: 1234 });
    assert.equal(letters.length, 2);
    assert.match(letters[0]!.reason, /invalid order message/);
    assert.equal(repo.calls[0], 17, 'first try: the whole batch in one insert');
    assert.ok(handler.stats().splits >= 4, 'halved down to the single bad row');
  });

  it('a dead letter that cannot be stored is retried, not acked', async () => {
    const handler = createCreationHandler({
      repo: fakeRepo(new Set()),
      deadLetters: { store: async () => Promise.reject(new Error('db down')) },
      clock: systemClock,
      logger: testLogger(),
      topic: 't',
      group: 'G',
      retryDelayMs: 10,
    });
    assert.deepEqual(await handler([message(Buffer.from('junk'), 1)]), [{ kind: 'retry', delayMs: 10 }]);
  });
});

describe('status handler (fakes)', () => {
  it('a failed event holds back later events of the same order in the batch (FIFO); others proceed', async () => {
    const seen: string[] = [];
    let failOnce = true;
    const handler = createStatusHandler({
      repo: {
        async transitionOrKeep(e) {
          if (e.orderId === 'a' && failOnce) {
            failOnce = false;
            throw new Error('lock wait timeout');
          }
          seen.push(`${e.orderId}:${e.to}`);
          return { kind: 'kept' };
        },
      },
      deadLetters: { store: async l => l.length },
      clock: systemClock,
      logger: testLogger(),
      topic: 't',
      group: 'G',
      retryDelayMs: 5,
    });
    const ev = (orderId: string, to: OrderStatus, i: number) =>
      message(encodeStatusEvent({ orderId, to, at: new Date(0) }), i, { messageGroup: orderId });
    const out = await handler([ev('a', OrderStatus.ORDER_STATUS_PAID, 1), ev('b', OrderStatus.ORDER_STATUS_PAID, 2), ev('a', OrderStatus.ORDER_STATUS_SHIPPED, 3)]);
    assert.deepEqual(out.map(o => o.kind), ['retry', 'ack', 'retry']);
    assert.deepEqual(seen, ['b:PAID']);
  });

  it('every target status of the table is accepted from the wire', () => {
    const targets: OrderStatusName[] = ['PAID', 'SHIPPED', 'SHIP_FAILED', 'CANCELLED'];
    for (const t of targets) assert.equal(decodeStatusEvent(encodeStatusEvent({ orderId: 'x', to: statusToProto(t), at: new Date(0) })).to, t);
  });
});
