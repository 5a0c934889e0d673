// Domain types of the Redis stock core: requests, outcomes and the records kept per order.

export interface StockLine {
  readonly sku: string;
  readonly qty: number;
}

export interface ReserveRequest {
  readonly orderId: string;
  readonly userId: string;
  readonly lines: readonly StockLine[];
  /** The order-created record, built by the caller; written to the orders stream as is. */
  readonly orderPayload: string;
  /** W3C trace context (traceparent, tracestate…) carried on both stream records. */
  readonly traceContext?: Readonly<Record<string, string>>;
}

export interface ReserveOptions {
  /**
   * The caller may have sent this order id before without getting the answer (a retry after a
   * timeout; grpc-previous-rpc-attempts metadata). Skips the sold-out fast path, which speaks about the
   * item only, so an order that did reserve is reported as DUPLICATE instead of SOLD_OUT.
   */
  readonly retry?: boolean;
}

/**
 * State of an order's record on one shard.
 * HELD: a part of a cross-shard order, stock held, commit not yet known (see part-resolver.ts).
 * RESERVED: committed, stock held. RELEASED: stock given back after commit.
 * REFUSED: the script said SOLD_OUT / LIMIT_EXCEEDED; nothing held (kept refusalTtlMs).
 * ABORTED: a cross-shard order abandoned before its commit; nothing held.
 */
export type RecordState = 'HELD' | 'RESERVED' | 'RELEASED' | 'REFUSED' | 'ABORTED';

export interface SoldOut {
  readonly kind: 'SOLD_OUT';
  /** Index of the line in the request. */
  readonly line: number;
  readonly sku: string;
  readonly available: number;
  /** Answered by the process-local sold-out flag without asking Redis (not recorded). */
  readonly fastPath: boolean;
}

export interface LimitExceeded {
  readonly kind: 'LIMIT_EXCEEDED';
  readonly line: number;
  readonly sku: string;
  readonly limit: number;
  /** Quantity the user already held when refused. */
  readonly held: number;
}

export interface NotWarmed {
  readonly kind: 'NOT_WARMED';
  readonly line: number;
  readonly sku: string;
}

export type Refusal = SoldOut | LimitExceeded;

export interface ReservedLine extends StockLine {
  /** Stock left on the item right after this reservation. */
  readonly remaining: number;
}

export interface Reserved {
  readonly kind: 'RESERVED';
  readonly orderId: string;
  readonly lines: readonly ReservedLine[];
  /** Stock shards the order spans, ascending; the last is its home (commit point). */
  readonly shards: readonly number[];
}

/** What the first call for this order id decided. */
export type FirstOutcome =
  | { readonly kind: 'RESERVED' }
  | Refusal
  /** A cross-shard order abandoned before commit (crash recovery or a release that came first). */
  | { readonly kind: 'ABORTED' }
  /** A cross-shard order whose first call is still running, or crashed less than partTimeoutMs ago. */
  | { readonly kind: 'PENDING' };

export interface Duplicate {
  readonly kind: 'DUPLICATE';
  readonly orderId: string;
  readonly first: FirstOutcome;
  /** Current state of the order (RELEASED after a release); PENDING as in FirstOutcome. */
  readonly state: RecordState | 'PENDING';
  readonly userId: string;
  /** Lines of the first call (empty for an ABORTED tombstone). */
  readonly lines: readonly StockLine[];
}

export type ReserveOutcome = Reserved | Duplicate | SoldOut | LimitExceeded | NotWarmed;

export type ReleaseOutcome =
  | { readonly kind: 'RELEASED'; readonly orderId: string; readonly lines: readonly StockLine[] }
  /** Nothing held any more: released before, refused, or aborted. */
  | { readonly kind: 'ALREADY_RELEASED'; readonly orderId: string; readonly state: RecordState }
  | { readonly kind: 'UNKNOWN'; readonly orderId: string };

export interface WarmUpFigure {
  readonly sku: string;
  readonly stock: number;
  /** Per-user purchase limit; 0 = none. */
  readonly limit: number;
}

/** Reads the durable figures (MySQL) of the given SKUs; SKUs it does not return are NOT_FOUND. */
export type FigureLoader = (skus: readonly string[]) => Promise<readonly WarmUpFigure[]>;

export type WarmUpResult =
  | { readonly sku: string; readonly status: 'WARMED'; readonly stock: number; readonly limit: number; readonly previousStock: number | null }
  /** Stock-change records not yet applied to MySQL: the MySQL figure is behind Redis. */
  | { readonly sku: string; readonly status: 'UNSYNCED'; readonly pending: number }
  /** Redis moved while MySQL was read (a record was applied, or another warm-up won): retry. */
  | { readonly sku: string; readonly status: 'STALE' }
  | { readonly sku: string; readonly status: 'NOT_FOUND' };

export type StockLevel =
  | { readonly sku: string; readonly shard: number; readonly warmed: false }
  | {
      readonly sku: string;
      readonly shard: number;
      readonly warmed: true;
      readonly stock: number;
      readonly limit: number;
      /** Stock-change records of this item not yet applied to MySQL. */
      readonly unsynced: number;
      readonly warmedAt: number | null;
    };

export interface StockLogger {
  warn(obj: object, msg: string): void;
}
