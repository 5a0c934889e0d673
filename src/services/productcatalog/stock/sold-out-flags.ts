// Process-local "sold out" marks: once Redis said an item is at zero, further buyers of it are refused
// without a Redis call until the mark expires (short TTL: another replica's release or a warm-up is
// only seen here after it). Release and warm-up clear the mark at once in the process that ran them.
import type { Clock } from '../../../platform/clock';

export interface SoldOutFlags {
  isSoldOut(sku: string): boolean;
  mark(sku: string): void;
  clear(sku: string): void;
}

/** Bound on remembered SKUs, so a flood of distinct ids cannot grow the map without limit. */
const MAX_ENTRIES = 10_000;

/** ttlMs 0 turns the fast path off (every request reaches Redis). */
export function createSoldOutFlags(clock: Pick<Clock, 'now'>, ttlMs: number): SoldOutFlags {
  const until = new Map<string, number>();
  const prune = (now: number) => {
    for (const [sku, t] of until) if (t <= now) until.delete(sku);
  };
  return {
    isSoldOut(sku) {
      const t = until.get(sku);
      if (t === undefined) return false;
      if (t > clock.now()) return true;
      until.delete(sku);
      return false;
    },
    mark(sku) {
      if (ttlMs <= 0) return;
      const now = clock.now();
      if (until.size >= MAX_ENTRIES) prune(now);
      if (until.size >= MAX_ENTRIES) return;
      until.set(sku, now + ttlMs);
    },
    clear(sku) {
      until.delete(sku);
    },
  };
}
