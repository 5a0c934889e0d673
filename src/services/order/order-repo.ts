// Orders in MySQL. Every status change goes through `transition`: ONE guarded UPDATE
// (`WHERE order_id = ? AND status IN (allowedFrom(to))`) plus its order_events row in the same
// transaction, so the state machine holds under any interleaving of replicas and redeliveries.
// Listeners (the Redis result writer) hear about each change only after its commit.
import { and, asc, desc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db';
import { pendingTransitionOptions } from './status-event';
import { allowedFrom, INITIAL_STATUS, type OrderStatusName } from './state-machine';
import { orderEvents, orderItems, orders, orderStatusPending } from './schema';
import type {
  InsertBatchResult,
  ListCursor,
  NewOrder,
  OrderChange,
  OrderEventRecord,
  OrderHeader,
  OrderPage,
  OrderRecord,
  PendingStatusEvent,
  TransitionOptions,
  TransitionResult,
} from './types';

/** Statements run either on the pool or inside one transaction. */
type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
type Executor = Db | Tx;

export interface OrderRepoOptions {
  /** Called after each commit with the changes it made (creation and transitions), in order. Must not throw. */
  onCommitted?: (changes: readonly OrderChange[]) => Promise<void>;
  /** How long a PayOrder call may hold the PAYING lock (paying_until = now + this). Default 60 s. */
  payingLeaseMs?: number;
  /** Decodes a pending status event's payload into transition options (the order-status body). */
  decodePending?: (event: PendingStatusEvent) => TransitionOptions;
}

/** Reads and writes usable inside `repo.transaction` (locks held until it commits). */
export interface OrderTxRepo {
  transition(orderId: string, to: OrderStatusName, opts?: TransitionOptions): Promise<TransitionResult>;
  /** `lock: 'update'` waits for (and then blocks) any transaction changing the row: the committed answer. */
  getHeader(orderId: string, lock?: 'update'): Promise<OrderHeader | undefined>;
  /** PENDING_PAYMENT rows past their deadline, oldest first, locked FOR UPDATE SKIP LOCKED (replica-safe scan). */
  findExpiredUnpaid(now: Date, limit: number): Promise<OrderHeader[]>;
  /** PAID rows without a tracking id, last changed at or before `changedBefore`, locked FOR UPDATE SKIP LOCKED. */
  findPaidWithoutShipment(changedBefore: Date, limit: number): Promise<OrderHeader[]>;
  /** PAYING rows whose lock expired (paying_until <= now), locked FOR UPDATE SKIP LOCKED. */
  findStalePaying(now: Date, limit: number): Promise<OrderHeader[]>;
  /** CANCELLED rows whose stock release has not been confirmed (changed at or before `changedBefore` when given), locked FOR UPDATE SKIP LOCKED. */
  findCancelledUnreleased(limit: number, changedBefore?: Date): Promise<OrderHeader[]>;
}

export interface OrderRepo extends Omit<OrderTxRepo, 'findExpiredUnpaid' | 'findPaidWithoutShipment' | 'findStalePaying' | 'findCancelledUnreleased'> {
  /** The same scans without locks (read-only views, tests, dashboards). */
  findExpiredUnpaid(now: Date, limit: number): Promise<OrderHeader[]>;
  findPaidWithoutShipment(changedBefore: Date, limit: number): Promise<OrderHeader[]>;
  findStalePaying(now: Date, limit: number): Promise<OrderHeader[]>;
  findCancelledUnreleased(limit: number, changedBefore?: Date): Promise<OrderHeader[]>;
  /** Runs `fn` in one transaction; listeners hear its transitions after the commit. */
  transaction<T>(fn: (tx: OrderTxRepo) => Promise<T>): Promise<T>;
  get(orderId: string): Promise<OrderRecord | undefined>;
  /** A user's orders, newest first (created_at DESC, order_id DESC), keyset-paged. */
  listByUser(userId: string, limit: number, after?: ListCursor): Promise<OrderPage>;
  history(orderId: string): Promise<OrderEventRecord[]>;
  /**
   * Inserts new orders with their lines in ONE transaction (one multi-row insert, duplicate = no-op): ids that already
   * have a row are duplicates and get nothing written. Pending status events of the inserted ids are
   * applied in the same transaction (through `transition`) and deleted.
   */
  insertBatch(batch: readonly NewOrder[]): Promise<InsertBatchResult>;
  /**
   * Keeps a status event whose order row does not exist yet; applied at insert. If the row appeared
   * meanwhile (the creation committed first) it is applied right away instead.
   * A redelivered event (same order and target) is a no-op.
   */
  transitionOrKeep(event: PendingStatusEvent, opts: TransitionOptions): Promise<TransitionResult | { kind: 'kept' }>;
  /** Extends a stale PAYING lock to now + lease for a re-driven PayOrder; false when not PAYING or still held. */
  takeOverStalePaying(orderId: string, now: Date): Promise<boolean>;
  /** Records that the stock of a CANCELLED order is back on sale (idempotent); true when this call recorded it. */
  markStockReleased(orderId: string, at: Date): Promise<boolean>;
  countPending(): Promise<number>;
}

const DEFAULT_PAYING_LEASE_MS = 60_000;

/** Statuses that keep reason text on the row (buyers see it). */
const FAILURE_STATUSES: readonly OrderStatusName[] = ['CANCELLED', 'SHIP_FAILED'];

/** A concurrent writer inserted some of our ids between our read and our insert; retry the batch. */
export class InsertRaceError extends Error {
  override readonly name = 'InsertRaceError';
}

type OrderRow = typeof orders.$inferSelect;
type ItemRow = typeof orderItems.$inferSelect;

function toHeader(r: OrderRow): OrderHeader {
  return {
    orderId: r.orderId,
    userId: r.userId,
    status: r.status,
    previousStatus: r.previousStatus,
    source: r.source,
    userCurrency: r.userCurrency,
    email: r.email,
    address: { streetAddress: r.streetAddress, city: r.city, state: r.state, country: r.country, zipCode: r.zipCode },
    shippingCost: { currencyCode: r.shippingCostCurrency, units: r.shippingCostUnits, nanos: r.shippingCostNanos },
    itemsTotal: { currencyCode: r.itemsTotalCurrency, units: r.itemsTotalUnits, nanos: r.itemsTotalNanos },
    total: { currencyCode: r.totalCurrency, units: r.totalUnits, nanos: r.totalNanos },
    idempotencyKey: r.idempotencyKey,
    trackingId: r.trackingId,
    transactionId: r.transactionId,
    failureReason: r.failureReason,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    reservedAt: r.reservedAt,
    payingUntil: r.payingUntil,
    paidAt: r.paidAt,
    stockReleasedAt: r.stockReleasedAt,
    persistedAt: r.persistedAt,
    updatedAt: r.updatedAt,
    version: r.version,
  };
}

function toLine(r: ItemRow) {
  return {
    productId: r.productId,
    quantity: r.quantity,
    unitCost: { currencyCode: r.unitCostCurrency, units: r.unitCostUnits, nanos: r.unitCostNanos },
  };
}

function orderValues(o: NewOrder, at: Date): typeof orders.$inferInsert {
  return {
    orderId: o.orderId,
    userId: o.userId,
    status: INITIAL_STATUS,
    previousStatus: null,
    source: o.source,
    userCurrency: o.userCurrency,
    shippingCostUnits: o.shippingCost.units,
    shippingCostNanos: o.shippingCost.nanos,
    shippingCostCurrency: o.shippingCost.currencyCode,
    itemsTotalUnits: o.itemsTotal.units,
    itemsTotalNanos: o.itemsTotal.nanos,
    itemsTotalCurrency: o.itemsTotal.currencyCode,
    totalUnits: o.total.units,
    totalNanos: o.total.nanos,
    totalCurrency: o.total.currencyCode,
    streetAddress: o.address.streetAddress,
    city: o.address.city,
    state: o.address.state,
    country: o.address.country,
    zipCode: o.address.zipCode,
    email: o.email,
    idempotencyKey: o.idempotencyKey,
    expiresAt: o.expiresAt,
    createdAt: o.createdAt,
    reservedAt: o.reservedAt,
    updatedAt: at,
    version: 0,
  };
}

const truncate = (s: string, max: number): string => (s.length <= max ? s : s.slice(0, max));

function affectedRows(result: unknown): number {
  const header = (Array.isArray(result) ? result[0] : result) as { affectedRows?: number };
  return header.affectedRows ?? 0;
}

export function createOrderRepo(db: Db, clock: Clock, options: OrderRepoOptions = {}): OrderRepo {
  const leaseMs = options.payingLeaseMs ?? DEFAULT_PAYING_LEASE_MS;
  const notify = async (changes: readonly OrderChange[]): Promise<void> => {
    if (changes.length > 0 && options.onCommitted) await options.onCommitted(changes);
  };
  const now = () => new Date(clock.now());

  async function getHeader(ex: Executor, orderId: string, lock?: 'update'): Promise<OrderHeader | undefined> {
    const q = ex.select().from(orders).where(eq(orders.orderId, orderId)).limit(1);
    const rows = lock ? await q.for(lock) : await q;
    return rows[0] === undefined ? undefined : toHeader(rows[0]);
  }

  /** The guarded UPDATE + history row. Must run inside a transaction (`ex` is one). */
  async function transitionIn(ex: Tx, orderId: string, to: OrderStatusName, opts: TransitionOptions, changes: OrderChange[]): Promise<TransitionResult> {
    const at = now();
    const from = allowedFrom(to);
    const reason = truncate(opts.reason ?? '', 512);
    // MySQL/MariaDB evaluate single-table SET assignments left to right: previous_status reads the old status.
    const result = await ex.execute(sql`
      UPDATE ${orders}
         SET previous_status = status,
             status = ${to},
             version = version + 1,
             updated_at = ${at},
             failure_reason = ${FAILURE_STATUSES.includes(to) ? reason : null},
             tracking_id = COALESCE(${opts.trackingId ?? null}, tracking_id),
             transaction_id = COALESCE(${opts.transactionId ?? null}, transaction_id),
             paid_at = ${to === 'PAID' ? sql`${at}` : sql`paid_at`},
             paying_until = ${to === 'PAYING' ? new Date(at.getTime() + leaseMs) : null}
       WHERE order_id = ${orderId}
         AND status IN (${sql.join(from.map(s => sql`${s}`), sql`, `)})
         ${opts.onlyBeforeDeadline ? sql`AND expires_at > ${at}` : sql``}`);
    if (affectedRows(result) === 1) {
      const order = (await getHeader(ex, orderId)) as OrderHeader;
      const previous = order.previousStatus as OrderStatusName;
      await ex.insert(orderEvents).values({ orderId, seq: order.version, fromStatus: previous, toStatus: to, reason, at });
      changes.push({
        orderId,
        userId: order.userId,
        from: previous,
        to,
        version: order.version,
        reason,
        trackingId: order.trackingId,
        transactionId: order.transactionId,
        expiresAt: order.expiresAt,
        at,
      });
      return { kind: 'applied', from: previous, to, order };
    }
    // Current read (locking) so the answer reflects the newest committed status.
    const current = await getHeader(ex, orderId, 'update');
    if (current === undefined) return { kind: 'not-found' };
    return { kind: 'refused', current: current.status, order: current };
  }

  async function inTx<T>(fn: (tx: Tx, changes: OrderChange[]) => Promise<T>): Promise<T> {
    const changes: OrderChange[] = [];
    const out = await db.transaction(tx => fn(tx, changes));
    await notify(changes);
    return out;
  }

  const scans = (ex: Executor, lock: boolean) => {
    const locked = <Q extends { for: (s: 'update', c: { skipLocked: true }) => unknown }>(q: Q) =>
      (lock ? q.for('update', { skipLocked: true }) : q) as unknown as Promise<OrderRow[]>;
    return {
      async findExpiredUnpaid(at: Date, limit: number) {
        const q = ex.select().from(orders)
          .where(and(eq(orders.status, 'PENDING_PAYMENT'), lte(orders.expiresAt, at)))
          .orderBy(asc(orders.expiresAt)).limit(limit);
        return (await locked(q)).map(toHeader);
      },
      async findPaidWithoutShipment(changedBefore: Date, limit: number) {
        const q = ex.select().from(orders)
          .where(and(eq(orders.status, 'PAID'), isNull(orders.trackingId), lte(orders.updatedAt, changedBefore)))
          .orderBy(asc(orders.updatedAt)).limit(limit);
        return (await locked(q)).map(toHeader);
      },
      async findStalePaying(at: Date, limit: number) {
        const q = ex.select().from(orders)
          .where(and(eq(orders.status, 'PAYING'), lte(orders.payingUntil, at)))
          .orderBy(asc(orders.updatedAt)).limit(limit);
        return (await locked(q)).map(toHeader);
      },
      async findCancelledUnreleased(limit: number, changedBefore?: Date) {
        const q = ex.select().from(orders)
          .where(and(eq(orders.status, 'CANCELLED'), isNull(orders.stockReleasedAt), changedBefore ? lte(orders.updatedAt, changedBefore) : undefined))
          .orderBy(asc(orders.updatedAt)).limit(limit);
        return (await locked(q)).map(toHeader);
      },
    };
  };

  async function applyPending(tx: Tx, ids: readonly string[], changes: OrderChange[], result: InsertBatchResult): Promise<void> {
    if (ids.length === 0) return;
    const pending = await tx.select().from(orderStatusPending).where(inArray(orderStatusPending.orderId, [...ids])).for('update');
    if (pending.length === 0) return;
    const decode = options.decodePending ?? pendingTransitionOptions;
    const byOrder = new Map<string, PendingStatusEvent[]>();
    for (const p of pending) {
      const list = byOrder.get(p.orderId) ?? [];
      list.push({ orderId: p.orderId, to: p.toStatus, payload: p.payload, receivedAt: p.receivedAt });
      byOrder.set(p.orderId, list);
    }
    for (const [orderId, events] of byOrder) {
      // Events may have arrived in any order (SHIPPED before PAID): apply whatever the table allows
      // until a pass makes no progress; what is left is refused for good.
      let left = [...events].sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
      for (let progress = true; progress && left.length > 0; ) {
        progress = false;
        const next: PendingStatusEvent[] = [];
        for (const e of left) {
          const r = await transitionIn(tx, orderId, e.to, decode(e), changes);
          if (r.kind === 'applied') {
            progress = true;
            result.pendingApplied.push({ orderId, to: e.to });
          } else next.push(e);
        }
        left = next;
      }
      const current = (await getHeader(tx, orderId))?.status ?? INITIAL_STATUS;
      for (const e of left) result.pendingRefused.push({ orderId, to: e.to, current });
    }
    await tx.delete(orderStatusPending).where(inArray(orderStatusPending.orderId, [...byOrder.keys()]));
  }

  const repo: OrderRepo = {
    transition: (orderId, to, opts = {}) => inTx((tx, changes) => transitionIn(tx, orderId, to, opts, changes)),
    getHeader: (orderId, lock) => getHeader(db, orderId, lock),
    ...scans(db, false),

    transaction: fn =>
      inTx((tx, changes) =>
        fn({
          transition: (orderId, to, opts = {}) => transitionIn(tx, orderId, to, opts, changes),
          getHeader: (orderId, lock) => getHeader(tx, orderId, lock),
          ...scans(tx, true),
        }),
      ),

    async get(orderId) {
      const header = await getHeader(db, orderId);
      if (header === undefined) return undefined;
      const lines = await db.select().from(orderItems).where(eq(orderItems.orderId, orderId)).orderBy(asc(orderItems.line));
      return { ...header, items: lines.map(toLine) };
    },

    async listByUser(userId, limit, after) {
      const keyset = after
        ? or(lt(orders.createdAt, after.createdAt), and(eq(orders.createdAt, after.createdAt), lt(orders.orderId, after.orderId)))
        : undefined;
      const rows = await db.select().from(orders)
        .where(and(eq(orders.userId, userId), keyset))
        .orderBy(desc(orders.createdAt), desc(orders.orderId))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      const ids = page.map(r => r.orderId);
      const lines = ids.length === 0 ? [] : await db.select().from(orderItems).where(inArray(orderItems.orderId, ids)).orderBy(asc(orderItems.orderId), asc(orderItems.line));
      const byOrder = new Map<string, ItemRow[]>();
      for (const l of lines) byOrder.set(l.orderId, [...(byOrder.get(l.orderId) ?? []), l]);
      const out = page.map(r => ({ ...toHeader(r), items: (byOrder.get(r.orderId) ?? []).map(toLine) }));
      const last = page[page.length - 1];
      return rows.length > limit && last ? { orders: out, next: { createdAt: last.createdAt, orderId: last.orderId } } : { orders: out };
    },

    async history(orderId) {
      const rows = await db.select().from(orderEvents).where(eq(orderEvents.orderId, orderId)).orderBy(asc(orderEvents.seq));
      return rows.map(r => ({ orderId: r.orderId, seq: r.seq, from: r.fromStatus, to: r.toStatus, reason: r.reason, at: r.at }));
    },

    async insertBatch(batch) {
      const result: InsertBatchResult = { inserted: [], duplicates: [], pendingApplied: [], pendingRefused: [] };
      if (batch.length === 0) return result;
      // One row per id even if the batch itself repeats one (a message redelivered into the same batch).
      const unique = [...new Map(batch.map(o => [o.orderId, o])).values()];
      return inTx(async (tx, changes) => {
        const ids = unique.map(o => o.orderId);
        const existing = new Set(
          (await tx.select({ id: orders.orderId }).from(orders).where(inArray(orders.orderId, ids))).map(r => r.id),
        );
        const fresh = unique.filter(o => !existing.has(o.orderId));
        result.duplicates = [...existing];
        if (batch.length > unique.length) result.duplicates.push(...batch.slice(unique.length).map(o => o.orderId));
        if (fresh.length > 0) {
          const at = now();
          // A no-op ODKU, not INSERT IGNORE: IGNORE would also turn data errors into silent truncation.
          const inserted = await tx.insert(orders).values(fresh.map(o => orderValues(o, at)))
            .onDuplicateKeyUpdate({ set: { orderId: sql`order_id` } });
          // Rows only ever appear: if fewer than `fresh` went in, another writer raced us on some id.
          if (affectedRows(inserted) !== fresh.length) throw new InsertRaceError(`${fresh.length - affectedRows(inserted)} order(s) inserted concurrently`);
          const lines = fresh.flatMap(o =>
            o.items.map((item, line) => ({
              orderId: o.orderId,
              line,
              productId: item.productId,
              quantity: item.quantity,
              unitCostUnits: item.unitCost.units,
              unitCostNanos: item.unitCost.nanos,
              unitCostCurrency: item.unitCost.currencyCode,
            })),
          );
          if (lines.length > 0) await tx.insert(orderItems).values(lines);
          await tx.insert(orderEvents).values(
            fresh.map(o => ({ orderId: o.orderId, seq: 0, fromStatus: null, toStatus: INITIAL_STATUS, reason: 'created', at })),
          );
          for (const o of fresh) {
            changes.push({
              orderId: o.orderId,
              userId: o.userId,
              from: null,
              to: INITIAL_STATUS,
              version: 0,
              reason: 'created',
              trackingId: null,
              transactionId: null,
              expiresAt: o.expiresAt,
              at,
            });
          }
          result.inserted = fresh.map(o => o.orderId);
          await applyPending(tx, result.inserted, changes, result);
        }
        return result;
      });
    },

    transitionOrKeep(event, opts) {
      return inTx(async (tx, changes) => {
        const r = await transitionIn(tx, event.orderId, event.to, opts, changes);
        if (r.kind !== 'not-found') return r;
        // The UPDATE above found no row and (REPEATABLE READ) holds the gap lock on its key until we
        // commit, so a concurrent creation inserting this id waits and then sees the pending row.
        await tx.insert(orderStatusPending).values({
          orderId: event.orderId,
          toStatus: event.to,
          payload: event.payload,
          receivedAt: event.receivedAt,
        }).onDuplicateKeyUpdate({ set: { orderId: sql`order_id` } });
        return { kind: 'kept' as const };
      });
    },

    async takeOverStalePaying(orderId, at) {
      const result = await db.execute(sql`
        UPDATE ${orders} SET paying_until = ${new Date(at.getTime() + leaseMs)}, updated_at = ${at}
         WHERE order_id = ${orderId} AND status = 'PAYING' AND paying_until <= ${at}`);
      return affectedRows(result) === 1;
    },

    async markStockReleased(orderId, at) {
      const result = await db.update(orders).set({ stockReleasedAt: at })
        .where(and(eq(orders.orderId, orderId), eq(orders.status, 'CANCELLED'), isNull(orders.stockReleasedAt)));
      return affectedRows(result) === 1;
    },

    async countPending() {
      const [row] = await db.select({ n: sql<number>`COUNT(*)` }).from(orderStatusPending);
      return Number(row?.n ?? 0);
    },
  };
  return repo;
}
