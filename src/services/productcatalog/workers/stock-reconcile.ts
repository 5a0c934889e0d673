// Operator reconcile of one item (scripts/stock-reconcile.ts, `make stock-reconcile SKU=…`).
// Dead-lettered stock-change entries are never counted as synced, so their items stay "unsynced" and
// WarmUp refuses them for good. This looks at one item from both sides:
//   Redis stock vs MySQL stock + the deltas of its entries MySQL lacks (live stream and dead stream),
// lists its dead entries, and with apply():
//   1. refuses while any live entry naming the item is still in flight (not yet delivered to the
//      write-behind group, or pending there): the worker must drain first, or counters would move under us;
//   2. per dead entry: re-drives it into MySQL through the worker's own transaction (stock_applied keeps
//      it once), or with mode 'resolve' accepts it as lost; then deletes its dead copy and counts it
//      on its items (stock.repair.resolveDead: once, even with two operators racing);
//   3. if a gap is left (entries lost without a dead copy, counters broken by older bugs) and nothing
//      is in flight and Redis and MySQL agree, sets synced := seq (compare-and-set on what was read).
// A dead entry names every line of its order on this shard: re-driving it changes those other items too
// (listed in the report as `others`).
import { and, eq, inArray } from 'drizzle-orm';
import { products, stockApplied } from '../../../db/schema';
import type { Db } from '../../../platform/db';
import { classifyDbError, dbErrorReason } from '../../../platform/db-errors';
import { FailedPreconditionError } from '../../../platform/errors';
import type { RedisClient } from '../../../platform/redis';
import { parseStockChange, type RealignReply, type StockChangeRecord, type StockService } from '../stock';
import { applyStockBatch } from './stock-applier';
import { groupInfos, toEntries, type StreamEntry } from './stream-entries';
import { compareStreamIds } from './stream-ids';

export interface ReconcileDeps {
  readonly redis: RedisClient;
  readonly db: Db;
  readonly stock: Pick<StockService, 'keys' | 'readItem' | 'repair'>;
  /** The write-behind consumer group (STOCK_WRITER_GROUP). */
  readonly group: string;
}

export interface LiveEntry {
  readonly id: string;
  readonly orderId: string;
  readonly reason: string;
  /** This item's delta in the entry. */
  readonly delta: number;
  readonly applied: boolean;
  readonly pending: boolean;
  readonly delivered: boolean;
}

export interface DeadItemEntry {
  /** Id of the copy in the dead stream. */
  readonly deadId: string;
  /** Id of the original entry in the live stream. */
  readonly sourceId: string;
  readonly source: string;
  readonly record: StockChangeRecord;
  readonly delta: number;
  readonly deadReason: string;
  readonly attempts: number;
  readonly applied: boolean;
  /** Other items the entry changes (re-driving it changes them too). */
  readonly others: readonly string[];
}

export interface ReconcileReport {
  readonly sku: string;
  readonly shard: number;
  readonly stream: string;
  readonly redis: { readonly stock: number | null; readonly seq: number; readonly synced: number };
  readonly mysqlStock: number | null;
  /** Live entries naming the item not yet delivered to the write-behind group, or pending there. */
  readonly inFlight: readonly LiveEntry[];
  /** Live entries acked without being applied and without a dead copy: MySQL lacks them for good. */
  readonly lost: readonly LiveEntry[];
  readonly dead: readonly DeadItemEntry[];
  /** Dead entries of this shard that cannot be read (no item can be attributed; left alone). */
  readonly unreadableDead: number;
  /** MySQL stock + deltas MySQL lacks (entries, live or dead, not applied); null if either side is missing. */
  readonly expectedRedisStock: number | null;
}

export type DeadAction =
  | { readonly deadId: string; readonly sourceId: string; readonly result: 'REDRIVEN' | 'ALREADY_APPLIED' | 'RESOLVED'; readonly counted: boolean }
  | { readonly deadId: string; readonly sourceId: string; readonly result: 'REFUSED'; readonly reason: string };

export interface ReconcileOutcome {
  readonly actions: readonly DeadAction[];
  readonly realign: RealignReply | { readonly code: 'NOT_NEEDED' } | { readonly code: 'SKIPPED'; readonly why: string };
  readonly after: ReconcileReport;
}

export type ReconcileMode = 'redrive' | 'resolve';

const PAGE = 1000;
const DEAD_FIELDS = 7; // dead_source, dead_id, dead_group, dead_reason, dead_attempts, dead_at, dead_by

export const unsyncedOf = (r: ReconcileReport): number => r.redis.seq - r.redis.synced;

