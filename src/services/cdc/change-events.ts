// One committed binlog transaction → the RowChanged events to publish (pure; unit-tested).
//  - only watched tables become events; stock_log rows are read for attribution only (below);
//  - the idempotency key names the transaction by where it ends in the binlog (file + commit position),
//    then the row's index within the transaction, table, primary key and op: a replay of the same binlog
//    (restart from an older checkpoint) yields the same keys, so consumers can drop what they applied;
//  - products updates carry recorded_stock_delta: the stock deltas the write-behind worker logged (stock_log
//    rows with a stream id) for that product in the SAME transaction. Those deltas came from Redis, so only
//    the rest of the change (an operator's edit) is news to Redis. See DESIGN.md "Stock edits".
import { RowChangeOp, type RowChanged } from '../../gen/shop/v1/events';
import type { CdcTable } from '../../platform/config-schema';
import { imageToText, integerColumn, type RowImage } from './row-values';

/** Tables read besides the watched ones: the write-behind worker's audit rows. */
export const STOCK_LOG_TABLE = 'stock_log';

export const PRIMARY_KEYS: Readonly<Record<CdcTable, readonly string[]>> = {
  products: ['id'],
  orders: ['order_id'],
};

export type RowOp = 'insert' | 'update' | 'delete';

export interface RawRowChange {
  readonly table: string;
  readonly op: RowOp;
  readonly before?: RowImage;
  readonly after?: RowImage;
}

export interface BinlogTransaction {
  readonly file: string;
  /** End of the commit event: where a reader resumes after this transaction. */
  readonly position: number;
  readonly gtid: string;
  readonly committedAtMs: number;
  /** Row changes of the transaction in binlog order (watched tables and stock_log). */
  readonly rows: readonly RawRowChange[];
}

export interface ChangeEvent {
  /** Idempotency key, also the RocketMQ message key. */
  readonly key: string;
  /** FIFO message group: changes of one row stay in order. */
  readonly group: string;
  readonly event: RowChanged;
}

const OPS: Record<RowOp, RowChangeOp> = {
  insert: RowChangeOp.ROW_CHANGE_OP_INSERT,
  update: RowChangeOp.ROW_CHANGE_OP_UPDATE,
  delete: RowChangeOp.ROW_CHANGE_OP_DELETE,
};

export function eventKey(e: Pick<RowChanged, 'binlogFile' | 'binlogPosition' | 'rowIndex' | 'table' | 'primaryKey' | 'op'>): string {
  return `${e.binlogFile}:${e.binlogPosition}:${e.rowIndex}:${e.table}:${e.primaryKey}:${OPS_NAME[e.op] ?? e.op}`;
}

const OPS_NAME: Partial<Record<RowChangeOp, RowOp>> = {
  [RowChangeOp.ROW_CHANGE_OP_INSERT]: 'insert',
  [RowChangeOp.ROW_CHANGE_OP_UPDATE]: 'update',
  [RowChangeOp.ROW_CHANGE_OP_DELETE]: 'delete',
};

export function messageGroup(table: string, primaryKey: string): string {
  return `${table}:${primaryKey}`;
}

/** Σ delta of stock_log rows written by the write-behind worker (stream set), per product, in one transaction. */
function recordedStockDeltas(rows: readonly RawRowChange[]): Map<string, bigint> {
  const sums = new Map<string, bigint>();
  for (const row of rows) {
    if (row.table !== STOCK_LOG_TABLE || row.op !== 'insert') continue;
    const after = imageToText(row.after);
    const product = after.product_id;
    const delta = integerColumn(after, 'delta');
    if (!product || delta === undefined || !after.stream) continue;
    sums.set(product, (sums.get(product) ?? 0n) + delta);
  }
  return sums;
}

export function changeEvents(tx: BinlogTransaction, watched: readonly CdcTable[], database = ''): ChangeEvent[] {
  const recorded = recordedStockDeltas(tx.rows);
  // The recorded sum goes on the product's LAST update in the transaction (the worker does one).
  const lastUpdate = new Map<string, number>();
  const out: ChangeEvent[] = [];
  tx.rows.forEach((row, rowIndex) => {
    const table = watched.find(t => t === row.table);
    if (!table) return;
    const before = imageToText(row.before);
    const after = imageToText(row.after);
    const image = row.op === 'delete' ? before : after;
    const pk = PRIMARY_KEYS[table].map(c => image[c]);
    if (pk.some(v => v === undefined)) return;
    const primaryKey = pk.join('/');
    const event: RowChanged = {
      table,
      primaryKey,
      op: OPS[row.op],
      before: row.op === 'insert' ? {} : before,
      after: row.op === 'delete' ? {} : after,
      binlogFile: tx.file,
      binlogPosition: BigInt(tx.position),
      rowIndex,
      gtid: tx.gtid,
      committedAt: new Date(tx.committedAtMs),
      recordedStockDelta: 0n,
      database,
    };
    if (table === 'products' && row.op === 'update') lastUpdate.set(primaryKey, out.length);
    out.push({ key: eventKey(event), group: messageGroup(table, primaryKey), event });
  });
  for (const [product, index] of lastUpdate) {
    const delta = recorded.get(product);
    if (delta !== undefined) out[index]!.event.recordedStockDelta = delta;
  }
  return out;
}

/** The part of a products change that did not come through the stock pipeline (0 when none or unknown). */
export function manualStockDelta(event: RowChanged): bigint {
  if (event.table !== 'products' || event.op !== RowChangeOp.ROW_CHANGE_OP_UPDATE) return 0n;
  const before = integerColumn(event.before, 'stock');
  const after = integerColumn(event.after, 'stock');
  if (before === undefined || after === undefined) return 0n;
  return after - before - event.recordedStockDelta;
}
