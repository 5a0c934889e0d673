// createLedgerChecker: reads Redis, MySQL and the pipeline backlogs, and judges the invariants of
// ARCHITECTURE.md §5 (pure functions in stock-invariants.ts, order-invariants.ts, reconciliation.ts).
// Read-only and safe during a sale: what the pipeline has not finished is reported as backlog ("in
// flight"), and only what backlog cannot explain is a breach. Cost per check: O(items) Redis/MySQL reads
// (+ each item's buyers), O(orders accepted in the window) row, line, history and record reads, O(stream
// backlog) XRANGE; the per-item MySQL sums scan each item's stock_log and order lines (see DESIGN.md).
import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db';
import type { Logger } from '../../platform/logger';
import type { RedisClient } from '../../platform/redis';
import type { StockKeys } from '../productcatalog/stock';
import {
  countOpenDeadLetters,
  listSkus,
  readDeadLetteredOrders,
  readItemAggregates,
  readOrderDetails,
  readOrdersById,
  readWindowOrders,
  type OrderRow,
} from './mysql-reader';
import { checkOrder } from './order-invariants';
import { readRecorded, recordedTimes } from './reconciliation-counters';
import { reconcile, type Reconciliation } from './reconciliation';
import { createRedisReader, type PipelineGroups } from './redis-reader';
import { checkItem } from './stock-invariants';
import type { Backlog, Breach, ItemLedger, LedgerReport, OrderSnapshot } from './types';

export interface LedgerSettings {
  /** Orders accepted this long ago or less are checked one by one (LEDGER_WINDOW_MS). */
  readonly windowMs: number;
  /** An accepted order without its row is in flight this long before it counts as missing (LEDGER_GRACE_MS). */
  readonly graceMs: number;
  /** RESERVATION_RECORD_TTL_MS: older rows may have lost their reservation record legitimately. */
  readonly recordTtlMs: number;
  /** Topic of order-created messages (dead_letters rows of it name accepted orders that failed for good). */
  readonly createdTopic: string;
  readonly groups: PipelineGroups;
  /** Test key namespace of the reconciliation sets ('' in production; the stock keys carry their own). */
  readonly reconNamespace: string;
  /** The binlog stage is recorded by a CDC worker in this deployment (RECONCILE_BINLOG_STAGE). */
  readonly binlogStage: boolean;
}

