import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../src/platform/errors';
import { InvalidStockRequestError } from '../../src/services/productcatalog/stock/errors';
import type { ReserveRequest } from '../../src/services/productcatalog/stock/types';
import {
  checkFigure,
  checkReason,
  checkSkuList,
  DEFAULT_REQUEST_LIMITS,
  validateReserve,
} from '../../src/services/productcatalog/stock/validation';

const limits = { ...DEFAULT_REQUEST_LIMITS, maxLines: 3, maxQty: 5 };
const good: ReserveRequest = { orderId: 'o-1', userId: 'u-1', lines: [{ sku: 'A', qty: 1 }], orderPayload: 'p' };

function field(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InvalidStockRequestError);
    assert.ok(err instanceof InvalidArgumentError, 'maps to INVALID_ARGUMENT at the boundary');
    return err.field;
  }
  assert.fail('expected an InvalidStockRequestError');
}

describe('stock request validation', () => {
  it('accepts a good request and numbers its lines', () => {
    const v = validateReserve({ ...good, lines: [{ sku: 'A', qty: 1 }, { sku: 'B.2_x-y', qty: 5 }], traceContext: { traceparent: 'x' } }, limits);
    assert.deepEqual(v.lines, [{ sku: 'A', qty: 1, index: 0 }, { sku: 'B.2_x-y', qty: 5, index: 1 }]);
    assert.deepEqual(v.traceContext, { traceparent: 'x' });
  });

  const bad: Array<[string, Partial<ReserveRequest>, string]> = [
    ['empty order id', { orderId: '' }, 'order_id'],
    ['order id with a control character', { orderId: 'o\n1' }, 'order_id'],
    ['non-ASCII user id', { userId: 'ü' }, 'user_id'],
    ['lines not an array', { lines: undefined as unknown as ReserveRequest['lines'] }, 'lines'],
    ['too many lines', { lines: ['A', 'B', 'C', 'D'].map(sku => ({ sku, qty: 1 })) }, 'lines'],
    ['SKU with ":"', { lines: [{ sku: 'a:b', qty: 1 }] }, 'lines[0].product_id'],
    ['SKU with "|"', { lines: [{ sku: 'a|b', qty: 1 }] }, 'lines[0].product_id'],
    ['SKU starting with "-"', { lines: [{ sku: '-a', qty: 1 }] }, 'lines[0].product_id'],
    ['SKU of 65 characters', { lines: [{ sku: 'a'.repeat(65), qty: 1 }] }, 'lines[0].product_id'],
    ['null line', { lines: [null as unknown as { sku: string; qty: number }] }, 'lines[0].product_id'],
    ['quantity NaN', { lines: [{ sku: 'A', qty: NaN }] }, 'lines[0].quantity'],
    ['quantity as a string', { lines: [{ sku: 'A', qty: '1' as unknown as number }] }, 'lines[0].quantity'],
    ['quantity above the maximum', { lines: [{ sku: 'A', qty: 6 }] }, 'lines[0].quantity'],
    ['repeated SKU', { lines: [{ sku: 'A', qty: 1 }, { sku: 'A', qty: 1 }] }, 'lines[1].product_id'],
    ['payload not a string', { orderPayload: 1 as unknown as string }, 'order_payload'],
    ['payload over the byte limit (multi-byte)', { orderPayload: 'é'.repeat(32 * 1024 + 1) }, 'order_payload'],
    ['trace context with a number', { traceContext: { a: 1 as unknown as string } }, 'trace_context'],
    ['trace context with 17 entries', { traceContext: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }, 'trace_context'],
  ];
  for (const [name, over, expected] of bad) {
    it(`${name} → ${expected}`, () => assert.equal(field(() => validateReserve({ ...good, ...over }, limits)), expected));
  }

  it('reason, SKU lists and MySQL figures', () => {
    assert.equal(checkReason('PAYMENT_DECLINED'), 'PAYMENT_DECLINED');
    assert.equal(field(() => checkReason('')), 'reason');
    assert.equal(field(() => checkReason('a b')), 'reason');
    assert.deepEqual(checkSkuList('product_ids', ['A', 'B'], 2), ['A', 'B']);
    assert.equal(field(() => checkSkuList('product_ids', ['A', 'B', 'C'], 2)), 'product_ids');
    assert.equal(field(() => checkSkuList('product_ids', 'A', 2)), 'product_ids');
    assert.deepEqual(checkFigure('A', 0, 0), { stock: 0, limit: 0 });
    assert.equal(field(() => checkFigure('A', 1.5, 0)), 'stock[A]');
    assert.equal(field(() => checkFigure('A', 1, -1)), 'limit[A]');
  });
});
