// Read-only MySQL side of the ledger. Item figures are read in ONE transaction (InnoDB REPEATABLE READ:
// one consistent snapshot), so products.stock, stock_log and the orders agree with each other.
// Cost: the per-item sums scan the item's stock_log rows and order lines (indexed by product); the
// order checks read the window's rows (orders.created_at — see DESIGN.md for the index this wants)
// and their lines, history and stock_log rows by primary key / order index, in chunks.
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../platform/db';
import type { OrderEventView } from './types';

const CHUNK = 500;

type Exec = Pick<Db, 'execute'>;

async function rows<T>(db: Exec, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  return (Array.isArray(result) ? result[0] : result) as T[];
}

const chunks = <T>(list: readonly T[]): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
};

const inList = (ids: readonly string[]): SQL => sql.join(ids.map(id => sql`${id}`), sql`, `);
const ms = (d: Date | string | null): number | null => (d === null ? null : new Date(d).getTime());

export interface ProductFigures {
  readonly sku: string;
  readonly stock: number;
  readonly perUserLimit: number;
}

export interface ItemAggregates {
  readonly products: ReadonlyMap<string, ProductFigures>;
  readonly loggedNet: ReadonlyMap<string, number>;
  readonly heldQty: ReadonlyMap<string, number>;
  readonly overLimit: ReadonlyMap<string, { userId: string; qty: number }[]>;
}

/** Products to check: the given SKUs, or every product. */
export async function listSkus(db: Db, skus?: readonly string[]): Promise<string[]> {
  if (skus && skus.length > 0) return [...new Set(skus)];
  return (await rows<{ id: string }>(db, sql`SELECT id FROM products ORDER BY id`)).map(r => r.id);
}

/** Stock, limit, Σ applied deltas, held units and users over the limit, for `skus`, in one snapshot. */
export async function readItemAggregates(db: Db, skus: readonly string[]): Promise<ItemAggregates> {
  const products = new Map<string, ProductFigures>();
  const loggedNet = new Map<string, number>();
  const heldQty = new Map<string, number>();
  const overLimit = new Map<string, { userId: string; qty: number }[]>();
  if (skus.length === 0) return { products, loggedNet, heldQty, overLimit };
  await db.transaction(async tx => {
    for (const part of chunks(skus)) {
      const list = inList(part);
      for (const r of await rows<{ id: string; stock: number; limit: number }>(
        tx, sql`SELECT id, stock, per_user_limit AS \`limit\` FROM products WHERE id IN (${list})`,
      )) products.set(r.id, { sku: r.id, stock: Number(r.stock), perUserLimit: Number(r.limit) });
      for (const r of await rows<{ sku: string; net: string | number }>(
        tx, sql`SELECT product_id AS sku, SUM(delta) AS net FROM stock_log WHERE product_id IN (${list}) GROUP BY product_id`,
      )) loggedNet.set(r.sku, Number(r.net));
      // Held: every order line except those of cancelled orders whose stock is confirmed back.
      for (const r of await rows<{ sku: string; qty: string | number }>(
        tx,
        sql`SELECT i.product_id AS sku, SUM(i.quantity) AS qty FROM order_items i JOIN orders o ON o.order_id = i.order_id
             WHERE i.product_id IN (${list}) AND NOT (o.status = 'CANCELLED' AND o.stock_released_at IS NOT NULL)
             GROUP BY i.product_id`,
      )) heldQty.set(r.sku, Number(r.qty));
      for (const r of await rows<{ sku: string; userId: string; qty: string | number }>(
        tx,
        sql`SELECT i.product_id AS sku, o.user_id AS userId, SUM(i.quantity) AS qty
              FROM order_items i JOIN orders o ON o.order_id = i.order_id JOIN products p ON p.id = i.product_id
             WHERE i.product_id IN (${list}) AND p.per_user_limit > 0 AND o.status <> 'CANCELLED'
             GROUP BY i.product_id, o.user_id, p.per_user_limit HAVING SUM(i.quantity) > p.per_user_limit`,
      )) {
        const list2 = overLimit.get(r.sku) ?? [];
        list2.push({ userId: r.userId, qty: Number(r.qty) });
        overLimit.set(r.sku, list2);
      }
    }
  });
  return { products, loggedNet, heldQty, overLimit };
}

export interface OrderRow {
  readonly orderId: string;
  readonly userId: string;
  readonly status: string;
  readonly version: number;
  readonly stockReleased: boolean;
  readonly atMs: number;
}

