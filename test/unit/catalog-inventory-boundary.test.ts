import assert from 'node:assert/strict';
import { Metadata } from '@grpc/grpc-js';
import { OrderSource, type OrderDraft } from '../../src/gen/shop/v1/common';
import { ReserveOutcome } from '../../src/gen/shop/v1/inventory';
import { createAdminGuard } from '../../src/platform/admin-auth';
import { AbortedError, InvalidArgumentError, PermissionDeniedError, UnauthenticatedError } from '../../src/platform/errors';
import { decodeOrderPayload, encodeOrderPayload } from '../../src/services/productcatalog/inventory/order-payload';
import { checkReserveRequest } from '../../src/services/productcatalog/inventory/reserve-request';
import { toReserveResponse } from '../../src/services/productcatalog/inventory/reserve-response';
import { traceContextOf } from '../../src/services/productcatalog/inventory/trace-context';

const LIMITS = { maxLines: 50, maxQty: 1000 };

function draft(overrides: Partial<OrderDraft> = {}): OrderDraft {
  return {
    orderId: 'o-1',
    userId: 'u-1',
    source: OrderSource.ORDER_SOURCE_PLACE_ORDER,
    userCurrency: 'EUR',
    email: 'someone@example.com',
    shippingAddress: { streetAddress: '1600 Amphitheatre Parkway', city: 'Mountain View', state: 'CA', country: 'United States', zipCode: 94043 },
    items: [
      { productId: 'OLJCESPC7Z', quantity: 1, unitCost: { currencyCode: 'EUR', units: 17n, nanos: 680_000_000 } },
      { productId: '66VCHSJNUP', quantity: 2, unitCost: { currencyCode: 'EUR', units: 16n, nanos: 790_000_000 } },
    ],
    shippingCost: { currencyCode: 'EUR', units: 7n, nanos: 950_000_000 },
    total: { currencyCode: 'EUR', units: 59n, nanos: 210_000_000 },
    createdAt: new Date('2026-11-21T10:00:00.000Z'),
    expiresAt: new Date('2026-11-21T10:30:00.000Z'),
    idempotencyKey: 'idem-1',
    ...overrides,
  };
}

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(err)}`);
    return err.field;
  }
  assert.fail('expected a throw');
}

describe('catalog: Reserve request checks', () => {
  it('accepts a complete draft and keeps it whole', () => {
    const d = draft();
    const checked = checkReserveRequest(d, LIMITS);
    assert.equal(checked.draft, d);
    assert.deepEqual(checked.lines, [
      { index: 0, productId: 'OLJCESPC7Z', quantity: 1 },
      { index: 1, productId: '66VCHSJNUP', quantity: 2 },
    ]);
  });

  it('names the offending field', () => {
    const line = (quantity: number, productId = 'LS4PSXUNUM') => ({ productId, quantity, unitCost: undefined });
    const cases: Array<[string, OrderDraft | undefined]> = [
      ['order', undefined],
      ['order.order_id', draft({ orderId: '' })],
      ['order.order_id', draft({ orderId: 'x'.repeat(65) })],
      ['order.order_id', draft({ orderId: 'has space' })],
      ['order.user_id', draft({ userId: '' })],
      ['order.user_id', draft({ userId: 'u'.repeat(65) })],
      ['order.items', draft({ items: [] })],
      ['order.items', draft({ items: Array.from({ length: 51 }, (_, i) => line(1, `P${i}`)) })],
      ['order.items[2].quantity', draft({ items: [...draft().items, line(0)] })],
      ['order.items[2].quantity', draft({ items: [...draft().items, line(-1)] })],
      ['order.items[2].quantity', draft({ items: [...draft().items, line(1001)] })],
      ['order.items[0].product_id', draft({ items: [line(1, '')] })],
      ['order.items[0].product_id', draft({ items: [line(1, 'bad id')] })],
      ['order.items[1].product_id', draft({ items: [line(1), line(2)] })],
    ];
    for (const [field, d] of cases) assert.equal(fieldOf(() => checkReserveRequest(d, LIMITS)), field, JSON.stringify(d?.items?.length));
  });

  it('accepts the documented bounds: 64-character ids, 50 lines, quantity 1000', () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ productId: `P${i}`, quantity: 1000, unitCost: undefined }));
    assert.equal(checkReserveRequest(draft({ orderId: 'o'.repeat(64), userId: 'u'.repeat(64), items }), LIMITS).lines.length, 50);
  });
});

describe('catalog: admin credential', () => {
  const md = (value?: string) => {
    const m = new Metadata();
    if (value !== undefined) m.set('authorization', value);
    return m;
  };

  it('refuses every call when no admin token is configured', () => {
    assert.throws(() => createAdminGuard('').check(md('Bearer ')), PermissionDeniedError);
    assert.throws(() => createAdminGuard('').check(md('Bearer anything')), PermissionDeniedError);
  });

  it('wants exactly "Bearer <token>"', () => {
    const guard = createAdminGuard('s3cret-token');
    assert.doesNotThrow(() => guard.check(md('Bearer s3cret-token')));
    assert.doesNotThrow(() => guard.check(md('bearer s3cret-token')));
    assert.throws(() => guard.check(md()), UnauthenticatedError);
    assert.throws(() => guard.check(md('s3cret-token')), UnauthenticatedError);
    assert.throws(() => guard.check(md('Bearer s3cret-tokeN')), UnauthenticatedError);
    assert.throws(() => guard.check(md('Bearer s3cret')), UnauthenticatedError);
  });

  it('never echoes the token in its errors', () => {
    const guard = createAdminGuard('s3cret-token');
    for (const value of ['Bearer wrong-one', 'Bearer s3cret-token-x', 'Basic s3cret-token']) {
      try {
        guard.check(md(value));
        assert.fail('expected a refusal');
      } catch (err) {
        assert.ok(!(err as Error).message.includes('s3cret'));
        assert.ok(!(err as Error).message.includes('wrong-one'));
      }
    }
  });
});

describe('catalog: order payload and trace context', () => {
  it('carries every field of the draft, the reservation time and the trace context', () => {
    const d = draft();
    const reservedAt = new Date('2026-11-21T10:00:01.234Z');
    const trace = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    const decoded = decodeOrderPayload(encodeOrderPayload(d, reservedAt, trace));
    assert.deepEqual(decoded.order, d);
    assert.deepEqual(decoded.reservedAt, reservedAt);
    assert.deepEqual(decoded.traceContext, trace);
  });

  it('takes only W3C trace headers from metadata', () => {
    const m = new Metadata();
    m.set('traceparent', '00-abc-def-01');
    m.set('tracestate', 'k=v');
    m.set('authorization', 'Bearer x');
    assert.deepEqual(traceContextOf(m), { traceparent: '00-abc-def-01', tracestate: 'k=v' });
  });
});

describe('catalog: Reserve outcomes on the wire', () => {
  const lines = [
    { sku: 'A', qty: 1 },
    { sku: 'B', qty: 3 },
  ];
  const now = new Date('2026-11-21T10:00:00Z');

  it('RESERVED carries the reservation time', () => {
    const r = toReserveResponse({ kind: 'RESERVED', orderId: 'o', lines: [], shards: [1] }, 'o', lines, now);
    assert.equal(r.outcome, ReserveOutcome.RESERVE_OUTCOME_RESERVED);
    assert.deepEqual(r.reservedAt, now);
  });

  it('refusals name the line, what was asked and what stopped it', () => {
    const sold = toReserveResponse({ kind: 'SOLD_OUT', line: 1, sku: 'B', available: 2, fastPath: false }, 'o', lines, now);
    assert.equal(sold.outcome, ReserveOutcome.RESERVE_OUTCOME_SOLD_OUT);
    assert.deepEqual(sold.refusedLine, { lineIndex: 1, productId: 'B', requested: 3, available: 2n, limitPerUser: 0, alreadyBought: 0 });
    const limit = toReserveResponse({ kind: 'LIMIT_EXCEEDED', line: 0, sku: 'A', limit: 2, held: 2 }, 'o', lines, now);
    assert.equal(limit.outcome, ReserveOutcome.RESERVE_OUTCOME_LIMIT_EXCEEDED);
    assert.deepEqual(limit.refusedLine, { lineIndex: 0, productId: 'A', requested: 1, available: 0n, limitPerUser: 2, alreadyBought: 2 });
    const cold = toReserveResponse({ kind: 'NOT_WARMED', line: 1, sku: 'B' }, 'o', lines, now);
    assert.equal(cold.outcome, ReserveOutcome.RESERVE_OUTCOME_NOT_WARMED);
    assert.equal(cold.refusedLine?.lineIndex, 1);
    assert.equal(cold.reservedAt, undefined);
  });

  it('DUPLICATE tells the first outcome, and whether the stock went back since', () => {
    const dup = (first: Parameters<typeof toReserveResponse>[0] & { kind: 'DUPLICATE' }) => toReserveResponse(first, 'o', lines, now);
    const base = { kind: 'DUPLICATE' as const, orderId: 'o', userId: 'u', lines };
    const again = dup({ ...base, first: { kind: 'RESERVED' }, state: 'RESERVED' });
    assert.equal(again.outcome, ReserveOutcome.RESERVE_OUTCOME_DUPLICATE);
    assert.equal(again.firstOutcome, ReserveOutcome.RESERVE_OUTCOME_RESERVED);
    assert.equal(again.released, false);
    assert.equal(dup({ ...base, first: { kind: 'RESERVED' }, state: 'RELEASED' }).released, true);
    const refused = dup({ ...base, first: { kind: 'SOLD_OUT', line: 1, sku: 'B', available: 0, fastPath: false }, state: 'REFUSED' });
    assert.equal(refused.firstOutcome, ReserveOutcome.RESERVE_OUTCOME_SOLD_OUT);
    assert.equal(refused.refusedLine?.requested, 3);
    assert.throws(() => dup({ ...base, first: { kind: 'PENDING' }, state: 'PENDING' }), AbortedError);
  });
});
