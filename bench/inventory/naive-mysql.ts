// The naive baseline most shops start with: per request one MySQL transaction that decrements the
// row under its lock (`UPDATE … WHERE stock >= qty`) and inserts the order, through a mysql2 pool with
// one connection per in-flight request. Every request on the hot item queues on that one row lock
// until the previous transaction commits. Runs in its own database.
import { createPool, type Pool, type ResultSetHeader } from 'mysql2/promise';
import type { Config } from '../../src/platform/config';
import { poolOptions } from '../../src/platform/db';
import { encodeOrderPayload } from '../../src/services/productcatalog/inventory/order-payload';
import { runLoad, type LoadResult } from '../lib/load-loop';
import { benchDraft } from './order-draft';

const SCHEMA = [
  `CREATE TABLE products (
     id VARCHAR(64) NOT NULL PRIMARY KEY,
     stock BIGINT NOT NULL
   ) ENGINE=InnoDB`,
  // The order row keeps the same payload the Lua path writes to its stream.
  `CREATE TABLE orders (
     order_id VARCHAR(64) NOT NULL PRIMARY KEY,
     user_id VARCHAR(64) NOT NULL,
     product_id VARCHAR(64) NOT NULL,
     qty INT NOT NULL,
     payload TEXT NOT NULL,
     created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
   ) ENGINE=InnoDB`,
];

export interface NaiveMysql {
  run(tag: string, opts: { concurrency: number; durationMs: number; signal?: AbortSignal }): Promise<LoadResult>;
  /** Current stock and order rows (to check the measured work really happened). */
  figures(): Promise<{ stock: number; orders: number }>;
  close(): Promise<void>;
}

export async function prepareNaiveMysql(deps: {
  config: Pick<Config, 'mysql' | 'lifecycle'>;
  url: string;
  sku: string;
  stock: number;
  poolSize: number;
}): Promise<NaiveMysql> {
  const { sku } = deps;
  const pool: Pool = createPool(poolOptions({ ...deps.config, mysql: { ...deps.config.mysql, url: deps.url, poolSize: deps.poolSize } }));
  for (const ddl of SCHEMA) await pool.query(ddl);
  await pool.execute('INSERT INTO products (id, stock) VALUES (?, ?)', [sku, deps.stock]);

  async function reserve(orderId: string): Promise<void> {
    const userId = `u-${orderId}`;
    const now = new Date();
    const payload = encodeOrderPayload(benchDraft(sku, orderId, userId, now), now, {});
    const conn = await pool.getConnection();
    try {
      await conn.beginTransaction();
      const [taken] = await conn.execute<ResultSetHeader>('UPDATE products SET stock = stock - ? WHERE id = ? AND stock >= ?', [1, sku, 1]);
      if (taken.affectedRows !== 1) throw new Error('sold out');
      await conn.execute('INSERT INTO orders (order_id, user_id, product_id, qty, payload) VALUES (?, ?, ?, ?, ?)', [orderId, userId, sku, 1, payload]);
      await conn.commit();
    } catch (err) {
      await conn.rollback().catch(() => undefined);
      throw err;
    } finally {
      conn.release();
    }
  }

  return {
    run: (tag, window) => runLoad(window, i => reserve(`${tag}-${i}`)),
    async figures() {
      const [[p], [o]] = await Promise.all([
        pool.query('SELECT stock FROM products WHERE id = ?', [sku]).then(([r]) => r as Array<{ stock: number | string }>),
        pool.query('SELECT COUNT(*) AS n FROM orders').then(([r]) => r as Array<{ n: number | string }>),
      ]);
      return { stock: Number(p?.stock), orders: Number(o?.n) };
    },
    close: () => pool.end(),
  };
}
