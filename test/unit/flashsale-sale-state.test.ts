import assert from 'node:assert/strict';
import { SaleState } from '../../src/gen/shop/v1/flashsale';
import { buildOrderDraft } from '../../src/services/checkout/flashsale/order-draft';
import type { SaleItemRecord } from '../../src/services/checkout/flashsale/sale-item';
import { saleStateOf, toSaleItem, windowPhase } from '../../src/services/checkout/flashsale/sale-state';
import { OrderSource } from '../../src/gen/shop/v1/common';

const NOW = Date.UTC(2026, 10, 21, 10, 0, 0);
const item: SaleItemRecord = {
  productId: 'SKU-1',
  name: 'Thing',
  description: 'd',
  picture: '/p.jpg',
  price: { currencyCode: 'USD', units: 19n, nanos: 990_000_000 },
  categories: ['x'],
  perUserLimit: 2,
  saleStartsAt: new Date(NOW),
  saleEndsAt: new Date(NOW + 60_000),
};

describe('flash-sale state and order draft', () => {
  it('window: upcoming before the start (exclusive), open from it, ended at the end', () => {
    assert.equal(windowPhase(item, NOW - 1), 'UPCOMING');
    assert.equal(windowPhase(item, NOW), 'OPEN');
    assert.equal(windowPhase(item, NOW + 60_000), 'ENDED');
    assert.equal(windowPhase({ saleStartsAt: null, saleEndsAt: null }, 0), 'OPEN');
  });

  it('state: window first, then stock or the sold-out flag', () => {
    assert.equal(saleStateOf('UPCOMING', 0, true), SaleState.SALE_STATE_UPCOMING);
    assert.equal(saleStateOf('ENDED', 5, false), SaleState.SALE_STATE_ENDED);
    assert.equal(saleStateOf('OPEN', 5, false), SaleState.SALE_STATE_ACTIVE);
    assert.equal(saleStateOf('OPEN', 0, false), SaleState.SALE_STATE_SOLD_OUT);
    assert.equal(saleStateOf('OPEN', 5, true), SaleState.SALE_STATE_SOLD_OUT);
  });

  it('wire form: exact price, window, server time; the flag zeroes the stock shown', () => {
    const s = toSaleItem(item, { remaining: 4, soldOutFlag: false, nowMs: NOW + 1 });
    assert.deepEqual(s.product, { id: 'SKU-1', name: 'Thing', description: 'd', picture: '/p.jpg', priceUsd: item.price, categories: ['x'] });
    assert.equal(s.remainingStock, 4n);
    assert.equal(s.limitPerUser, 2);
    assert.equal(s.serverTime?.getTime(), NOW + 1);
    assert.equal(toSaleItem(item, { remaining: 4, soldOutFlag: true, nowMs: NOW + 1 }).remainingStock, 0n);
  });

  it('draft: FLASH_SALE, free shipping, exact total, deadline = created + payment window', () => {
    const d = buildOrderDraft({
      orderId: 'o-1',
      request: { userId: 'u', productId: 'SKU-1', quantity: 3, token: 't', currency: 'USD', email: 'a@b.co', address: { streetAddress: 's', city: 'c', state: '', country: 'US', zipCode: 1 } },
      unitCost: { currencyCode: 'USD', units: 19n, nanos: 990_000_000 },
      createdAtMs: NOW,
      paymentWindowMs: 1_800_000,
      idempotencyKey: 'k',
    });
    assert.equal(d.source, OrderSource.ORDER_SOURCE_FLASH_SALE);
    assert.deepEqual(d.items, [{ productId: 'SKU-1', quantity: 3, unitCost: { currencyCode: 'USD', units: 19n, nanos: 990_000_000 } }]);
    assert.deepEqual(d.shippingCost, { currencyCode: 'USD', units: 0n, nanos: 0 });
    assert.deepEqual(d.total, { currencyCode: 'USD', units: 59n, nanos: 970_000_000 });
    assert.equal(d.expiresAt?.getTime(), NOW + 1_800_000);
    assert.equal(d.userCurrency, 'USD');
    assert.equal(d.idempotencyKey, 'k');
  });
});
