import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import { products, stockApplied } from '../../src/db/schema';
import { checkDatabase, createDatabase, migrate } from '../../src/platform/db';
import { StartupError } from '../../src/platform/startup-error';
import { testConfig } from '../support/test-config';
import { testLogger } from '../support/test-logger';
import { useTestDatabase } from '../support/test-database';

const BEYOND_2_53 = 9007199254740993n; // 2^53 + 1: a JS number would read it back as ...992

describe('platform db (real MariaDB)', () => {
  const tdb = useTestDatabase();

  it('applies the generated migrations (and a second run is a no-op)', async () => {
    const { database } = tdb.current;
    await migrate(database);
    const [tables] = await database.pool.query<RowDataPacket[]>('SHOW TABLES');
    const names = tables.map(r => Object.values(r)[0]);
    for (const t of ['products', 'stock_log', 'stock_applied', '__drizzle_migrations']) assert.ok(names.includes(t), `${t} in ${names.join(',')}`);
  });

  it('round-trips a product with a BIGINT price beyond 2^53, JSON categories and datetime(3)', async () => {
    const { db } = tdb.current;
    const saleStartsAt = new Date('2030-01-02T03:04:05.678Z');
    await db.insert(products).values({
      id: 'BIG-1',
      name: 'Very expensive',
      description: 'tests exact money',
      priceUnits: BEYOND_2_53,
      priceNanos: 990_000_000,
      priceCurrency: 'USD',
      categories: ['luxury', 'test'],
      stock: 7,
      perUserLimit: 2,
      flashSale: true,
      saleStartsAt,
    });
    const [row] = await db.select().from(products).where(eq(products.id, 'BIG-1'));
    assert.ok(row);
    assert.equal(row.priceUnits, BEYOND_2_53);
    assert.equal(typeof row.priceUnits, 'bigint');
    assert.equal(row.priceNanos, 990_000_000);
    assert.deepEqual(row.categories, ['luxury', 'test']);
    assert.equal(row.stock, 7);
    assert.equal(row.version, 0);
    assert.equal(row.flashSale, true);
    assert.equal(row.saleStartsAt?.toISOString(), saleStartsAt.toISOString());
    assert.ok(row.updatedAt instanceof Date);

    // Exact in SQL arithmetic too, and in raw queries (string beyond 2^53, number below).
    const [raw] = await tdb.current.database.pool.query<RowDataPacket[]>(
      'SELECT price_units + 1 AS next, COUNT(*) AS n FROM products WHERE id = ?',
      ['BIG-1'],
    );
    assert.equal(BigInt(raw[0]?.next as string), BEYOND_2_53 + 1n);
    assert.equal(raw[0]?.n, 1);
  });

  it('bumps updated_at from the DB clock on a drizzle update', async () => {
    const { db } = tdb.current;
    await db.update(products).set({ updatedAt: new Date('2000-01-01T00:00:00Z') }).where(eq(products.id, 'BIG-1'));
    await db.update(products).set({ stock: sql`${products.stock} - 1` }).where(eq(products.id, 'BIG-1'));
    const [row] = await db.select().from(products).where(eq(products.id, 'BIG-1'));
    assert.equal(row?.stock, 6);
    assert.ok((row?.updatedAt.getTime() ?? 0) > Date.parse('2020-01-01T00:00:00Z'));
  });

  it('reports affectedRows 1 for a new row and 0 for a duplicate no-op (FOUND_ROWS off)', async () => {
    const { db } = tdb.current;
    const insert = () =>
      db
        .insert(stockApplied)
        .values({ stream: '{inv:1}:stream:stock', streamId: '1-0' })
        .onDuplicateKeyUpdate({ set: { stream: sql`stream` } });
    const [first] = (await insert()) as unknown as [ResultSetHeader];
    const [again] = (await insert()) as unknown as [ResultSetHeader];
    assert.equal(first.affectedRows, 1);
    assert.equal(again.affectedRows, 0);
  });

  it('uses UTC for the session and for JS dates', async () => {
    const [rows] = await tdb.current.database.pool.query<RowDataPacket[]>('SELECT @@session.time_zone AS tz');
    assert.equal(rows[0]?.tz, '+00:00');
  });

  it('fails the start-up check with one line naming MYSQL_URL when MySQL is unreachable', async () => {
    const config = testConfig({ MYSQL_URL: 'mysql://shop:secret@127.0.0.1:1/shop', STARTUP_CHECK_TIMEOUT_MS: '1000' });
    const database = createDatabase(config, { logger: testLogger() });
    try {
      await assert.rejects(checkDatabase(database, config), (err: Error) => {
        assert.ok(err instanceof StartupError);
        assert.match(err.message, /^startup: MySQL not reachable at MYSQL_URL=mysql:\/\/shop:\*\*\*@127\.0\.0\.1:1\/shop: .*ECONNREFUSED/);
        assert.ok(!err.message.includes('secret') && !err.message.includes('\n'));
        return true;
      });
    } finally {
      await database.close();
    }
  });
});
