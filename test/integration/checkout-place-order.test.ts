// PlaceOrder end to end over real servers (port 0) on real Redis, MariaDB and RocketMQ: the order is
// priced exactly, reserved, charged once (idempotency key = order id), announced PAID, the cart
// emptied; the order-created record carries the whole order. Idempotency: five concurrent calls with
// one key → one order, one charge, five identical replies; retries replay; double submits without a
// key collapse; a new cart after an order is a new order.
import assert from 'node:assert/strict';
import { PlaceOrderResponse } from '../../src/gen/hipstershop/demo';
import { OrderSource, OrderStatus } from '../../src/gen/shop/v1/common';
import { toNanos } from '../../src/platform/money';
import { uniqueId } from '../support/ids';
import { useTestDatabase } from '../support/test-database';
import { PLENTY, placeOrderRequest, startCheckoutHarness, type CheckoutHarness } from './checkout-harness';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('checkout: PlaceOrder', function () {
  const tdb = useTestDatabase();
  let h: CheckoutHarness;

  before(async () => {
    h = await startCheckoutHarness(tdb.current.db);
  });
  after(async () => {
    await h?.stop();
  });

  it('prices, reserves, charges once, announces PAID, empties the cart and replies like upstream (no tracking id)', async () => {
    const user = uniqueId('u');
    const before = { sunglasses: await h.stock('OLJCESPC7Z'), tank: await h.stock('66VCHSJNUP'), charges: await h.charges() };
    await h.addItem(user, 'OLJCESPC7Z', 2);
    await h.addItem(user, '66VCHSJNUP', 1);

    const res = await h.placeOrder(placeOrderRequest(user));
    const order = res.order!;
    assert.match(order.orderId, UUID);
    assert.equal(order.shippingTrackingId, '', 'shipping is asynchronous (order service, after PAID)');
    assert.deepEqual(order.shippingCost, { currencyCode: 'USD', units: 8n, nanos: 990_000_000 });
    assert.deepEqual(order.shippingAddress, placeOrderRequest(user).address);
    assert.deepEqual(order.items, [
      { item: { productId: 'OLJCESPC7Z', quantity: 2 }, cost: { currencyCode: 'USD', units: 19n, nanos: 990_000_000 } },
      { item: { productId: '66VCHSJNUP', quantity: 1 }, cost: { currencyCode: 'USD', units: 18n, nanos: 990_000_000 } },
    ]);

    assert.equal(await h.stock('OLJCESPC7Z'), before.sunglasses - 2);
    assert.equal(await h.stock('66VCHSJNUP'), before.tank - 1);
    assert.equal(await h.charges(), before.charges + 1);
    assert.equal(await h.charges(order.orderId), 1, 'charged with idempotency-key = order id');
    assert.deepEqual(await h.cart(user), []);

    const [created, ...more] = await h.orderCreated(order.orderId);
    assert.equal(more.length, 0);
    const draft = created!.order!;
    assert.equal(draft.userId, user);
    assert.equal(draft.source, OrderSource.ORDER_SOURCE_PLACE_ORDER);
    assert.equal(draft.userCurrency, 'USD');
    assert.equal(draft.email, 'someone@example.com');
    assert.deepEqual(draft.shippingAddress, order.shippingAddress);
    assert.deepEqual(draft.items.map(i => [i.productId, i.quantity, i.unitCost]), order.items.map(i => [i.item!.productId, i.item!.quantity, i.cost]));
    assert.deepEqual(draft.shippingCost, order.shippingCost);
    // 2 × 19.99 + 18.99 + 8.99 = 67.96, exactly
    assert.deepEqual(draft.total, { currencyCode: 'USD', units: 67n, nanos: 960_000_000 });
    assert.ok(draft.expiresAt!.getTime() > draft.createdAt!.getTime());

    const [paid] = await h.status.waitFor(order.orderId, 1);
    assert.equal(paid!.toStatus, OrderStatus.ORDER_STATUS_PAID);
    assert.equal(paid!.fromStatus, OrderStatus.ORDER_STATUS_PENDING_PAYMENT);
    assert.equal(paid!.userId, user);
    assert.match(paid!.transactionId, UUID);
  });

  it('in the buyer currency: unit prices and shipping converted, total exact (EUR)', async () => {
    const user = uniqueId('u');
    await h.addItem(user, '1YMWWN1N4O', 3);
    const order = (await h.placeOrder(placeOrderRequest(user, { userCurrency: 'EUR' }))).order!;
    const unit = order.items[0]!.cost!;
    assert.equal(unit.currencyCode, 'EUR');
    assert.equal(order.shippingCost!.currencyCode, 'EUR');
    const [created] = await h.orderCreated(order.orderId);
    const expected = toNanos(order.shippingCost!) + toNanos(unit) * 3n;
    assert.equal(toNanos(created!.order!.total!), expected);
  });

  it('five concurrent PlaceOrders with one idempotency-key → one order, one charge, five identical replies', async () => {
    const user = uniqueId('u');
    await h.addItem(user, PLENTY.product.id, 3);
    const stockBefore = await h.stock(PLENTY.product.id);
    const chargesBefore = await h.charges();
    const key = { 'idempotency-key': uniqueId('checkout-attempt') };
    const replies = await Promise.all(Array.from({ length: 5 }, () => h.placeOrder(placeOrderRequest(user), key)));

    const bytes = replies.map(r => Buffer.from(PlaceOrderResponse.encode(r).finish()).toString('base64'));
    assert.equal(new Set(bytes).size, 1, 'five byte-identical replies');
    const orderId = replies[0]!.order!.orderId;
    assert.equal(await h.stock(PLENTY.product.id), stockBefore - 3, 'stock taken once');
    assert.equal((await h.orderCreated(orderId)).length, 1, 'one order');
    assert.equal(await h.charges(), chargesBefore + 1, 'one charge');
    assert.equal(await h.charges(orderId), 1);
    assert.equal((await h.status.waitFor(orderId, 1)).length, 1);

    // A later retry with the same key replays the same bytes, even though the cart is empty now.
    const later = await h.placeOrder(placeOrderRequest(user), key);
    assert.equal(Buffer.from(PlaceOrderResponse.encode(later).finish()).toString('base64'), bytes[0]);
    assert.equal(await h.charges(), chargesBefore + 1);
  });

  it('without a key: a double submit (same request, same cart) is one order; a new cart later is a new order', async () => {
    const user = uniqueId('u');
    await h.addItem(user, PLENTY.product.id, 1);
    const stockBefore = await h.stock(PLENTY.product.id);
    const [a, b] = await Promise.all([h.placeOrder(placeOrderRequest(user)), h.placeOrder(placeOrderRequest(user))]);
    assert.equal(a.order!.orderId, b.order!.orderId);
    assert.equal(await h.stock(PLENTY.product.id), stockBefore - 1);

    await h.addItem(user, PLENTY.product.id, 1);
    const again = await h.placeOrder(placeOrderRequest(user));
    assert.notEqual(again.order!.orderId, a.order!.orderId);
    assert.equal(await h.stock(PLENTY.product.id), stockBefore - 2);
  });

  it('the same key with a different request → ALREADY_EXISTS, nothing charged', async () => {
    const user = uniqueId('u');
    await h.addItem(user, PLENTY.product.id, 1);
    const key = { 'idempotency-key': uniqueId('k') };
    await h.placeOrder(placeOrderRequest(user), key);
    const charges = await h.charges();
    await assert.rejects(h.placeOrder(placeOrderRequest(user, { email: 'other@example.com' }), key), (err: { code?: number; details?: string }) =>
      err.code === 6 && err.details === 'idempotency-key was already used for a different request');
    assert.equal(await h.charges(), charges);
  });
});
