// Tunables of the stock core, defaults merged then checked once (bad values fail at start-up).
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from './validation';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface StockSettings extends RequestLimits {
  /** INVENTORY_SHARDS: SKUs are spread over this many hash-tagged shards. Fixed per deployment. */
  readonly shards: number;
  /** Key namespace inside the hash tag ({<ns>:inv:N}); '' in production, unique per test. */
  readonly namespace: string;
  /** TTL of a sold-out mark; 0 = no fast path. */
  readonly soldOutTtlMs: number;
  /**
   * Expiry of reservation records (RESERVED/RELEASED/HELD/ABORTED). Long on purpose: a replay older
   * than this would reserve again. 0 = never expire.
   */
  readonly recordTtlMs: number;
  /** Expiry of REFUSED records; after it a replayed refused order id is judged afresh. 0 = not recorded. */
  readonly refusalTtlMs: number;
  /** A cross-shard part still HELD after this long is resolved by the sweeper. */
  readonly partTimeoutMs: number;
  /** SKUs per warm-up call. */
  readonly maxWarmUp: number;
}

export const DEFAULT_STOCK_SETTINGS: StockSettings = {
  ...DEFAULT_REQUEST_LIMITS,
  shards: 16,
  namespace: '',
  soldOutTtlMs: 1000,
  recordTtlMs: 7 * DAY_MS,
  refusalTtlMs: 10 * 60 * 1000,
  partTimeoutMs: 60_000,
  maxWarmUp: 1000,
};

export function resolveStockSettings(overrides: Partial<StockSettings>): StockSettings {
  const s: StockSettings = { ...DEFAULT_STOCK_SETTINGS, ...overrides };
  const check = (name: keyof StockSettings, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const v = s[name];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
      throw new RangeError(`stock setting ${name} must be an integer ${min}-${max}, got ${String(v)}`);
    }
  };
  check('shards', 1, 16384);
  check('maxLines', 1, 1000);
  check('maxQty', 1, 1e9);
  check('maxPayloadBytes', 1, 16 * 1024 * 1024);
  check('soldOutTtlMs', 0);
  check('recordTtlMs', 0);
  check('refusalTtlMs', 0);
  check('partTimeoutMs', 1);
  check('maxWarmUp', 1, 100_000);
  if (s.recordTtlMs > 0 && s.recordTtlMs < s.partTimeoutMs * 10) {
    throw new RangeError('stock setting recordTtlMs must be 0 or at least 10 x partTimeoutMs');
  }
  return Object.freeze(s);
}
