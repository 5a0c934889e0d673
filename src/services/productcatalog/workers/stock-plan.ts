// What one write-behind batch does to MySQL, decided from the locked current figures: pure, so the
// rules are unit-tested without a database.
//  - entries already in stock_applied are skipped (a redelivery, a replay, another replica's work);
//  - an entry is applied whole or not at all (it is one atomic change in Redis);
//  - an entry naming an unknown product, or one that would drive a stock below zero or past the
//    column's range, is rejected with the reason: never clamped, never half-applied;
//  - deltas are summed per SKU (one UPDATE ... CASE for the batch) and every line gets a stock_log row
//    with the MySQL figure before and after it, in stream order.
import type { StockChangeRecord } from '../stock';

/** products.stock is INT UNSIGNED. */
export const MAX_STOCK = 4_294_967_295;

export interface StockLogRow {
  readonly productId: string;
  readonly orderId: string;
  readonly delta: number;
  readonly before: number;
  readonly after: number;
  readonly reason: string;
  readonly streamId: string;
}

export interface Rejection {
  readonly record: StockChangeRecord;
  readonly reason: string;
}

/** A line whose MySQL result differs from what Redis recorded: the two have drifted apart. */
export interface Drift {
  readonly streamId: string;
  readonly sku: string;
  readonly mysqlAfter: number;
  readonly redisAfter: number;
}

export interface StockPlan {
  readonly apply: readonly StockChangeRecord[];
  readonly already: readonly StockChangeRecord[];
  readonly rejected: readonly Rejection[];
  /** Net change per SKU over `apply`, zero sums left out. */
  readonly deltas: ReadonlyMap<string, number>;
  readonly log: readonly StockLogRow[];
  readonly drift: readonly Drift[];
}

/**
 * @param records  parsed entries of one stream, in stream order
 * @param applied  ids of those already recorded in stock_applied
 * @param stocks   current products.stock of every SKU that exists (rows locked by the caller)
 */
export function planStockBatch(
  records: readonly StockChangeRecord[],
  applied: ReadonlySet<string>,
  stocks: ReadonlyMap<string, number>,
): StockPlan {
  const running = new Map(stocks);
  const apply: StockChangeRecord[] = [];
  const already: StockChangeRecord[] = [];
  const rejected: Rejection[] = [];
  const log: StockLogRow[] = [];
  const drift: Drift[] = [];
  const seen = new Set<string>();

  for (const record of records) {
    if (applied.has(record.id) || seen.has(record.id)) {
      already.push(record);
      continue;
    }
    seen.add(record.id);
    const trial = new Map<string, number>();
    const rows: StockLogRow[] = [];
    let reason: string | undefined;
    for (const line of record.lines) {
      const before = trial.get(line.sku) ?? running.get(line.sku);
      if (before === undefined) {
        reason = `unknown product ${line.sku}`;
        break;
      }
      const after = before + line.delta;
      if (after < 0 || after > MAX_STOCK) {
        reason = `stock of ${line.sku} would become ${after} (MySQL has ${before}, delta ${line.delta})`;
        break;
      }
      trial.set(line.sku, after);
      rows.push({ productId: line.sku, orderId: record.orderId, delta: line.delta, before, after, reason: record.reason, streamId: record.id });
      if (after !== line.after) drift.push({ streamId: record.id, sku: line.sku, mysqlAfter: after, redisAfter: line.after });
    }
    if (reason !== undefined) {
      rejected.push({ record, reason });
      continue;
    }
    for (const [sku, value] of trial) running.set(sku, value);
    apply.push(record);
    log.push(...rows);
  }

  const deltas = new Map<string, number>();
  for (const [sku, value] of running) {
    const net = value - (stocks.get(sku) ?? value);
    if (net !== 0) deltas.set(sku, net);
  }
  return { apply, already, rejected, deltas, log, drift };
}
