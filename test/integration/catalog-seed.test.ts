// `make seed` logic against real MariaDB + Redis: idempotent upsert, live stock kept unless reset,
// warm-up into Redis through the stock domain, and --reset refused while Redis has un-synced changes.
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { products } from '../../src/db/schema';
import { systemClock } from '../../src/platform/clock';
import { FailedPreconditionError } from '../../src/platform/errors';
import type { RedisClient } from '../../src/platform/redis';
import { FLASH_PER_USER_LIMIT, SEED_ITEMS } from '../../src/services/productcatalog/seed/seed-data';
import { seedCatalog } from '../../src/services/productcatalog/seed/seed';
import { createProductCatalogParts, type ProductCatalogParts } from '../../src/services/productcatalog/wiring';
import { uniqueId } from '../support/ids';
import { useTestDatabase } from '../support/test-database';
import { testLogger } from '../support/test-logger';
import { closeRedis, createTestRedis, deleteKeys } from '../support/test-redis';

describe('catalog seed: upsert + warm-up', () => {
  const tdb = useTestDatabase();
  let redis: RedisClient;
  let ns: string;
  let parts: ProductCatalogParts;
  const ids = SEED_ITEMS.map(i => i.product.id);

  before(async () => {
    redis = await createTestRedis('catalog-seed-test');
    ns = uniqueId('seed');
    parts = createProductCatalogParts({
      redis,
      db: tdb.current.db,
      clock: systemClock,
      logger: testLogger('seed'),
      adminToken: '',
      catalogSettings: { keyPrefix: `test:${ns}:catalog` },
      stockSettings: { namespace: ns },
    });
  });

  after(async () => {
    if (redis) {
      await deleteKeys(redis, `{${ns}:`);
      await deleteKeys(redis, `test:${ns}:`);
      await closeRedis(redis);
    }
  });

  const seed = (reset = false, saleStartsAt?: Date) =>
    seedCatalog(
      { db: tdb.current.db, stock: parts.stock, items: parts.items, catalog: parts.catalog, now: () => systemClock.now() },
      { reset, ...(saleStartsAt ? { saleStartsAt } : {}) },
    );

  const mysqlStock = async (id: string) =>
    (await tdb.current.db.select({ stock: products.stock }).from(products).where(eq(products.id, id)))[0]?.stock;

  const redisStock = async (id: string) => {
    const level = await parts.stock.getStock(id);
    return level.warmed ? level.stock : undefined;
  };

  it('inserts every item and loads its stock into Redis', async () => {
    const saleStartsAt = new Date('2026-12-01T09:00:00.000Z');
    const rows = await seed(false, saleStartsAt);
    assert.deepEqual(rows.map(r => r.id), ids);
    assert.ok(rows.every(r => r.row === 'inserted' && r.warmUp === 'WARMED' && r.stock === 1000), JSON.stringify(rows));
    const flash = (await tdb.current.db.select().from(products).where(eq(products.id, 'FLASH-SUNGLASSES-001')))[0];
    assert.equal(flash?.flashSale, true);
    assert.equal(flash?.perUserLimit, FLASH_PER_USER_LIMIT);
    assert.deepEqual(flash?.saleStartsAt, saleStartsAt);
    const level = await parts.stock.getStock('FLASH-SUNGLASSES-001');
    assert.ok(level.warmed && level.stock === 1000 && level.limit === FLASH_PER_USER_LIMIT);
  });

  it('re-running changes nothing and never overwrites live stock', async () => {
    await tdb.current.db.update(products).set({ stock: 7 }).where(eq(products.id, 'OLJCESPC7Z'));
    const rows = await seed();
    assert.ok(rows.every(r => r.row === 'unchanged'), JSON.stringify(rows));
    assert.equal(await mysqlStock('OLJCESPC7Z'), 7);
    const flash = (await tdb.current.db.select().from(products).where(eq(products.id, 'FLASH-SUNGLASSES-001')))[0];
    assert.deepEqual(flash?.saleStartsAt, new Date('2026-12-01T09:00:00.000Z'), 'an existing sale start is kept unless given');
  });

  it('updates catalog facts of an existing row (and bumps its version), keeping its stock', async () => {
    await tdb.current.db.update(products).set({ name: 'Old name', stock: 5 }).where(eq(products.id, '66VCHSJNUP'));
    const before = (await tdb.current.db.select().from(products).where(eq(products.id, '66VCHSJNUP')))[0];
    const rows = await seed();
    assert.equal(rows.find(r => r.id === '66VCHSJNUP')?.row, 'updated');
    const after = (await tdb.current.db.select().from(products).where(eq(products.id, '66VCHSJNUP')))[0];
    assert.equal(after?.name, 'Tank Top');
    assert.equal(after?.stock, 5);
    assert.equal(after?.version, (before?.version ?? 0) + 1);
    assert.equal((await parts.catalog.getProduct('66VCHSJNUP')).name, 'Tank Top');
  });

  it('--reset puts MySQL and Redis stock back to the seed figures', async () => {
    const rows = await seed(true);
    assert.equal(rows.find(r => r.id === 'OLJCESPC7Z')?.row, 'updated');
    assert.equal(await mysqlStock('OLJCESPC7Z'), 1000);
    assert.equal(await redisStock('OLJCESPC7Z'), 1000);
    assert.equal(await mysqlStock('66VCHSJNUP'), 1000);
  });

  it('--reset is refused, changing nothing, while Redis holds changes not yet in MySQL', async () => {
    const outcome = await parts.stock.reserve({
      orderId: uniqueId('order'),
      userId: 'seed-user',
      lines: [{ sku: 'LS4PSXUNUM', qty: 3 }],
      orderPayload: 'payload',
    });
    assert.equal(outcome.kind, 'RESERVED');
    await tdb.current.db.update(products).set({ stock: 990 }).where(eq(products.id, 'LS4PSXUNUM'));
    await assert.rejects(seed(true), (err: unknown) => err instanceof FailedPreconditionError && /LS4PSXUNUM \(1 pending\)/.test(err.message));
    assert.equal(await mysqlStock('LS4PSXUNUM'), 990);
    assert.equal(await redisStock('LS4PSXUNUM'), 997);

    // Without --reset the seed still runs: the busy item is reported, not overwritten.
    const rows = await seed();
    assert.equal(rows.find(r => r.id === 'LS4PSXUNUM')?.warmUp, 'PENDING_DELTAS');
    assert.equal(await redisStock('LS4PSXUNUM'), 997);
    assert.ok(rows.filter(r => r.id !== 'LS4PSXUNUM').every(r => r.warmUp === 'WARMED'));
  });
});
