import assert from 'node:assert/strict';
import type { BuyRequest } from '../../src/gen/shop/v1/flashsale';
import { InvalidArgumentError } from '../../src/platform/errors';
import { checkBuy, checkIssueToken } from '../../src/services/checkout/flashsale/requests';

const ADDRESS = { streetAddress: '1 Main St', city: 'Springfield', state: '', country: 'US', zipCode: 0 };
const good = (o: Partial<BuyRequest> = {}): BuyRequest => ({
  userId: 'u-1',
  productId: 'SKU-1',
  quantity: 1,
  token: 'tok',
  userCurrency: '',
  shippingAddress: ADDRESS,
  email: 'a@b.co',
  ...o,
});

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InvalidArgumentError, String(err));
    return err.field;
  }
  assert.fail('expected INVALID_ARGUMENT');
}

describe('flash-sale request checks', () => {
  it('accepts a good Buy; empty currency means USD; an empty token is left to the token step', () => {
    const c = checkBuy(good({ token: '' }));
    assert.equal(c.currency, 'USD');
    assert.equal(c.token, '');
    assert.equal(checkBuy(good({ userCurrency: 'EUR' })).currency, 'EUR');
  });

  it('names the first bad field', () => {
    const cases: Array<[Partial<BuyRequest>, string]> = [
      [{ userId: '' }, 'user_id'],
      [{ userId: 'x'.repeat(65) }, 'user_id'],
      [{ userId: 'tab\there' }, 'user_id'],
      [{ productId: '' }, 'product_id'],
      [{ productId: '-starts-with-dash' }, 'product_id'],
      [{ quantity: 0 }, 'quantity'],
      [{ quantity: 1.5 }, 'quantity'],
      [{ quantity: 1001 }, 'quantity'],
      [{ token: 'x'.repeat(129) }, 'token'],
      [{ userCurrency: 'EURO' }, 'user_currency'],
      [{ email: '' }, 'email'],
      [{ email: 'a@b' }, 'email'],
      [{ email: `${'a'.repeat(320)}@b.co` }, 'email'],
      [{ shippingAddress: undefined }, 'shipping_address'],
      [{ shippingAddress: { ...ADDRESS, streetAddress: '' } }, 'shipping_address.street_address'],
      [{ shippingAddress: { ...ADDRESS, streetAddress: 's'.repeat(513) } }, 'shipping_address.street_address'],
      [{ shippingAddress: { ...ADDRESS, city: '' } }, 'shipping_address.city'],
      [{ shippingAddress: { ...ADDRESS, state: 's'.repeat(129) } }, 'shipping_address.state'],
      [{ shippingAddress: { ...ADDRESS, country: '' } }, 'shipping_address.country'],
      [{ shippingAddress: { ...ADDRESS, zipCode: -5 } }, 'shipping_address.zip_code'],
    ];
    for (const [override, field] of cases) assert.equal(fieldOf(() => checkBuy(good(override))), field, JSON.stringify(override));
  });

  it('checks IssueToken ids', () => {
    assert.deepEqual(checkIssueToken({ userId: 'u', productId: 'P' }), { userId: 'u', productId: 'P' });
    assert.equal(fieldOf(() => checkIssueToken({ userId: '', productId: 'P' })), 'user_id');
    assert.equal(fieldOf(() => checkIssueToken({ userId: 'u', productId: 'a:b' })), 'product_id');
  });
});
