// Every way PlaceOrder says no, over real servers: the gRPC code, a message naming the field or the
// product, and nothing changed (stock, charges, order records, cart, idempotency records).
import assert from 'node:assert/strict';
import { status, type ServiceError } from '@grpc/grpc-js';
import type { PlaceOrderRequest } from '../../src/gen/hipstershop/demo';
import { OrderStatus } from '../../src/gen/shop/v1/common';
import { uniqueId } from '../support/ids';
import { useTestDatabase } from '../support/test-database';
import { COLD, LIMITED, PLENTY, SCARCE, placeOrderRequest, startCheckoutHarness, type CheckoutHarness } from './checkout-harness';

const WATCHED = ['OLJCESPC7Z', SCARCE.product.id, LIMITED.product.id, PLENTY.product.id];

interface Snapshot {
  stocks: number[];
  charges: number;
  orders: number;
  keys: number;
}

describe('checkout: PlaceOrder rejections (code + nothing changed)', function () {
  const tdb = useTestDatabase();
  let h: CheckoutHarness;

  before(async () => {
    h = await startCheckoutHarness(tdb.current.db);
  });
  after(async () => {
    await h?.stop();
  });

  async function ordersRecorded(): Promise<number> {
    let n = 0;
    for (const shard of h.catalog.stock.keys.allShards()) n += await h.redis.xlen(h.catalog.stock.keys.ordersStream(shard));
    return n;
  }

  async function snapshot(): Promise<Snapshot> {
    return {
      stocks: await Promise.all(WATCHED.map(id => h.stock(id))),
      charges: await h.charges(),
      orders: await ordersRecorded(),
      keys: await h.keyCount(),
    };
  }

  async function refused(p: Promise<unknown>): Promise<ServiceError> {
    try {
      await p;
    } catch (err) {
      return err as ServiceError;
    }
    assert.fail('expected PlaceOrder to fail');
  }

  /** A user whose cart holds `lines`. */
  async function shopper(lines: Array<[string, number]> = [['OLJCESPC7Z', 1]]): Promise<string> {
    const user = uniqueId('u');
    for (const [id, qty] of lines) await h.addItem(user, id, qty);
    return user;
  }

  describe('malformed requests → INVALID_ARGUMENT naming the field; not even an idempotency record', () => {
    const card = (o: Partial<NonNullable<PlaceOrderRequest['creditCard']>>) => (u: string) =>
      placeOrderRequest(u, { creditCard: { ...placeOrderRequest(u).creditCard!, ...o } });
    const address = (o: Partial<NonNullable<PlaceOrderRequest['address']>>) => (u: string) =>
      placeOrderRequest(u, { address: { ...placeOrderRequest(u).address!, ...o } });
    const cases: Array<[string, (u: string) => PlaceOrderRequest, RegExp]> = [
      ['empty user_id', () => placeOrderRequest(''), /^user_id: /],
      ['lower-case currency', u => placeOrderRequest(u, { userCurrency: 'usd' }), /^user_currency: /],
      ['currency the currency service does not know', u => placeOrderRequest(u, { userCurrency: 'XXX' }), /^user_currency: XXX is not a supported currency$/],
      ['no address', u => placeOrderRequest(u, { address: undefined }), /^address: /],
      ['zip code 0', address({ zipCode: 0 }), /^address\.zip_code: /],
      ['empty street', address({ streetAddress: '' }), /^address\.street_address: /],
      ['bad email', u => placeOrderRequest(u, { email: 'not-an-email' }), /^email: /],
      ['card number failing Luhn', card({ creditCardNumber: '4432-8015-6152-0455' }), /^credit_card\.credit_card_number: /],
      ['expiry month 13', card({ creditCardExpirationMonth: 13 }), /^credit_card\.credit_card_expiration_month: /],
      ['expired card', card({ creditCardExpirationYear: 2020 }), /^credit_card\.credit_card_expiration_year: the card expired on 1\/2020$/],
    ];
    for (const [name, make, details] of cases) {
      it(name, async () => {
        const user = await shopper();
        const before = await snapshot();
        const err = await refused(h.placeOrder(make(user)));
        assert.equal(err.code, status.INVALID_ARGUMENT, err.details);
        assert.match(err.details, details);
        assert.deepEqual(await snapshot(), before);
        assert.deepEqual(await h.cart(user), [{ productId: 'OLJCESPC7Z', quantity: 1 }]);
      });
    }

    it('a malformed idempotency-key metadata value', async () => {
      const user = await shopper();
      const before = await snapshot();
      const err = await refused(h.placeOrder(placeOrderRequest(user), { 'idempotency-key': 'k'.repeat(129) }));
      assert.equal(err.code, status.INVALID_ARGUMENT);
      assert.match(err.details, /^idempotency-key: /);
      assert.deepEqual(await snapshot(), before);
    });
  });

  describe('the cart cannot be ordered → FAILED_PRECONDITION; nothing reserved or charged', () => {
    const cases: Array<[string, Array<[string, number]>, RegExp]> = [
      ['empty cart', [], /^cart is empty$/],
      ['a product gone from the catalog', [['OLJCESPC7Z', 1], ['NO-SUCH-PRODUCT-1', 1]], /^cart item NO-SUCH-PRODUCT-1: no such product$/],
      ['a line above 1000 units', [['OLJCESPC7Z', 1001]], /^cart item OLJCESPC7Z: quantity 1001 is more than 1000$/],
      ['sold out (2 left, 3 wanted)', [['OLJCESPC7Z', 1], [SCARCE.product.id, 3]], /^product CO-SCARCE-1 is sold out \(requested 3, 2 left\)$/],
      ['per-user limit (1 per customer, 2 wanted)', [[LIMITED.product.id, 2]], /^product CO-LIMITED-1: at most 1 per customer \(already holding 0\)$/],
    ];
    for (const [name, lines, details] of cases) {
      it(name, async () => {
        const user = await shopper(lines);
        const cartBefore = await h.cart(user);
        const before = await snapshot();
        const err = await refused(h.placeOrder(placeOrderRequest(user), { 'idempotency-key': uniqueId('k') }));
        assert.equal(err.code, status.FAILED_PRECONDITION, err.details);
        assert.match(err.details, details);
        const after = await snapshot();
        assert.deepEqual({ ...after, keys: 0 }, { ...before, keys: 0 });
        assert.equal(after.keys, before.keys + 1, 'the refusal is stored for the client key (replayed to retries)');
        assert.deepEqual(await h.cart(user), cartBefore, 'the cart is kept');
      });
    }
  });

  it('an item whose stock is not loaded yet → UNAVAILABLE naming it; nothing changed', async () => {
    const user = await shopper([[COLD.product.id, 1]]);
    const before = await snapshot();
    const err = await refused(h.placeOrder(placeOrderRequest(user)));
    assert.equal(err.code, status.UNAVAILABLE);
    assert.equal(err.details, 'product CO-COLD-1 is not on sale yet (stock not loaded)');
    assert.deepEqual(await snapshot(), before);
  });

  const declines: Array<[string, string, status, string]> = [
    ['a brand payment refuses', '378282246310005', status.FAILED_PRECONDITION, 'Sorry, we cannot process amex credit cards. Only VISA or MasterCard is accepted.'],
    ['a number payment cannot read', '9000000000000001', status.INVALID_ARGUMENT, 'credit_card.credit_card_number: Credit card info is invalid'],
  ];
  for (const [name, number, code, details] of declines) {
    it(`declined by payment (${name}) → the payment's code and reason; stock released, nothing charged, cart kept, CANCELLED`, async () => {
      const user = await shopper([['OLJCESPC7Z', 2], [PLENTY.product.id, 1]]);
      const before = await snapshot();
      const req = placeOrderRequest(user, { creditCard: { ...placeOrderRequest(user).creditCard!, creditCardNumber: number } });
      const err = await refused(h.placeOrder(req));
      assert.equal(err.code, code);
      assert.equal(err.details, details);
      const after = await snapshot();
      assert.deepEqual(after.stocks, before.stocks, 'reservation released');
      assert.equal(after.charges, before.charges);
      assert.equal(after.orders, before.orders + 1, 'the order was recorded, then announced CANCELLED');
      assert.equal(after.keys, before.keys, 'derived key: a decline is not stored, a retry re-checks');
      assert.equal((await h.cart(user)).length, 2);
      const orderId = (await lastOrderOf(user))!;
      const [cancelled] = await h.status.waitFor(orderId, 1);
      assert.equal(cancelled!.toStatus, OrderStatus.ORDER_STATUS_CANCELLED);
      assert.equal(cancelled!.reason, `payment declined: ${details}`);

      // The same request again is judged again (a new order id), not refused as a spent order.
      const again = await refused(h.placeOrder(req));
      assert.deepEqual([again.code, again.details], [code, details]);
      assert.notEqual(await lastOrderOf(user), orderId);
      assert.deepEqual((await snapshot()).stocks, before.stocks);
    });
  }

  async function lastOrderOf(user: string): Promise<string | undefined> {
    let found: string | undefined;
    for (const shard of h.catalog.stock.keys.allShards()) {
      const entries = (await h.redis.xrange(h.catalog.stock.keys.ordersStream(shard), '-', '+')) as Array<[string, string[]]>;
      for (const [, fields] of entries) {
        const i = fields.indexOf('user');
        if (fields[i + 1] === user) found = fields[fields.indexOf('order') + 1];
      }
    }
    return found;
  }

  it('over the per-user rate limit → RESOURCE_EXHAUSTED; nothing changed by the refused call', async () => {
    const limited = await h.startCheckout({
      limits: { ...h.settings.limits, user: { name: 'place-order per user', limit: 1, windowMs: 60_000 } },
    });
    try {
      const user = await shopper([[PLENTY.product.id, 1]]);
      await limited.placeOrder(placeOrderRequest(user));
      await h.addItem(user, PLENTY.product.id, 1);
      const before = await snapshot();
      const err = await refused(limited.placeOrder(placeOrderRequest(user)));
      assert.equal(err.code, status.RESOURCE_EXHAUSTED);
      assert.match(err.details, /^rate limit exceeded \(place-order per user\); retry in \d+ s$/);
      assert.deepEqual(await snapshot(), before);
      assert.deepEqual(await h.cart(user), [{ productId: PLENTY.product.id, quantity: 1 }]);
    } finally {
      await limited.stop();
    }
  });
});
