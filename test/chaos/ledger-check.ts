// Exact ledger of one phase, from the stores themselves (Redis item hashes and streams, MySQL rows) and the
// clients' record of what was accepted: no oversell, no lost or duplicate order, Redis = MySQL (ARCHITECTURE §5).
import type { Redis } from 'ioredis';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { createStockKeys } from '../../src/services/productcatalog/stock';
import type { SaleRecord } from './sale-driver';

const keys = createStockKeys({ shards: 16 });
const LIVE_UNSETTLED = new Set(['PENDING_PAYMENT', 'PAYING']);
const PAID_LIKE = new Set(['PAID', 'SHIPPED', 'SHIP_FAILED']);

export interface ItemSpec {
  readonly id: string;
  readonly stock: number;
  /** Per-user limit, 0 = none. */
  readonly limit: number;
}

interface OrderRow {
  readonly orderId: string;
  readonly userId: string;
  readonly status: string;
  readonly quantity: number;
  /** CANCELLED: its stock was given back in Redis (stock_released_at). */
  readonly released: boolean;
}

export interface ItemSnapshot {
  readonly item: ItemSpec;
  readonly redisStock: number | undefined;
  readonly seq: number;
  readonly synced: number;
  readonly mysqlStock: number | undefined;
  readonly rows: readonly OrderRow[];
}

export interface LedgerSnapshot {
  readonly items: readonly ItemSnapshot[];
  /** Stream entries not yet acked by every group, per stream. */
  readonly backlog: Readonly<Record<string, number>>;
  /** Dead-letter stream entries (stock or order records the workers gave up on). */
  readonly deadStreamEntries: number;
  readonly deadLetterRows: number;
  /** order ids with both a PAID and a CANCELLED history row. */
  readonly paidAndCancelled: readonly string[];
}

export async function redisStock(redis: Redis, sku: string): Promise<{ stock?: number; seq: number; synced: number }> {
  const h = await redis.hgetall(keys.item(keys.shardOf(sku), sku));
  return { ...(h.stock !== undefined ? { stock: Number(h.stock) } : {}), seq: Number(h.seq ?? 0), synced: Number(h.synced ?? 0) };
}

/** The reservation record of an order on the shard of `sku` (state RESERVED / RELEASED / …), if any. */
export async function reservationState(redis: Redis, sku: string, orderId: string): Promise<string | undefined> {
  return (await redis.hget(keys.resv(keys.shardOf(sku), orderId), 'state')) ?? undefined;
}

async function backlog(redis: Redis): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const shard of keys.allShards()) {
    for (const stream of [keys.ordersStream(shard), keys.stockStream(shard)]) {
      if ((await redis.exists(stream)) === 0) continue;
      const groups = (await redis.call('XINFO', 'GROUPS', stream)) as unknown[][];
      let behind = 0;
      for (const g of groups) {
        const f = new Map<string, unknown>();
        for (let i = 0; i + 1 < g.length; i += 2) f.set(String(g[i]), g[i + 1]);
        behind += Number(f.get('pending') ?? 0) + Number(f.get('lag') ?? 0);
      }
      if (groups.length === 0) behind += await redis.xlen(stream);
      if (behind > 0) out[stream] = behind;
    }
  }
  return out;
}

async function deadStreamEntries(redis: Redis): Promise<number> {
  let n = 0;
  for (const shard of keys.allShards()) {
    n += await redis.xlen(`${keys.ordersStream(shard)}:dead`);
    n += await redis.xlen(keys.stockDeadStream(shard));
  }
  return n;
}

export async function snapshot(redis: Redis, mysql: Pool, items: readonly ItemSpec[]): Promise<LedgerSnapshot> {
  const out: ItemSnapshot[] = [];
  for (const item of items) {
    const r = await redisStock(redis, item.id);
    const [p] = await mysql.query<RowDataPacket[]>('SELECT stock FROM products WHERE id = ?', [item.id]);
    const [rows] = await mysql.query<RowDataPacket[]>(
      `SELECT o.order_id AS orderId, o.user_id AS userId, o.status AS status, i.quantity AS quantity,
              o.stock_released_at IS NOT NULL AS released
         FROM order_items i JOIN orders o ON o.order_id = i.order_id WHERE i.product_id = ?`,
      [item.id],
    );
    out.push({
      item,
      redisStock: r.stock,
      seq: r.seq,
      synced: r.synced,
      mysqlStock: p[0] ? Number(p[0].stock) : undefined,
      rows: rows.map(x => ({ orderId: String(x.orderId), userId: String(x.userId), status: String(x.status), quantity: Number(x.quantity), released: Number(x.released) === 1 })),
    });
  }
  const [dl] = await mysql.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM dead_letters');
  const [both] = await mysql.query<RowDataPacket[]>(
    `SELECT order_id AS orderId FROM order_events GROUP BY order_id
      HAVING SUM(to_status = 'PAID') > 0 AND SUM(to_status = 'CANCELLED') > 0`,
  );
  return {
    items: out,
    backlog: await backlog(redis),
    deadStreamEntries: await deadStreamEntries(redis),
    deadLetterRows: Number(dl[0]?.n ?? 0),
    paidAndCancelled: both.map(b => String(b.orderId)),
  };
}

const unreleased = (r: OrderRow) => r.status === 'CANCELLED' && !r.released;

/** Drained: every accepted order has its row, none is left unsettled or unreleased, streams are acked, MySQL = Redis. */
export function isDrained(s: LedgerSnapshot, record: SaleRecord): boolean {
  const rowIds = new Set(s.items.flatMap(i => i.rows.map(r => r.orderId)));
  return (
    [...record.accepted.keys()].every(id => rowIds.has(id)) &&
    s.items.every(i => i.rows.every(r => !LIVE_UNSETTLED.has(r.status) && !unreleased(r)) && i.redisStock === i.mysqlStock && i.seq === i.synced) &&
    Object.keys(s.backlog).length === 0
  );
}

