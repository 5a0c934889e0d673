// The catalog against real MariaDB + Redis: single-flight, not-found caching, TTL jitter, invalidation,
// and the hipstershop.ProductCatalogService contract over a real gRPC server.
import assert from 'node:assert/strict';
import { status, type ServiceError } from '@grpc/grpc-js';
import { eq } from 'drizzle-orm';
import { products } from '../../src/db/schema';
import { ProductCatalogServiceClient, ProductCatalogServiceService } from '../../src/gen/hipstershop/demo';
import { createGrpcClient, unary } from '../../src/platform/grpc-client';
import type { RedisClient } from '../../src/platform/redis';
import { createCatalog, type Catalog, type CatalogSettings } from '../../src/services/productcatalog/catalog/catalog';
import { NOT_FOUND_MARK } from '../../src/services/productcatalog/catalog/cache-codec';
import { createProductRepo } from '../../src/services/productcatalog/catalog/product-repo';
import type { ProductSource } from '../../src/services/productcatalog/catalog/types';
import { createCatalogHandlers } from '../../src/services/productcatalog/catalog-server';
import { SEED_ITEMS } from '../../src/services/productcatalog/seed/seed-data';
import { seedProducts } from '../../src/services/productcatalog/seed/seed-products';
import { uniquePrefix } from '../support/ids';
import { useTestDatabase } from '../support/test-database';
import { testLogger } from '../support/test-logger';
import { closeRedis, createTestRedis, deleteKeys } from '../support/test-redis';
import { startTestServer, type TestServer } from '../support/test-server';

interface Counted extends ProductSource {
  readonly reads: { byId: number; list: number };
}

function counting(source: ProductSource): Counted {
  const reads = { byId: 0, list: 0 };
  return {
    reads,
    findById: id => {
      reads.byId++;
      return source.findById(id);
    },
    listAll: () => {
      reads.list++;
      return source.listAll();
    },
  };
}

