// The write-behind seen from MySQL: how long until every accepted order has its row, how late each row
// landed after its reservation (orders.persisted_at − reserved_at, both written on this machine), and
// the final status of each order the simulator knows.
import { inArray, sql } from 'drizzle-orm';
import type { Db } from '../../src/platform/db';
import { orders } from '../../src/services/order/schema';

const CHUNK = 500;
const POLL_MS = 100;

/** order id → status, for the ids that have a row. */
export async function orderStatuses(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db
      .select({ id: orders.orderId, status: orders.status })
      .from(orders)
      .where(inArray(orders.orderId, ids.slice(i, i + CHUNK)));
    for (const r of rows) out.set(r.id, r.status);
  }
  return out;
}

export interface DrainResult {
  /** ms from `fromMs` until the last missing row appeared; NaN when some never did. */
  readonly drainMs: number;
  /** Ids still without a row at the timeout. */
  readonly missing: readonly string[];
}

/** Polls until every id has a row (only the still-missing ids are asked again) or the timeout passes. */
export async function waitForRows(db: Db, ids: readonly string[], fromMs: number, timeoutMs: number): Promise<DrainResult> {
  let missing = [...ids];
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = await orderStatuses(db, missing);
    missing = missing.filter(id => !found.has(id));
    if (missing.length === 0) return { drainMs: Math.max(0, Date.now() - fromMs), missing };
    if (Date.now() > until) return { drainMs: NaN, missing };
    await new Promise(r => setTimeout(r, POLL_MS));
  }
}

export interface WriteBehindLag {
  /** Rows measured (those with a reservation time). */
  readonly rows: number;
  /** Reservation → row, ms: median, 99th percentile, worst. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** The last row landed this long after the last reservation of these orders (the pipeline's drain). */
  readonly drainAfterLastReservationMs: number;
}

/** Nearest-rank percentile of sorted values (NaN when empty). */
export function percentileOf(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** How late each order's row reached MySQL after Reserve accepted it (write-behind lag). */
export async function writeBehindLag(db: Db, ids: readonly string[]): Promise<WriteBehindLag> {
  const lags: number[] = [];
  let lastReserved = -Infinity;
  let lastPersisted = -Infinity;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db
      .select({
        lagUs: sql<string>`TIMESTAMPDIFF(MICROSECOND, ${orders.reservedAt}, ${orders.persistedAt})`,
        reserved: orders.reservedAt,
        persisted: orders.persistedAt,
      })
      .from(orders)
      .where(inArray(orders.orderId, ids.slice(i, i + CHUNK)));
    for (const r of rows) {
      if (r.reserved === null) continue;
      lags.push(Math.max(0, Number(r.lagUs) / 1000));
      lastReserved = Math.max(lastReserved, r.reserved.getTime());
      lastPersisted = Math.max(lastPersisted, r.persisted.getTime());
    }
  }
  lags.sort((a, b) => a - b);
  return {
    rows: lags.length,
    p50Ms: percentileOf(lags, 50),
    p99Ms: percentileOf(lags, 99),
    maxMs: lags.length ? lags[lags.length - 1]! : NaN,
    drainAfterLastReservationMs: lags.length ? Math.max(0, lastPersisted - lastReserved) : NaN,
  };
}