export async function waitDrained(redis: Redis, mysql: Pool, items: readonly ItemSpec[], record: SaleRecord, timeoutMs: number): Promise<LedgerSnapshot> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = await snapshot(redis, mysql, items).catch(() => undefined);
    if (s && (isDrained(s, record) || Date.now() > until)) return s;
    if (!s && Date.now() > until) return snapshot(redis, mysql, items);
    await new Promise(r => setTimeout(r, 1_000));
  }
}

/** Every breach of the ledger, as one line each (empty = clean). `baseline` = dead letters before the phase. */
export function breaches(s: LedgerSnapshot, record: SaleRecord, baseline: { deadLetterRows: number; deadStreamEntries: number }): string[] {
  const out: string[] = [];
  for (const i of s.items) {
    const sku = i.item.id;
    const live = i.rows.filter(r => r.status !== 'CANCELLED');
    const liveQty = live.reduce((n, r) => n + r.quantity, 0);
    if (i.redisStock === undefined || i.redisStock < 0) out.push(`${sku}: Redis stock ${i.redisStock}`);
    if (i.mysqlStock === undefined || i.mysqlStock < 0) out.push(`${sku}: MySQL stock ${i.mysqlStock}`);
    if (i.redisStock !== i.item.stock - liveQty) {
      out.push(`${sku}: initial ${i.item.stock} ≠ Redis ${i.redisStock} + live ordered ${liveQty} (oversold or stock resurrected)`);
    }
    if (i.mysqlStock !== i.redisStock) out.push(`${sku}: MySQL stock ${i.mysqlStock} ≠ Redis stock ${i.redisStock}`);
    if (i.seq !== i.synced) out.push(`${sku}: ${i.seq - i.synced} stock-change record(s) not applied to MySQL`);
    const accepted = [...record.accepted.values()].filter(a => a.productId === sku);
    const rowsById = new Map<string, OrderRow[]>();
    for (const r of i.rows) rowsById.set(r.orderId, [...(rowsById.get(r.orderId) ?? []), r]);
    for (const a of accepted) {
      const rows = rowsById.get(a.orderId) ?? [];
      if (rows.length === 0) out.push(`${sku}: accepted order ${a.orderId} (${a.userId}) has no MySQL row (lost)`);
      else if (rows.length > 1) out.push(`${sku}: order ${a.orderId} has ${rows.length} lines for one item (duplicate)`);
      else if (a.source === 'flash' && rows[0]!.quantity !== a.quantity) out.push(`${sku}: order ${a.orderId} quantity ${rows[0]!.quantity} ≠ accepted ${a.quantity}`);
    }
    // Units of cancelled orders go back on sale, so only orders still standing count against the stock.
    const heldQty = accepted.filter(a => rowsById.get(a.orderId)?.some(r => r.status !== 'CANCELLED')).reduce((n, a) => n + a.quantity, 0);
    if (heldQty > i.item.stock) out.push(`${sku}: ${heldQty} units held by accepted orders > stock ${i.item.stock} (oversell)`);
    const strangers = [...rowsById.keys()].filter(id => !record.accepted.has(id));
    const unknown = record.unknown.get(sku) ?? 0;
    if (strangers.length > unknown) {
      out.push(`${sku}: ${strangers.length} order row(s) without an accepted reservation (only ${unknown} attempt(s) ended unanswered): ${strangers.slice(0, 3).join(', ')}`);
    }
    for (const r of i.rows) {
      if (LIVE_UNSETTLED.has(r.status)) out.push(`${sku}: order ${r.orderId} still ${r.status} after its payment window`);
      if (unreleased(r)) out.push(`${sku}: order ${r.orderId} CANCELLED but its stock was never given back`);
      if (record.paid.has(r.orderId) && !PAID_LIKE.has(r.status)) out.push(`${sku}: order ${r.orderId} was paid but is ${r.status}`);
    }
    if (i.item.limit > 0) {
      const perUser = new Map<string, number>();
      for (const r of live) perUser.set(r.userId, (perUser.get(r.userId) ?? 0) + r.quantity);
      for (const [u, q] of perUser) if (q > i.item.limit) out.push(`${sku}: user ${u} holds ${q} > limit ${i.item.limit}`);
    }
  }
  for (const [stream, n] of Object.entries(s.backlog)) out.push(`${stream}: ${n} entr(ies) not acked by every group`);
  if (s.deadStreamEntries > baseline.deadStreamEntries) out.push(`${s.deadStreamEntries - baseline.deadStreamEntries} new dead-stream entr(ies)`);
  if (s.deadLetterRows > baseline.deadLetterRows) out.push(`${s.deadLetterRows - baseline.deadLetterRows} new dead_letters row(s)`);
  for (const id of s.paidAndCancelled) out.push(`order ${id} was both PAID and CANCELLED`);
  return out;
}

/** One line per item for the test log. */
export function summary(s: LedgerSnapshot): string {
  return s.items
    .map(i => {
      const by = new Map<string, number>();
      for (const r of i.rows) by.set(r.status, (by.get(r.status) ?? 0) + 1);
      const statuses = [...by].map(([k, v]) => `${k}=${v}`).join(' ');
      return `${i.item.id}: stock ${i.item.stock} → redis ${i.redisStock} mysql ${i.mysqlStock}; ${i.rows.length} orders (${statuses})`;
    })
    .join('\n');
}
