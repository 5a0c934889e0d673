// MySQL/MariaDB schema (drizzle). Migrations in drizzle/ are generated from this file:
//   npx drizzle-kit generate --name <what-changed>
// Money is exact: units (bigint) + nanos (int) + currency code, as in google.type.Money.
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  char,
  datetime,
  index,
  int,
  mysqlTable,
  primaryKey,
  text,
  varchar,
} from 'drizzle-orm/mysql-core';
import { jsonColumn } from './columns';

const now3 = sql`CURRENT_TIMESTAMP(3)`;

export const products = mysqlTable('products', {
  id: varchar('id', { length: 64 }).primaryKey(),
  name: varchar('name', { length: 255 }).notNull(),
  description: text('description').notNull(),
  picture: varchar('picture', { length: 512 }).notNull().default(''),
  priceUnits: bigint('price_units', { mode: 'bigint' }).notNull(),
  priceNanos: int('price_nanos').notNull().default(0),
  priceCurrency: char('price_currency', { length: 3 }).notNull(),
  categories: jsonColumn<string[]>('categories').notNull(),
  stock: int('stock', { unsigned: true }).notNull().default(0),
  /** Bumped on every stock/catalog change; optimistic locking and cache invalidation. */
  version: int('version', { unsigned: true }).notNull().default(0),
  /** Max units one user may buy; 0 = no limit. */
  perUserLimit: int('per_user_limit', { unsigned: true }).notNull().default(0),
  flashSale: boolean('flash_sale').notNull().default(false),
  saleStartsAt: datetime('sale_starts_at', { fsp: 3 }),
  // DB clock, also on drizzle updates; raw SQL updates must set it themselves.
  updatedAt: datetime('updated_at', { fsp: 3 })
    .notNull()
    .default(now3)
    .$onUpdate(() => now3),
});

/** One row per applied stock change (per order and product): the audit trail of write-behind. */
export const stockLog = mysqlTable(
  'stock_log',
  {
    id: bigint('id', { mode: 'bigint', unsigned: true }).autoincrement().primaryKey(),
    productId: varchar('product_id', { length: 64 }).notNull(),
    orderId: varchar('order_id', { length: 128 }),
    delta: int('delta').notNull(),
    stockBefore: int('stock_before', { unsigned: true }).notNull(),
    stockAfter: int('stock_after', { unsigned: true }).notNull(),
    /** RESERVE | ABORT | a release reason (up to 64 chars, like the order id's 128: the stock records' own bounds) */
    reason: varchar('reason', { length: 64 }).notNull(),
    /** Redis stream key and entry id the change came from (null for manual adjustments). */
    stream: varchar('stream', { length: 128 }),
    streamId: varchar('stream_id', { length: 32 }),
    createdAt: datetime('created_at', { fsp: 3 }).notNull().default(now3),
  },
  t => [
    index('stock_log_product_idx').on(t.productId, t.createdAt),
    index('stock_log_order_idx').on(t.orderId),
    index('stock_log_stream_idx').on(t.stream, t.streamId),
  ],
);

/**
 * Stream entries whose stock deltas are already in products.stock, written in the same transaction
 * so a redelivered entry is applied once. Keyed by stream too: with Redis Cluster there is one stock
 * stream per hash tag, and entry ids are only unique within one stream.
 */
export const stockApplied = mysqlTable(
  'stock_applied',
  {
    stream: varchar('stream', { length: 128 }).notNull(),
    streamId: varchar('stream_id', { length: 32 }).notNull(),
    appliedAt: datetime('applied_at', { fsp: 3 }).notNull().default(now3),
  },
  t => [primaryKey({ columns: [t.stream, t.streamId] })],
);