export interface LedgerCheckerDeps {
  readonly redis: RedisClient;
  readonly db: Db;
  readonly keys: StockKeys;
  readonly settings: LedgerSettings;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface CheckOptions {
  /** Only these items (and the orders touching them); default every product. */
  readonly skus?: readonly string[];
}

export interface FullCheck {
  readonly report: LedgerReport;
  readonly reconciliation: Reconciliation;
}

export interface LedgerChecker {
  check(opts?: CheckOptions): Promise<LedgerReport>;
  /** The report plus the per-minute reconciliation of the window (what the periodic job exports). */
  checkAll(opts?: CheckOptions): Promise<FullCheck>;
  /** The reconciliation alone (no item reads). */
  reconciliation(): Promise<Reconciliation>;
  /** Polls until the pipeline caught up (true) or `timeoutMs` passed (false). */
  waitForDrain(timeoutMs: number, opts?: CheckOptions & { readonly pollMs?: number }): Promise<boolean>;
}

export function createLedgerChecker(deps: LedgerCheckerDeps): LedgerChecker {
  const { redis, db, keys, settings, clock } = deps;
  const reader = createRedisReader(redis, keys, settings.groups);
  const recon = { namespace: settings.reconNamespace };

  /** The three stages of the window, plus the rows of every accepted id (some may sit outside the window). */
  async function stages(fromMs: number, toMs: number) {
    const accepted = await readRecorded(redis, 'accepted', fromMs, toMs, recon);
    for (const [id, at] of await reader.streamOrders()) if (!accepted.has(id) && at >= fromMs && at < toMs) accepted.set(id, at);
    const rows = new Map<string, OrderRow>();
    for (const r of await readWindowOrders(db, fromMs, toMs)) rows.set(r.orderId, r);
    const outside = [...accepted.keys()].filter(id => !rows.has(id));
    for (const r of await readOrdersById(db, outside)) rows.set(r.orderId, r);
    // Rows of the window accepted before it began keep their acceptance time.
    const unmatched = [...rows.keys()].filter(id => !accepted.has(id));
    (await recordedTimes(redis, 'accepted', unmatched, recon)).forEach((at, i) => {
      if (at !== null) accepted.set(unmatched[i]!, at);
    });
    let binlog: Map<string, number> | null = null;
    if (settings.binlogStage) {
      binlog = await readRecorded(redis, 'binlog', fromMs, toMs, recon);
      const ids = [...new Set([...accepted.keys(), ...rows.keys()])].filter(id => !binlog!.has(id));
      (await recordedTimes(redis, 'binlog', ids, recon)).forEach((at, i) => {
        if (at !== null) binlog!.set(ids[i]!, at);
      });
    }
    const noRow = [...accepted.keys()].filter(id => !rows.has(id));
    const deadLettered = await readDeadLetteredOrders(db, settings.createdTopic, noRow);
    for (const id of await reader.deadOrderIds()) if (accepted.has(id)) deadLettered.add(id);
    const persisted = new Map([...rows].map(([id, r]) => [id, r.atMs]));
    const reconciliation = reconcile({ accepted, persisted, binlog, deadLettered }, { fromMs, toMs, graceMs: settings.graceMs });
    return { accepted, rows, reconciliation, deadLettered };
  }

  async function checkAll(opts: CheckOptions = {}): Promise<FullCheck> {
    const now = clock.now();
    const fromMs = now - settings.windowMs;
    const toMs = now + 1;
    const skus = await listSkus(db, opts.skus);
    const skuFilter = opts.skus && opts.skus.length > 0 ? new Set(skus) : null;

    const streams = await reader.streamBacklog();
    const ordersBacklog = streams
      .filter(s => s.group === settings.groups.forwarder)
      .reduce((n, s) => n + (s.lag ?? 1) + s.pending, 0);
    const streamEntries = streams.reduce((n, s) => n + (s.lag ?? 1) + s.pending, 0);
    const { rows, reconciliation, deadLettered } = await stages(fromMs, toMs);

    // Items: Redis, then MySQL (one snapshot), then Redis counters again — unchanged counters mean
    // the MySQL figures and the Redis figures describe the same moment.
    const heads = await reader.itemHeads(skus);
    const buyers = await reader.buyers(skus);
    const agg = await readItemAggregates(db, skus);
    const after = await reader.counters(skus);
    const synced = new Map<string, boolean>();
    const consistent = skus.map((sku, i) => {
      const h = heads[i];
      const same = !h || `${h.seq}:${h.synced}` === after[i];
      synced.set(sku, !!h && same && h.seq === h.synced);
      return same;
    });

    // Orders of the window (and rows of accepted ids), one by one.
    let orderRows = [...rows.values()];
    const details = await readOrderDetails(db, orderRows.map(r => r.orderId));
    if (skuFilter) orderRows = orderRows.filter(r => (details.lines.get(r.orderId) ?? []).some(l => skuFilter.has(l.sku)));
    const records = await reader.reservations(orderRows.map(r => ({ orderId: r.orderId, skus: (details.lines.get(r.orderId) ?? []).map(l => l.sku) })));
    const breaches: Breach[] = [];
    let cancelledUnreleased = 0;
    let releasedAwaitingCancel = 0;
    orderRows.forEach((r, i) => {
      const snapshot: OrderSnapshot = {
        ...r,
        lines: details.lines.get(r.orderId) ?? [],
        history: details.history.get(r.orderId) ?? [],
        stockLog: details.stockLog.get(r.orderId) ?? [],
        reservations: records[i]!,
      };
      const j = checkOrder(snapshot, { nowMs: now, recordTtlMs: settings.recordTtlMs, itemSynced: sku => synced.get(sku) === true });
      breaches.push(...j.breaches);
      if (j.cancelledUnreleased) cancelledUnreleased += 1;
      if (j.releasedAwaitingCancel) releasedAwaitingCancel += 1;
    });

    // Accepted without a row: deleted (the binlog saw it) is a breach at once; missing past the grace
    // period with the orders streams empty is a breach; anything else is in flight.
    const acceptedNotPersisted: string[] = [];
    const deleted = new Set(reconciliation.deletedRows);
    for (const id of reconciliation.deletedRows) {
      breaches.push({ invariant: 'order-persisted', orderId: id, detail: 'the binlog saw its row inserted, but the row is gone (deleted behind the system\'s back?)' });
    }
    for (const id of reconciliation.notPersisted) {
      if (deleted.has(id)) continue;
      if (ordersBacklog === 0) breaches.push({ invariant: 'order-persisted', orderId: id, detail: `accepted, no orders row after ${settings.graceMs} ms with the orders streams drained` });
      else acceptedNotPersisted.push(id);
    }
    acceptedNotPersisted.push(...reconciliation.inFlight); // inside the grace period

    const pipelineSettled = acceptedNotPersisted.length === 0 && cancelledUnreleased === 0 && releasedAwaitingCancel === 0 && ordersBacklog === 0;
    const items: ItemLedger[] = [];
    skus.forEach((sku, i) => {
      const h = heads[i];
      const p = agg.products.get(sku);
      const j = checkItem(
        {
          sku,
          shard: keys.shardOf(sku),
          redis: h,
          buyers: buyers[i]!,
          mysql: p ? { stock: p.stock, perUserLimit: p.perUserLimit } : null,
          loggedNet: agg.loggedNet.get(sku) ?? 0,
          heldQty: agg.heldQty.get(sku) ?? 0,
          mysqlOverLimit: agg.overLimit.get(sku) ?? [],
        },
        { consistent: consistent[i]!, pipelineSettled },
      );
      items.push(j.ledger);
      breaches.push(...j.breaches);
    });

    const unsyncedChanges = items.reduce((n, it) => n + Math.max(0, it.unsynced), 0);
    const backlog: Backlog = {
      streams,
      streamEntries,
      deadStreamEntries: await reader.deadStreamEntries(),
      unsyncedChanges,
      acceptedNotPersisted: acceptedNotPersisted.sort(),
      deadLetteredOrders: [...deadLettered].sort(),
      openDeadLetters: await countOpenDeadLetters(db),
      cancelledUnreleased,
      releasedAwaitingCancel,
    };
    const mismatch = items.some(it => it.redisStock !== null && it.mysqlStock !== null && it.redisStock !== it.mysqlStock);
    const drained = pipelineSettled && streamEntries === 0 && unsyncedChanges === 0 && !mismatch && consistent.every(Boolean);
    const report: LedgerReport = {
      clean: breaches.length === 0,
      drained,
      checkedAt: new Date(now).toISOString(),
      window: { fromMs, toMs },
      items,
      breaches,
      backlog,
      ordersChecked: orderRows.length,
    };
    return { report, reconciliation };
  }

  return {
    checkAll,
    async check(opts) {
      return (await checkAll(opts)).report;
    },
    async reconciliation() {
      const now = clock.now();
      return (await stages(now - settings.windowMs, now + 1)).reconciliation;
    },
    async waitForDrain(timeoutMs, opts = {}) {
      const deadline = clock.now() + timeoutMs;
      for (;;) {
        const { report } = await checkAll(opts);
        if (report.drained) return true;
        if (clock.now() >= deadline) return false;
        await clock.sleep(Math.min(opts.pollMs ?? 500, Math.max(1, deadline - clock.now())));
      }
    },
  };
}
