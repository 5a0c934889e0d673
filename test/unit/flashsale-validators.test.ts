import assert from 'node:assert/strict';
import { BuyResult } from '../../src/gen/shop/v1/flashsale';
import type { CheckedBuy } from '../../src/services/checkout/flashsale/requests';
import type { SaleItemRecord } from '../../src/services/checkout/flashsale/sale-item';
import { goodsValidator } from '../../src/services/checkout/flashsale/validators/goods-validator';
import { stockValidator } from '../../src/services/checkout/flashsale/validators/stock-validator';
import { unpaidOrderValidator } from '../../src/services/checkout/flashsale/validators/unpaid-order-validator';
import { userValidator } from '../../src/services/checkout/flashsale/validators/user-validator';
import { runValidators, type BuyAttempt, type BuyValidator } from '../../src/services/checkout/flashsale/validators/validator';

const NOW = Date.UTC(2026, 10, 21, 10, 0, 0);
const item = (o: Partial<SaleItemRecord> = {}): SaleItemRecord => ({
  productId: 'SKU-1',
  name: 'n',
  description: '',
  picture: '',
  price: { currencyCode: 'USD', units: 1n, nanos: 0 },
  categories: [],
  perUserLimit: 2,
  saleStartsAt: new Date(NOW - 1000),
  saleEndsAt: null,
  ...o,
});
const request = (quantity = 1): CheckedBuy => ({
  userId: 'u-1',
  productId: 'SKU-1',
  quantity,
  token: 't',
  currency: 'USD',
  email: 'a@b.co',
  address: { streetAddress: 's', city: 'c', state: '', country: 'US', zipCode: 0 },
});
const attempt = (o: Partial<BuyAttempt> = {}): BuyAttempt => ({ request: request(), item: item(), nowMs: NOW, pendingOrderId: '', ...o });

describe('flash-sale validator chain', () => {
  it('runs in order and stops at the first refusal, naming the validator', async () => {
    const seen: string[] = [];
    const v = (name: string, refuse: boolean): BuyValidator => ({
      name,
      validate: async () => {
        seen.push(name);
        return refuse ? { result: BuyResult.BUY_RESULT_BLOCKED, reason: name } : undefined;
      },
    });
    const verdict = await runValidators([v('a', false), v('b', true), v('c', true)], attempt());
    assert.deepEqual(seen, ['a', 'b']);
    assert.equal(verdict?.by, 'b');
    assert.equal(await runValidators([v('x', false)], attempt()), undefined);
  });

  it('user: blocks at the non-payer threshold; threshold 0 never blocks', async () => {
    const marks = (n: number) => ({ nonPayerCount: async () => n });
    assert.equal((await userValidator({ marks: marks(3), nonPayerThreshold: 3 }).validate(attempt()))?.result, BuyResult.BUY_RESULT_BLOCKED);
    assert.equal(await userValidator({ marks: marks(2), nonPayerThreshold: 3 }).validate(attempt()), undefined);
    assert.equal(await userValidator({ marks: marks(99), nonPayerThreshold: 0 }).validate(attempt()), undefined);
  });

  it('goods: window and per-user limit', async () => {
    const g = goodsValidator();
    const upcoming = await g.validate(attempt({ item: item({ saleStartsAt: new Date(NOW + 60_000) }) }));
    assert.equal(upcoming?.result, BuyResult.BUY_RESULT_NOT_STARTED);
    assert.equal(upcoming?.reason, `sale starts at ${new Date(NOW + 60_000).toISOString()}`);
    assert.equal((await g.validate(attempt({ item: item({ saleEndsAt: new Date(NOW) }) })))?.result, BuyResult.BUY_RESULT_ENDED);
    assert.equal((await g.validate(attempt({ request: request(3) })))?.result, BuyResult.BUY_RESULT_LIMIT_EXCEEDED);
    assert.equal(await g.validate(attempt({ request: request(2) })), undefined);
    assert.equal(await g.validate(attempt({ request: request(50), item: item({ perUserLimit: 0, saleStartsAt: null }) })), undefined);
  });

  it('unpaid order: refuses with the existing order id, except for the retry of that very order', async () => {
    const u = unpaidOrderValidator({ marks: { unpaidOrder: async () => 'order-1' } });
    const refusal = await u.validate(attempt());
    assert.equal(refusal?.result, BuyResult.BUY_RESULT_UNPAID_ORDER_EXISTS);
    assert.equal(refusal?.orderId, 'order-1');
    assert.equal(await u.validate(attempt({ pendingOrderId: 'order-1' })), undefined);
    assert.equal(await unpaidOrderValidator({ marks: { unpaidOrder: async () => undefined } }).validate(attempt()), undefined);
  });

  it('stock: the sold-out flag refuses, except for a retry of an undecided attempt', async () => {
    const s = stockValidator({ soldOut: { isSoldOut: () => true } });
    assert.equal((await s.validate(attempt()))?.result, BuyResult.BUY_RESULT_SOLD_OUT);
    assert.equal(await s.validate(attempt({ pendingOrderId: 'o-1' })), undefined);
    assert.equal(await stockValidator({ soldOut: { isSoldOut: () => false } }).validate(attempt()), undefined);
  });
});
