// Each supporting service replaced by an upstream-compatible peer at another address: checkout is
// pointed at the peer through its address settings (the *_SERVICE_ADDR config) and the whole order
// goes through it; the original instance is not called.
import assert from 'node:assert/strict';
import type { CheckoutAddresses } from '../../src/services/checkout';
import { uniqueId } from '../support/ids';
import { useTestDatabase } from '../support/test-database';
import type { TestServer } from '../support/test-server';
import { DEPENDENCY_NAMES, PLENTY, placeOrderRequest, startCheckoutHarness, type CheckoutHarness, type Dependency } from './checkout-harness';

const ADDRESS_FIELD: Record<Dependency, keyof CheckoutAddresses> = {
  cart: 'cart',
  productcatalog: 'productCatalog',
  currency: 'currency',
  shipping: 'shipping',
  payment: 'payment',
};

describe('checkout: supporting services replaced by peers at other addresses', function () {
  const tdb = useTestDatabase();
  let h: CheckoutHarness;
  const peers: TestServer[] = [];

  before(async () => {
    h = await startCheckoutHarness(tdb.current.db);
  });
  after(async () => {
    for (const p of peers) await p.stop();
    await h?.stop();
  });

  for (const dep of DEPENDENCY_NAMES) {
    it(`${dep} → a second instance on another port serves the whole PlaceOrder`, async () => {
      const peer = await h.startPeer(dep);
      peers.push(peer);
      assert.notEqual(peer.address, h.addresses[dep]);
      const checkout = await h.startCheckout({ addresses: { ...h.settings.addresses, [ADDRESS_FIELD[dep]]: peer.address } });
      try {
        const user = uniqueId('u');
        await h.addItem(user, PLENTY.product.id, 1);
        await h.addItem(user, 'OLJCESPC7Z', 1);
        const original = h.calls.get(dep) ?? 0;
        const res = await checkout.placeOrder(placeOrderRequest(user, { userCurrency: 'EUR' }));
        assert.equal(res.order?.items.length, 2);
        assert.ok((h.calls.get(`${dep}-peer`) ?? 0) > 0, `the ${dep} peer was called`);
        // cart: AddItem above went to the original on purpose (shared store); checkout itself used the peer.
        assert.equal(h.calls.get(dep) ?? 0, original, `the original ${dep} was not called by checkout`);
        assert.equal(await h.charges(res.order!.orderId), 1);
        assert.deepEqual(await h.cart(user), []);
      } finally {
        await checkout.stop();
      }
    });
  }
});
