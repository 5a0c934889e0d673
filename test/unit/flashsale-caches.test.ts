import assert from 'node:assert/strict';
import { ManualClock } from '../../src/platform/clock';
import { UnavailableError } from '../../src/platform/errors';
import type { StockInfo } from '../../src/gen/shop/v1/inventory';
import { createSaleCatalog } from '../../src/services/checkout/flashsale/sale-catalog';
import type { SaleItemRecord } from '../../src/services/checkout/flashsale/sale-item';
import { createStockView } from '../../src/services/checkout/flashsale/stock-view';
import { testLogger } from '../support/test-logger';

const rec = (id: string): SaleItemRecord => ({
  productId: id,
  name: id,
  description: '',
  picture: '',
  price: { currencyCode: 'USD', units: 1n, nanos: 0 },
  categories: [],
  perUserLimit: 1,
  saleStartsAt: null,
  saleEndsAt: null,
});

describe('flash-sale caches', () => {
  it('sale catalog: one read per TTL, shared by concurrent callers', async () => {
    const clock = new ManualClock(1000);
    let reads = 0;
    const catalog = createSaleCatalog({
      source: { listSaleItems: async () => (reads++, [rec('A'), rec('B')]) },
      clock,
      ttlMs: 500,
      logger: testLogger(),
    });
    const [a, b, list] = await Promise.all([catalog.find('A'), catalog.find('B'), catalog.list()]);
    assert.equal(reads, 1);
    assert.equal(a?.productId, 'A');
    assert.equal(b?.productId, 'B');
    assert.equal(list.length, 2);
    assert.equal(await catalog.find('C'), undefined);
    assert.equal(reads, 1);
    clock.advance(500);
    await catalog.find('A');
    assert.equal(reads, 2);
  });

  it('sale catalog: a failed refresh keeps the last snapshot; with none it is UNAVAILABLE', async () => {
    const clock = new ManualClock(0);
    let fail = true;
    const catalog = createSaleCatalog({
      source: {
        listSaleItems: async () => {
          if (fail) throw new Error('mysql down');
          return [rec('A')];
        },
      },
      clock,
      ttlMs: 100,
      logger: testLogger(),
    });
    await assert.rejects(catalog.find('A'), UnavailableError);
    fail = false;
    assert.equal((await catalog.find('A'))?.productId, 'A');
    fail = true;
    clock.advance(1000);
    assert.equal((await catalog.find('A'))?.productId, 'A');
  });

  it('stock view: cached per item for the TTL; an unwarmed item shows 0', async () => {
    const clock = new ManualClock(0);
    const calls: string[] = [];
    let stock = 7n;
    const view = createStockView({
      inventory: {
        getStock: async (productId): Promise<StockInfo> => {
          calls.push(productId);
          return { productId, warmed: productId !== 'COLD', redisStock: stock, mysqlStock: 0n, pendingDelta: 0n, soldOutFlag: false, config: undefined, readAt: undefined };
        },
      },
      clock,
      ttlMs: 100,
    });
    assert.deepEqual(await Promise.all([view.remaining('A'), view.remaining('A')]), [{ warmed: true, remaining: 7 }, { warmed: true, remaining: 7 }]);
    stock = 3n;
    assert.equal((await view.remaining('A')).remaining, 7);
    clock.advance(100);
    assert.equal((await view.remaining('A')).remaining, 3);
    assert.deepEqual(await view.remaining('COLD'), { warmed: false, remaining: 0 });
    assert.deepEqual(calls, ['A', 'A', 'COLD']);
  });
});
