// The sale page's reads over gRPC: ListSaleItems / GetSaleItem show every flash-sale item from MySQL
// with its sale window, per-user limit and live remaining stock from InventoryService.GetStock.
import assert from 'node:assert/strict';
import { SaleState, type SaleItem } from '../../src/gen/shop/v1/flashsale';
import { useFlashFixture } from './flashsale-fixture';

const ADDRESS = { streetAddress: '1 Main St', city: 'Springfield', state: 'IL', country: 'United States', zipCode: 62701 };
const LATER_AT = new Date(Date.now() + 7_200_000);
LATER_AT.setMilliseconds(0);

describe('flash sale: sale page reads (ListSaleItems, GetSaleItem)', function () {
  this.timeout(60_000);
  const fx = useFlashFixture(
    [
      { id: 'PAGE-OPEN', stock: 7, limit: 3 },
      { id: 'PAGE-LAST', stock: 1, limit: 1 },
      { id: 'PAGE-SOON', stock: 5, limit: 1, startsAt: LATER_AT },
      { id: 'PAGE-NORMAL', stock: 5, limit: 0, flashSale: false },
      { id: 'PAGE-COLD', stock: 5, limit: 1, warm: false },
    ],
    { settings: { itemCacheTtlMs: 0, stockCacheTtlMs: 0 } },
  );

  const byId = (items: readonly SaleItem[]) => new Map(items.map(i => [i.product?.id ?? '', i]));

  it('lists every flash-sale item (and no other product) with state, stock, limit and window', async () => {
    const before = Date.now();
    const { items } = await fx.current.flash.rpc.listSaleItems({});
    const map = byId(items);
    assert.deepEqual([...map.keys()].sort(), ['PAGE-COLD', 'PAGE-LAST', 'PAGE-OPEN', 'PAGE-SOON']);
    const open = map.get('PAGE-OPEN')!;
    assert.equal(open.state, SaleState.SALE_STATE_ACTIVE);
    assert.equal(open.remainingStock, 7n);
    assert.equal(open.limitPerUser, 3);
    assert.deepEqual(open.product?.priceUsd, { currencyCode: 'USD', units: 19n, nanos: 990_000_000 });
    assert.equal(open.product?.name, 'Flash PAGE-OPEN');
    assert.ok(open.saleStartsAt && open.saleStartsAt.getTime() < before);
    assert.equal(open.saleEndsAt, undefined);
    assert.ok(open.serverTime && open.serverTime.getTime() >= before);

    const soon = map.get('PAGE-SOON')!;
    assert.equal(soon.state, SaleState.SALE_STATE_UPCOMING);
    assert.equal(soon.saleStartsAt?.toISOString(), LATER_AT.toISOString());
    assert.equal(soon.remainingStock, 5n);

    // Not warmed: nothing can be sold yet.
    const cold = map.get('PAGE-COLD')!;
    assert.equal(cold.remainingStock, 0n);
    assert.equal(cold.state, SaleState.SALE_STATE_SOLD_OUT);
  });

  it('GetSaleItem follows a sale: stock goes down, the last unit makes it SOLD_OUT', async () => {
    const { rpc } = fx.current.flash;
    assert.equal((await rpc.getSaleItem({ productId: 'PAGE-LAST' })).state, SaleState.SALE_STATE_ACTIVE);
    const { token } = await rpc.issueToken({ userId: 'page-user', productId: 'PAGE-LAST' });
    await rpc.buy({ userId: 'page-user', productId: 'PAGE-LAST', quantity: 1, token, userCurrency: 'USD', shippingAddress: ADDRESS, email: 'p@example.com' });
    const item = await rpc.getSaleItem({ productId: 'PAGE-LAST' });
    assert.equal(item.remainingStock, 0n);
    assert.equal(item.state, SaleState.SALE_STATE_SOLD_OUT);
    assert.equal(item.limitPerUser, 1);
  });
});