interface RawOrder {
  orderId: string;
  userId: string;
  status: string;
  version: number;
  stockReleasedAt: Date | null;
  reservedAt: Date | null;
  createdAt: Date;
}

const toOrderRow = (r: RawOrder): OrderRow => ({
  orderId: r.orderId,
  userId: r.userId,
  status: r.status,
  version: Number(r.version),
  stockReleased: r.stockReleasedAt !== null,
  atMs: ms(r.reservedAt) ?? ms(r.createdAt)!,
});

const ORDER_COLUMNS = sql`order_id AS orderId, user_id AS userId, status, version, stock_released_at AS stockReleasedAt, reserved_at AS reservedAt, created_at AS createdAt`;

/** Rows accepted in [fromMs, toMs) (reserved_at, else created_at). */
export async function readWindowOrders(db: Db, fromMs: number, toMs: number): Promise<OrderRow[]> {
  const from = new Date(fromMs);
  const to = new Date(toMs);
  const list = await rows<RawOrder>(
    db,
    sql`SELECT ${ORDER_COLUMNS} FROM orders WHERE COALESCE(reserved_at, created_at) >= ${from} AND COALESCE(reserved_at, created_at) < ${to}`,
  );
  return list.map(toOrderRow);
}

/** Rows of these ids (those that exist). */
export async function readOrdersById(db: Db, ids: readonly string[]): Promise<OrderRow[]> {
  const out: OrderRow[] = [];
  for (const part of chunks(ids)) out.push(...(await rows<RawOrder>(db, sql`SELECT ${ORDER_COLUMNS} FROM orders WHERE order_id IN (${inList(part)})`)).map(toOrderRow));
  return out;
}

export interface OrderDetails {
  readonly lines: ReadonlyMap<string, { sku: string; qty: number }[]>;
  readonly history: ReadonlyMap<string, OrderEventView[]>;
  readonly stockLog: ReadonlyMap<string, { sku: string; delta: number; reason: string }[]>;
}

function push<T>(m: Map<string, T[]>, key: string, v: T): void {
  const list = m.get(key);
  if (list) list.push(v);
  else m.set(key, [v]);
}

export async function readOrderDetails(db: Db, ids: readonly string[]): Promise<OrderDetails> {
  const lines = new Map<string, { sku: string; qty: number }[]>();
  const history = new Map<string, OrderEventView[]>();
  const stockLog = new Map<string, { sku: string; delta: number; reason: string }[]>();
  for (const part of chunks(ids)) {
    const list = inList(part);
    for (const r of await rows<{ id: string; sku: string; qty: number }>(
      db, sql`SELECT order_id AS id, product_id AS sku, quantity AS qty FROM order_items WHERE order_id IN (${list}) ORDER BY order_id, line`,
    )) push(lines, r.id, { sku: r.sku, qty: Number(r.qty) });
    for (const r of await rows<{ id: string; seq: number; fromStatus: string | null; toStatus: string }>(
      db, sql`SELECT order_id AS id, seq, from_status AS fromStatus, to_status AS toStatus FROM order_events WHERE order_id IN (${list}) ORDER BY order_id, seq`,
    )) push(history, r.id, { seq: Number(r.seq), from: r.fromStatus, to: r.toStatus });
    for (const r of await rows<{ id: string; sku: string; delta: number; reason: string }>(
      db, sql`SELECT order_id AS id, product_id AS sku, delta, reason FROM stock_log WHERE order_id IN (${list})`,
    )) push(stockLog, r.id, { sku: r.sku, delta: Number(r.delta), reason: r.reason });
  }
  return { lines, history, stockLog };
}

/** Which of these order ids had their creation message dead-lettered (dead_letters.msg_key = order id). */
export async function readDeadLetteredOrders(db: Db, topic: string, ids: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const part of chunks(ids)) {
    for (const r of await rows<{ id: string }>(db, sql`SELECT DISTINCT msg_key AS id FROM dead_letters WHERE topic = ${topic} AND msg_key IN (${inList(part)})`)) out.add(r.id);
  }
  return out;
}

export async function countOpenDeadLetters(db: Db): Promise<number> {
  const [r] = await rows<{ n: number }>(db, sql`SELECT COUNT(*) AS n FROM dead_letters WHERE replayed_at IS NULL`);
  return Number(r?.n ?? 0);
}
