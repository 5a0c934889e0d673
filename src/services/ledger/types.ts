// The ledger's data: snapshots read from the stores (plain data, so the invariants are pure functions
// over them) and the report it hands to the CLI, the gRPC boundary and the metrics.
import type { OrderStatusName } from '../order/state-machine';

/** One breach of an invariant of ARCHITECTURE.md §5; names the item, order or user it is about. */
export interface Breach {
  readonly invariant: InvariantName;
  readonly sku?: string;
  readonly orderId?: string;
  readonly userId?: string;
  readonly detail: string;
}

export const INVARIANTS = [
  'stock-non-negative',
  'stock-conservation',
  'redis-equals-mysql',
  'per-user-limit',
  'order-persisted',
  'order-has-reservation',
  'order-state',
  'paid-and-cancelled',
  'release-once',
] as const;
export type InvariantName = (typeof INVARIANTS)[number];

/** What the stores say about one SKU. */
export interface ItemSnapshot {
  readonly sku: string;
  readonly shard: number;
  /** null when the item is not warmed in Redis. */
  readonly redis: { readonly stock: number; readonly limit: number; readonly seq: number; readonly synced: number } | null;
  /** user → units held ({inv:N}:buyers:<sku>). */
  readonly buyers: ReadonlyMap<string, number>;
  /** null when MySQL has no such product. */
  readonly mysql: { readonly stock: number; readonly perUserLimit: number } | null;
  /** Σ stock_log.delta of the item (every applied change). */
  readonly loggedNet: number;
  /** Σ qty of the item's order lines whose stock is still held: not CANCELLED, or CANCELLED and not yet released. */
  readonly heldQty: number;
  /** MySQL: users whose held units of this item exceed its per-user limit. */
  readonly mysqlOverLimit: readonly { readonly userId: string; readonly qty: number }[];
}

/** The item's row in the report. */
export interface ItemLedger {
  readonly sku: string;
  readonly shard: number;
  readonly redisStock: number | null;
  readonly mysqlStock: number | null;
  /** Σ units held by buyers in Redis (live reservations). */
  readonly reserved: number;
  /** Σ units of live orders in MySQL. */
  readonly ordered: number;
  /** Stock put in (MySQL stock − Σ applied deltas): what Redis stock + live orders must add up to. */
  readonly initial: number | null;
  /** Stock changes MySQL still lacks (seq − synced). */
  readonly unsynced: number;
  /** CLEAN, IN_FLIGHT (pipeline not caught up: not judged yet), BREACH, NOT_WARMED. */
  readonly state: 'CLEAN' | 'IN_FLIGHT' | 'BREACH' | 'NOT_WARMED';
}

/** Redis reservation record of an order on one shard ({inv:N}:resv:<order>). */
export interface ReservationView {
  readonly shard: number;
  /** null = no record (never reserved there, or expired). */
  readonly state: string | null;
}

export interface OrderEventView {
  readonly seq: number;
  readonly from: string | null;
  readonly to: string;
}

/** One order row of the window with what the ledger needs to judge it. */
export interface OrderSnapshot {
  readonly orderId: string;
  readonly userId: string;
  readonly status: string;
  readonly version: number;
  readonly stockReleased: boolean;
  /** Acceptance time (reserved_at, else created_at), ms. */
  readonly atMs: number;
  readonly lines: readonly { readonly sku: string; readonly qty: number }[];
  readonly history: readonly OrderEventView[];
  readonly reservations: readonly ReservationView[];
  /** stock_log rows of this order: per sku, the applied deltas with their reasons. */
  readonly stockLog: readonly { readonly sku: string; readonly delta: number; readonly reason: string }[];
}

export interface StreamBacklog {
  readonly stream: string;
  readonly group: string;
  /** Entries not yet delivered to the group (null: Redis cannot tell). */
  readonly lag: number | null;
  /** Delivered, not acked. */
  readonly pending: number;
}

export interface Backlog {
  /** Orders and stock streams, per shard, for the pipeline groups (forwarder, write-behind). */
  readonly streams: readonly StreamBacklog[];
  /** Σ lag + pending over those streams (null lags count as 1: unknown is not empty). */
  readonly streamEntries: number;
  /** Entries in the dead-letter streams. */
  readonly deadStreamEntries: number;
  /** Σ (seq − synced) over the checked items. */
  readonly unsyncedChanges: number;
  /** Accepted (window) without an `orders` row and not dead-lettered: in flight, or lost once old. */
  readonly acceptedNotPersisted: readonly string[];
  /** Accepted orders whose creation message was dead-lettered (a named fate, stock given back). */
  readonly deadLetteredOrders: readonly string[];
  /** Unreplayed rows in dead_letters (all consumer groups). */
  readonly openDeadLetters: number;
  /** CANCELLED orders (window) whose stock release is not confirmed yet. */
  readonly cancelledUnreleased: number;
  /** PENDING_PAYMENT orders (window) whose stock was already released (a decline; the CANCELLED event is on its way). */
  readonly releasedAwaitingCancel: number;
}

export interface LedgerReport {
  readonly clean: boolean;
  /** True when the pipeline had caught up (nothing in flight) at the time of the check. */
  readonly drained: boolean;
  readonly checkedAt: string;
  readonly window: { readonly fromMs: number; readonly toMs: number };
  readonly items: readonly ItemLedger[];
  readonly breaches: readonly Breach[];
  readonly backlog: Backlog;
  readonly ordersChecked: number;
}

/** Status names as the order service writes them. */
export type StatusName = OrderStatusName;