async function allEntries(redis: RedisClient, stream: string): Promise<StreamEntry[]> {
  const out: StreamEntry[] = [];
  let start = '-';
  for (;;) {
    const page = toEntries(await redis.xrange(stream, start, '+', 'COUNT', PAGE));
    out.push(...page);
    if (page.length < PAGE) return out;
    start = `(${page[page.length - 1]!.id}`;
  }
}

async function pendingIds(redis: RedisClient, stream: string, group: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let start = '-';
  for (;;) {
    const page = (await redis.xpending(stream, group, start, '+', PAGE)) as Array<[string, ...unknown[]]>;
    for (const [id] of page) ids.add(String(id));
    if (page.length < PAGE) return ids;
    start = `(${String(page[page.length - 1]![0])}`;
  }
}

async function appliedIds(db: Db, stream: string, ids: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .select({ id: stockApplied.streamId })
      .from(stockApplied)
      .where(and(eq(stockApplied.stream, stream), inArray(stockApplied.streamId, ids.slice(i, i + 500))));
    for (const r of rows) out.add(r.id);
  }
  return out;
}

function deltaFor(record: StockChangeRecord, sku: string): number | undefined {
  const lines = record.lines.filter(l => l.sku === sku);
  return lines.length === 0 ? undefined : lines.reduce((n, l) => n + l.delta, 0);
}

function parseDead(entry: StreamEntry): { source: string; sourceId: string; reason: string; attempts: number; original: string[] } | undefined {
  const f = entry.fields;
  const meta = new Map<string, string>();
  for (let i = 0; i < DEAD_FIELDS * 2 && i + 1 < f.length; i += 2) meta.set(f[i]!, f[i + 1]!);
  const source = meta.get('dead_source');
  const sourceId = meta.get('dead_id');
  if (!source || !sourceId) return undefined;
  return { source, sourceId, reason: meta.get('dead_reason') ?? '', attempts: Number(meta.get('dead_attempts') ?? 0), original: f.slice(DEAD_FIELDS * 2) };
}

export async function inspectItem(deps: ReconcileDeps, sku: string): Promise<ReconcileReport> {
  const { redis, db, stock, group } = deps;
  // The item first: everything read after it is at least as new, so a realign CAS on these figures
  // fails if a record was written or counted meanwhile.
  const item = await stock.readItem(sku);
  const { shard } = item;
  const stream = stock.keys.stockStream(shard);

  const groups = groupInfos(await redis.xinfo('GROUPS', stream).catch(() => []));
  const info = groups.find(g => g.name === group);
  const pending = info && info.pending > 0 ? await pendingIds(redis, stream, group) : new Set<string>();
  const live: { record: StockChangeRecord; delta: number }[] = [];
  for (const e of await allEntries(redis, stream)) {
    let record: StockChangeRecord;
    try {
      record = parseStockChange(e.id, e.fields);
    } catch {
      continue; // unreadable: the worker dead-letters it; it names no item we can tell
    }
    const delta = deltaFor(record, sku);
    if (delta !== undefined) live.push({ record, delta });
  }
  const liveApplied = await appliedIds(db, stream, live.map(l => l.record.id));
  const liveEntries: LiveEntry[] = live.map(({ record, delta }) => ({
    id: record.id,
    orderId: record.orderId,
    reason: record.reason,
    delta,
    applied: liveApplied.has(record.id),
    pending: pending.has(record.id),
    delivered: !!info && compareStreamIds(record.id, info.lastDeliveredId) <= 0,
  }));
  const inFlight = liveEntries.filter(e => e.pending || !e.delivered);

  const dead: Omit<DeadItemEntry, 'applied'>[] = [];
  let unreadableDead = 0;
  for (const e of await allEntries(redis, stock.keys.stockDeadStream(shard))) {
    const d = parseDead(e);
    let record: StockChangeRecord | undefined;
    try {
      if (d) record = parseStockChange(d.sourceId, d.original);
    } catch {
      record = undefined;
    }
    if (!d || !record) {
      unreadableDead += 1;
      continue;
    }
    const delta = deltaFor(record, sku);
    if (delta === undefined) continue;
    const others = [...new Set(record.lines.map(l => l.sku).filter(s => s !== sku))];
    dead.push({ deadId: e.id, sourceId: d.sourceId, source: d.source, record, delta, deadReason: d.reason, attempts: d.attempts, others });
  }
  const deadApplied = new Map<string, Set<string>>();
  for (const source of new Set(dead.map(d => d.source))) {
    deadApplied.set(source, await appliedIds(db, source, dead.filter(d => d.source === source).map(d => d.sourceId)));
  }
  const deadEntries = dead.map(d => ({ ...d, applied: deadApplied.get(d.source)!.has(d.sourceId) }));

  const [row] = await db.select({ stock: products.stock }).from(products).where(eq(products.id, sku));
  const mysqlStock = row ? row.stock : null;
  // An entry dead-lettered but not trimmed yet is in both streams: count each source entry once.
  const lackingById = new Map<string, number>();
  for (const e of liveEntries) if (!e.applied) lackingById.set(`${stream}|${e.id}`, e.delta);
  for (const d of deadEntries) if (!d.applied) lackingById.set(`${d.source}|${d.sourceId}`, d.delta);
  const lacking = [...lackingById.values()].reduce((n, v) => n + v, 0);
  const deadIds = new Set(deadEntries.filter(d => d.source === stream).map(d => d.sourceId));
  const lost = liveEntries.filter(e => e.delivered && !e.pending && !e.applied && !deadIds.has(e.id));
  return {
    sku,
    shard,
    stream,
    redis: { stock: item.stock, seq: item.seq, synced: item.synced },
    mysqlStock,
    inFlight,
    lost,
    dead: deadEntries,
    unreadableDead,
    expectedRedisStock: mysqlStock === null || item.stock === null ? null : mysqlStock + lacking,
  };
}