describe('catalog: MySQL behind a Redis read-through cache', function () {
  const tdb = useTestDatabase();
  let redis: RedisClient;
  let prefix: string;
  let n = 0;

  before(async () => {
    redis = await createTestRedis('catalog-test');
    prefix = uniquePrefix('catalog');
    await seedProducts(tdb.current.db, SEED_ITEMS, { reset: false, saleStartsAt: new Date(), overrideSaleStart: false });
  });

  after(async () => {
    if (redis) {
      await deleteKeys(redis, prefix);
      await closeRedis(redis);
    }
  });

  /** A catalog with its own key prefix, reading MySQL through a read counter. */
  function catalogUnderTest(settings: Partial<CatalogSettings> = {}, random?: () => number): { catalog: Catalog; source: Counted; keyPrefix: string } {
    const source = counting(createProductRepo(tdb.current.db));
    const keyPrefix = `${prefix}c${++n}`;
    const catalog = createCatalog({
      source,
      redis,
      logger: testLogger('catalog'),
      settings: { keyPrefix, ...settings },
      ...(random ? { random } : {}),
    });
    return { catalog, source, keyPrefix };
  }

  it('50 concurrent misses on one product cost one MySQL read; later reads hit Redis', async () => {
    const { catalog, source, keyPrefix } = catalogUnderTest();
    const all = await Promise.all(Array.from({ length: 50 }, () => catalog.getProduct('OLJCESPC7Z')));
    assert.equal(source.reads.byId, 1);
    for (const p of all) {
      assert.equal(p.name, 'Sunglasses');
      assert.deepEqual(p.price, { currencyCode: 'USD', units: 19n, nanos: 990_000_000 });
    }
    await catalog.getProduct('OLJCESPC7Z');
    assert.equal(source.reads.byId, 1);

    // Another replica (same Redis, same prefix) is served from the cache as well.
    const other = counting(createProductRepo(tdb.current.db));
    const replica = createCatalog({ source: other, redis, logger: testLogger('catalog'), settings: { keyPrefix } });
    assert.equal((await replica.getProduct('OLJCESPC7Z')).id, 'OLJCESPC7Z');
    assert.equal(other.reads.byId, 0);
  });

  it('concurrent ListProducts misses cost one read and return every product by id', async () => {
    const { catalog, source } = catalogUnderTest();
    const lists = await Promise.all(Array.from({ length: 20 }, () => catalog.listProducts()));
    assert.equal(source.reads.list, 1);
    assert.equal(lists[0]?.length, SEED_ITEMS.length);
    assert.deepEqual(lists[0]?.map(p => p.id), [...SEED_ITEMS.map(i => i.product.id)].sort());
  });

  it('caches "not found" under a short TTL, so unknown ids stop reaching MySQL', async () => {
    const { catalog, source, keyPrefix } = catalogUnderTest({ notFoundTtlMs: 30_000, ttlMs: 600_000, jitterRatio: 0.2 });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => catalog.getProduct('NO-SUCH-PRODUCT')));
    assert.ok(results.every(r => r.status === 'rejected'));
    for (let i = 0; i < 5; i++) await assert.rejects(catalog.getProduct('NO-SUCH-PRODUCT'), /no product with ID NO-SUCH-PRODUCT/);
    assert.equal(source.reads.byId, 1);
    const key = `${keyPrefix}:product:NO-SUCH-PRODUCT`;
    assert.equal(await redis.get(key), NOT_FOUND_MARK);
    const ttl = await redis.pttl(key);
    assert.ok(ttl > 0 && ttl <= 36_000, `not-found TTL ${ttl} should be 30 s ± 20 %`);
  });

  it('writes product TTLs spread by the jitter', async () => {
    const low = catalogUnderTest({ ttlMs: 100_000, jitterRatio: 0.2 }, () => 0);
    const high = catalogUnderTest({ ttlMs: 100_000, jitterRatio: 0.2 }, () => 0.999);
    await low.catalog.getProduct('66VCHSJNUP');
    await high.catalog.getProduct('66VCHSJNUP');
    const lowTtl = await redis.pttl(`${low.keyPrefix}:product:66VCHSJNUP`);
    const highTtl = await redis.pttl(`${high.keyPrefix}:product:66VCHSJNUP`);
    assert.ok(lowTtl > 0 && lowTtl <= 80_000, `low ${lowTtl}`);
    assert.ok(highTtl > 80_000 && highTtl <= 120_000, `high ${highTtl}`);
  });

  it('invalidate(id) makes the next read see the MySQL change (product and list)', async () => {
    const { catalog } = catalogUnderTest();
    const db = tdb.current.db;
    assert.equal((await catalog.getProduct('1YMWWN1N4O')).name, 'Watch');
    assert.ok((await catalog.listProducts()).some(p => p.name === 'Watch'));
    await db.update(products).set({ name: 'Watch II', priceUnits: 120n, priceNanos: 500_000_000 }).where(eq(products.id, '1YMWWN1N4O'));
    try {
      assert.equal((await catalog.getProduct('1YMWWN1N4O')).name, 'Watch', 'still cached before invalidation');
      await catalog.invalidate('1YMWWN1N4O');
      const fresh = await catalog.getProduct('1YMWWN1N4O');
      assert.equal(fresh.name, 'Watch II');
      assert.deepEqual(fresh.price, { currencyCode: 'USD', units: 120n, nanos: 500_000_000 });
      assert.ok((await catalog.listProducts()).some(p => p.name === 'Watch II'));
    } finally {
      await db.update(products).set({ name: 'Watch', priceUnits: 109n, priceNanos: 990_000_000 }).where(eq(products.id, '1YMWWN1N4O'));
    }
  });

  it('an unreadable cache entry is reloaded from MySQL and rewritten', async () => {
    const { catalog, source, keyPrefix } = catalogUnderTest();
    const key = `${keyPrefix}:product:L9ECAV7KIM`;
    await redis.set(key, '{"garbage":true}', 'PX', 60_000);
    assert.equal((await catalog.getProduct('L9ECAV7KIM')).name, 'Loafers');
    assert.equal(source.reads.byId, 1);
    assert.match((await redis.get(key)) ?? '', /Loafers/);
  });

  describe('over gRPC (hipstershop.ProductCatalogService)', () => {
    let server: TestServer;
    let client: ProductCatalogServiceClient;
    let calls: {
      get: ReturnType<typeof unary<ProductCatalogServiceClient, 'getProduct'>>;
      list: ReturnType<typeof unary<ProductCatalogServiceClient, 'listProducts'>>;
      search: ReturnType<typeof unary<ProductCatalogServiceClient, 'searchProducts'>>;
    };

    before(async () => {
      const { catalog } = catalogUnderTest();
      server = await startTestServer(s => s.add(ProductCatalogServiceService, createCatalogHandlers(catalog)));
      client = createGrpcClient(ProductCatalogServiceClient, server.address);
      const opts = { defaultDeadlineMs: 5_000 };
      calls = { get: unary(client, 'getProduct', opts), list: unary(client, 'listProducts', opts), search: unary(client, 'searchProducts', opts) };
    });

    after(async () => {
      client?.close();
      await server?.stop();
    });

    const failure = async (p: Promise<unknown>): Promise<ServiceError> => {
      try {
        await p;
      } catch (err) {
        return err as ServiceError;
      }
      assert.fail('expected the call to fail');
    };

    it('GetProduct of an unknown id is NOT_FOUND with upstream\'s message', async () => {
      const err = await failure(calls.get({ id: 'ZZZZZZZZZZ' }));
      assert.equal(err.code, status.NOT_FOUND);
      assert.equal(err.details, 'no product with ID ZZZZZZZZZZ');
    });

    it('GetProduct with an empty id is INVALID_ARGUMENT naming `id`', async () => {
      const err = await failure(calls.get({ id: '' }));
      assert.equal(err.code, status.INVALID_ARGUMENT);
      assert.match(err.details, /^id: /);
    });

    it('GetProduct returns the exact price and categories', async () => {
      const p = await calls.get({ id: '9SIQT8TOJO' });
      assert.equal(p.name, 'Bamboo Glass Jar');
      assert.equal(p.picture, '/static/img/products/bamboo-glass-jar.jpg');
      assert.deepEqual(p.priceUsd, { currencyCode: 'USD', units: 5n, nanos: 490_000_000 });
      assert.deepEqual(p.categories, ['kitchen']);
    });

    it('ListProducts returns the whole catalog', async () => {
      const res = await calls.list({});
      assert.equal(res.products.length, SEED_ITEMS.length);
      assert.ok(res.products.some(p => p.id === 'FLASH-SUNGLASSES-001'));
    });

    it('SearchProducts matches name or description, case-insensitively', async () => {
      const ids = async (query: string) => (await calls.search({ query })).results.map(p => p.id).sort();
      assert.deepEqual(await ids('KITCHEN'), ['9SIQT8TOJO', 'LS4PSXUNUM']);
      assert.deepEqual(await ids('sunglasses'), ['FLASH-SUNGLASSES-001', 'OLJCESPC7Z']);
      assert.deepEqual(await ids('nothing like this'), []);
      assert.equal((await ids('')).length, SEED_ITEMS.length);
    });
  });
});
