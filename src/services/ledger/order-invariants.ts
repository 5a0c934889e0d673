// Per-order invariants of ARCHITECTURE.md §5, pure over an OrderSnapshot (rows of the window):
//   order-state          one valid status, reached from PENDING_PAYMENT through allowed transitions only:
//                        history seq 0..n-1, each row starts where the previous ended, the last one is the
//                        row's status and its seq the row's version;
//   paid-and-cancelled   never both in one history;
//   order-has-reservation  every row has its Redis reservation record (RESERVED, or RELEASED once given
//                        back) on every shard of its lines — not REFUSED/ABORTED, not missing while the
//                        record cannot have expired yet;
//   release-once         a cancelled order's stock goes back exactly once (record RELEASED, one release
//                        row per item in stock_log); a paid/paying/shipped order never lost its stock.
// What the pipeline has not finished yet (cancel not released, decline waiting for its CANCELLED event,
// stock changes MySQL lacks) is returned as in-flight counts, not breaches.
import { canTransition, isOrderStatusName } from '../order/state-machine';
import type { Breach, OrderSnapshot } from './types';

export interface OrderContext {
  readonly nowMs: number;
  /** Lifetime of reservation records (RESERVATION_RECORD_TTL_MS; 0 = forever). */
  readonly recordTtlMs: number;
  /** True when MySQL has every stock change of the item (seq = synced at read time). */
  readonly itemSynced: (sku: string) => boolean;
}

export interface OrderJudgement {
  readonly breaches: Breach[];
  readonly cancelledUnreleased: boolean;
  readonly releasedAwaitingCancel: boolean;
}

const NON_STOCK_REASONS = new Set(['RESERVE', 'ABORT']);
const HOLDING_STATES = new Set(['PAYING', 'PAID', 'SHIPPED', 'SHIP_FAILED']);

export function checkHistory(o: Pick<OrderSnapshot, 'orderId' | 'userId' | 'status' | 'version' | 'history'>): Breach[] {
  const out: Breach[] = [];
  const add = (invariant: Breach['invariant'], detail: string) => out.push({ invariant, orderId: o.orderId, userId: o.userId, detail });
  if (!isOrderStatusName(o.status)) add('order-state', `unknown status ${o.status}`);
  const h = [...o.history].sort((a, b) => a.seq - b.seq);
  if (h.length === 0) {
    add('order-state', 'no history');
  } else {
    h.forEach((e, i) => {
      if (e.seq !== i) add('order-state', `history seq ${e.seq} at position ${i} (gap or duplicate)`);
      if (i === 0) {
        if (e.from !== null || e.to !== 'PENDING_PAYMENT') add('order-state', `history starts ${e.from ?? 'null'} → ${e.to}, not null → PENDING_PAYMENT`);
        return;
      }
      const prev = h[i - 1]!;
      if (e.from !== prev.to) add('order-state', `history seq ${e.seq} starts from ${e.from ?? 'null'} but seq ${prev.seq} ended in ${prev.to}`);
      if (e.from !== null && isOrderStatusName(e.from) && isOrderStatusName(e.to) && !canTransition(e.from, e.to)) {
        add('order-state', `forbidden transition ${e.from} → ${e.to} (seq ${e.seq})`);
      }
    });
    const last = h[h.length - 1]!;
    if (last.to !== o.status) add('order-state', `status ${o.status} but history ends in ${last.to}`);
    if (last.seq !== o.version) add('order-state', `version ${o.version} but last history seq ${last.seq}`);
  }
  const reached = new Set(h.map(e => e.to));
  if ((reached.has('PAID') || o.status === 'PAID') && (reached.has('CANCELLED') || o.status === 'CANCELLED')) {
    add('paid-and-cancelled', 'history holds both PAID and CANCELLED');
  }
  return out;
}

function checkReservations(o: OrderSnapshot, ctx: OrderContext): Breach[] {
  const out: Breach[] = [];
  const mayHaveExpired = ctx.recordTtlMs > 0 && ctx.nowMs - o.atMs >= ctx.recordTtlMs;
  for (const r of o.reservations) {
    if (r.state === null) {
      if (!mayHaveExpired) out.push({ invariant: 'order-has-reservation', orderId: o.orderId, userId: o.userId, detail: `no reservation record on stock shard ${r.shard}` });
    } else if (r.state === 'REFUSED' || r.state === 'ABORTED') {
      out.push({ invariant: 'order-has-reservation', orderId: o.orderId, userId: o.userId, detail: `reservation on shard ${r.shard} is ${r.state}: the order holds no stock` });
    }
  }
  return out;
}

/** Per item: reserve rows, release rows, net delta of this order in stock_log. */
function logByItem(o: OrderSnapshot): Map<string, { reserves: number; releases: number; net: number }> {
  const m = new Map<string, { reserves: number; releases: number; net: number }>();
  for (const row of o.stockLog) {
    const e = m.get(row.sku) ?? { reserves: 0, releases: 0, net: 0 };
    if (row.reason === 'RESERVE') e.reserves += 1;
    else if (!NON_STOCK_REASONS.has(row.reason)) e.releases += 1;
    e.net += row.delta;
    m.set(row.sku, e);
  }
  return m;
}

export function checkOrder(o: OrderSnapshot, ctx: OrderContext): OrderJudgement {
  const breaches = [...checkHistory(o), ...checkReservations(o, ctx)];
  const add = (detail: string, sku?: string) => breaches.push({ invariant: 'release-once', orderId: o.orderId, userId: o.userId, sku, detail });
  const released = o.reservations.some(r => r.state === 'RELEASED');
  const reserved = o.reservations.some(r => r.state === 'RESERVED');
  const log = logByItem(o);
  const qtyBySku = new Map<string, number>();
  for (const l of o.lines) qtyBySku.set(l.sku, (qtyBySku.get(l.sku) ?? 0) + l.qty);

  for (const [sku, e] of log) if (e.releases > 1) add(`stock released ${e.releases} times in stock_log`, sku);

  let cancelledUnreleased = false;
  let releasedAwaitingCancel = false;
  if (o.status === 'CANCELLED') {
    if (!o.stockReleased) cancelledUnreleased = true;
    else if (reserved) add('marked released but Redis still holds the reservation');
    if (o.stockReleased) {
      for (const [sku, qty] of qtyBySku) {
        if (!ctx.itemSynced(sku)) continue;
        const e = log.get(sku);
        if (!e || e.releases === 0) add(`cancelled and marked released, but stock_log has no release of ${qty} units`, sku);
        else if (e.net !== 0) add(`cancelled, stock_log nets ${e.net} (expected 0)`, sku);
      }
    }
  } else if (released) {
    if (o.status === 'PENDING_PAYMENT') releasedAwaitingCancel = true;
    else if (HOLDING_STATES.has(o.status)) add(`order is ${o.status} but its stock was released`);
  } else {
    for (const [sku, qty] of qtyBySku) {
      if (!ctx.itemSynced(sku)) continue;
      const e = log.get(sku);
      if (!e) add(`live order, but stock_log has no change of this order (expected ${-qty})`, sku);
      else if (e.net !== -qty) add(`live order, stock_log nets ${e.net} (expected ${-qty})`, sku);
    }
  }
  return { breaches, cancelledUnreleased, releasedAwaitingCancel };
}