async function redrive(db: Db, d: DeadItemEntry): Promise<'REDRIVEN' | 'ALREADY_APPLIED' | { refused: string }> {
  try {
    const plan = await applyStockBatch(db, d.source, [d.record]);
    if (plan.rejected.length > 0) return { refused: plan.rejected[0]!.reason };
    return plan.apply.length > 0 ? 'REDRIVEN' : 'ALREADY_APPLIED';
  } catch (err) {
    if (classifyDbError(err) === 'data') return { refused: dbErrorReason(err) };
    throw err;
  }
}

/** Deals with the item's dead entries and re-aligns its synced counter; refuses while entries are in flight. */
export async function reconcileItem(deps: ReconcileDeps, sku: string, mode: ReconcileMode): Promise<ReconcileOutcome> {
  const before = await inspectItem(deps, sku);
  if (before.inFlight.length > 0) {
    throw new FailedPreconditionError(
      `${before.inFlight.length} stock-change entr${before.inFlight.length === 1 ? 'y' : 'ies'} of ${sku} still in flight in ${before.stream} ` +
        '(undelivered, pending or not applied): let the write-behind worker drain them, then retry',
    );
  }
  const actions: DeadAction[] = [];
  for (const d of before.dead) {
    if (d.source !== before.stream) {
      actions.push({ deadId: d.deadId, sourceId: d.sourceId, result: 'REFUSED', reason: `copied from ${d.source}, not from ${before.stream}` });
      continue;
    }
    let result: 'REDRIVEN' | 'ALREADY_APPLIED' | 'RESOLVED' = 'RESOLVED';
    if (mode === 'redrive') {
      const r = await redrive(deps.db, d);
      if (typeof r === 'object') {
        actions.push({ deadId: d.deadId, sourceId: d.sourceId, result: 'REFUSED', reason: r.refused });
        continue;
      }
      result = r;
    }
    const skus = [...new Set(d.record.lines.map(l => l.sku))];
    const counted = await deps.stock.repair.resolveDead(before.shard, d.deadId, skus);
    actions.push({ deadId: d.deadId, sourceId: d.sourceId, result, counted });
  }

  const after = await inspectItem(deps, sku);
  let realign: ReconcileOutcome['realign'];
  if (unsyncedOf(after) === 0) realign = { code: 'NOT_NEEDED' };
  else if (after.inFlight.length > 0) realign = { code: 'SKIPPED', why: 'entries became in flight meanwhile' };
  else if (after.dead.length > 0) realign = { code: 'SKIPPED', why: `${after.dead.length} dead entries left (refused)` };
  else if (after.redis.stock === null) realign = { code: 'SKIPPED', why: 'the item is not warmed in Redis' };
  else if (after.redis.stock !== after.mysqlStock) {
    realign = { code: 'SKIPPED', why: `Redis stock ${after.redis.stock} differs from MySQL stock ${String(after.mysqlStock)}: fix MySQL first` };
  } else {
    realign = await deps.stock.repair.realignSynced(after.shard, sku, after.redis);
  }
  const final = realign.code === 'REALIGNED' ? await inspectItem(deps, sku) : after;
  return { actions, realign, after: final };
}
