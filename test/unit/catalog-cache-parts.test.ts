import assert from 'node:assert/strict';
import { decodeProduct, decodeProductList, encodeProduct, encodeProductList, NOT_FOUND_MARK } from '../../src/services/productcatalog/catalog/cache-codec';
import { CatalogProductShapeError } from '../../src/services/productcatalog/catalog/cache-errors';
import { searchProducts } from '../../src/services/productcatalog/catalog/search';
import { createSingleFlight } from '../../src/services/productcatalog/catalog/single-flight';
import { jitteredTtl } from '../../src/services/productcatalog/catalog/ttl-jitter';
import type { CatalogProduct } from '../../src/services/productcatalog/catalog/types';
import { SEED_ITEMS, UPSTREAM_PRODUCTS } from '../../src/services/productcatalog/seed/seed-data';

const big: CatalogProduct = {
  id: 'BIG',
  name: 'Big',
  description: 'd',
  picture: '',
  price: { currencyCode: 'USD', units: 9_007_199_254_740_993n, nanos: 999_999_999 },
  categories: ['a', 'b'],
};

describe('catalog cache codec', () => {
  it('round-trips a product with its price exact beyond 2^53', () => {
    assert.deepEqual(decodeProduct(encodeProduct(big)), big);
    assert.deepEqual(decodeProductList(encodeProductList([big, big])), [big, big]);
  });

  it('writes "not found" as a mark that reads back as undefined', () => {
    assert.equal(encodeProduct(undefined), NOT_FOUND_MARK);
    assert.equal(decodeProduct(NOT_FOUND_MARK), undefined);
  });

  it('rejects entries it did not write', () => {
    assert.throws(() => decodeProduct('{"id":1}'), CatalogProductShapeError);
    assert.throws(() => decodeProduct(JSON.stringify({ ...JSON.parse(encodeProduct(big)), price: { currencyCode: 'USD', units: 1.5, nanos: 0 } })), CatalogProductShapeError);
    assert.throws(() => decodeProductList('{}'), CatalogProductShapeError);
  });
});

describe('catalog single-flight', () => {
  it('runs the work once for concurrent callers of one key and shares the result', async () => {
    const flight = createSingleFlight<number>();
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>(r => (release = r));
    const work = async () => {
      runs++;
      await gate;
      return 42;
    };
    const calls = Array.from({ length: 25 }, () => flight.run('k', work));
    const other = flight.run('other', async () => 7);
    release();
    assert.deepEqual(await Promise.all(calls), Array(25).fill(42));
    assert.equal(await other, 7);
    assert.equal(runs, 1);
    assert.equal(flight.size, 0);
  });

  it('shares a failure, then lets the next caller try again', async () => {
    const flight = createSingleFlight<number>();
    let runs = 0;
    const failing = async () => {
      runs++;
      throw new Error('db down');
    };
    const results = await Promise.allSettled([flight.run('k', failing), flight.run('k', failing)]);
    assert.deepEqual(results.map(r => r.status), ['rejected', 'rejected']);
    assert.equal(runs, 1);
    assert.equal(await flight.run('k', async () => 1), 1);
  });

  it('forget() makes the next caller start fresh work', async () => {
    const flight = createSingleFlight<string>();
    let release!: () => void;
    const slow = flight.run('k', () => new Promise<string>(r => (release = () => r('old'))));
    flight.forget('k');
    assert.equal(await flight.run('k', async () => 'new'), 'new');
    release();
    assert.equal(await slow, 'old');
  });
});

describe('catalog TTL jitter', () => {
  it('spreads TTLs over base ± ratio', () => {
    assert.equal(jitteredTtl(1000, 0.2, () => 0), 800);
    assert.equal(jitteredTtl(1000, 0.2, () => 0.5), 1000);
    assert.equal(jitteredTtl(1000, 0.2, () => 0.999999), 1200);
    assert.equal(jitteredTtl(1000, 0, () => 0.3), 1000);
    assert.equal(jitteredTtl(1, 0.9, () => 0), 1);
  });
});

describe('catalog search (upstream rules)', () => {
  it('matches name or description case-insensitively; an empty query matches everything', () => {
    const ids = (q: string) => searchProducts(UPSTREAM_PRODUCTS, q).map(p => p.id);
    assert.deepEqual(ids('KITCHEN'), ['LS4PSXUNUM', '9SIQT8TOJO']);
    assert.deepEqual(ids('mug'), ['6E92ZMYYFZ']);
    assert.deepEqual(ids('Aviator'), ['OLJCESPC7Z']);
    assert.deepEqual(ids('no such thing'), []);
    assert.equal(ids('').length, 9);
  });
});

describe('catalog seed data', () => {
  it('holds upstream\'s nine products with exact prices and flash-sale items with a per-user limit', () => {
    assert.deepEqual(
      UPSTREAM_PRODUCTS.map(p => p.id),
      ['OLJCESPC7Z', '66VCHSJNUP', '1YMWWN1N4O', 'L9ECAV7KIM', '2ZYFJ3GM2N', '0PUK6V6EV0', 'LS4PSXUNUM', '9SIQT8TOJO', '6E92ZMYYFZ'],
    );
    const jar = UPSTREAM_PRODUCTS.find(p => p.id === '9SIQT8TOJO');
    assert.deepEqual(jar?.price, { currencyCode: 'USD', units: 5n, nanos: 490_000_000 });
    const flash = SEED_ITEMS.filter(i => i.flashSale);
    assert.ok(flash.some(i => i.product.id === 'FLASH-SUNGLASSES-001'));
    for (const i of flash) {
      assert.equal(i.stock, 1000);
      assert.equal(i.perUserLimit, 2);
    }
    assert.ok(SEED_ITEMS.filter(i => !i.flashSale).every(i => i.stock === 1000 && i.perUserLimit === 0));
  });
});
