// Exactly-once accounting of the synced counters (warm-up safety: per item seq - synced must be exact).
//
// XACK alone is not enough: it answers 1 again when an acked entry lives a second time in the pending
// list (XGROUP SETID rewind, group destroyed and recreated at 0, stream recreated with the same ids).
// A per-item high-water mark of counted ids is not enough either: two replicas (or a retried entry)
// ack one item's entries out of order, and a mark would skip the older one for good.
// So each stock stream keeps a settled set: ids whose accounting is decided, i.e. counted on their
// items (ack-stock-applied.lua) or moved to the dead stream (dead-letter-stock.lua, counted later by
// reconcile through its dead copy). An id counts only when ZADD NX adds it.
// Bounded: the trimmer passes its trim floor (below it every id was acked by the write-behind group,
// hence settled) to prune-stock-settled.lua, which raises the stream's settled floor and drops the
// members below it; ids below the floor count as settled for good.
// Assumes ids are never reused for different entries (Redis `*` ids are time-based).
import type { StockKeys } from './stock-keys';
import type { StockScripts } from './stock-scripts';

const STREAM_ID_RE = /^\d{1,20}-\d{1,20}$/;

/** Canonical stream id (what XADD returns); anything else would corrupt the Lua comparisons. */
export function checkStreamId(id: string): string {
  if (!STREAM_ID_RE.test(id) || /^0\d|-0\d/.test(id)) throw new RangeError(`not a stream id: "${id}"`);
  return id;
}

export interface PruneResult {
  /** The floor now in force (may be higher than the one passed: it never moves down). */
  readonly floor: string;
  readonly removed: number;
}

export function createPruneSettled(deps: {
  keys: StockKeys;
  scripts: StockScripts;
}): (shard: number, trimFloor: string) => Promise<PruneResult> {
  const { keys, scripts } = deps;
  return async function pruneSettled(shard, trimFloor) {
    const reply = await scripts.run('prune-stock-settled', [keys.stockSettled(shard), keys.stockSettledFloor(shard)], [checkStreamId(trimFloor)]);
    const [floor, removed] = reply as [unknown, unknown];
    return { floor: String(floor), removed: Number(removed) };
  };
}
