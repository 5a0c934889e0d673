// For the write-behind worker: acknowledge stock-change entries AFTER their MySQL transaction committed,
// counting each entry once on its items' synced counters (warm-up relies on seq - synced being exact).
// Use plain XACK only for entries dead-lettered without being applied.
import type { StockKeys } from './stock-keys';
import type { ScriptArg, StockScripts } from './stock-scripts';

export interface AppliedEntry {
  readonly id: string;
  /** The SKUs named by the entry's lines. */
  readonly skus: readonly string[];
}

export function createAckApplied(deps: {
  keys: StockKeys;
  scripts: StockScripts;
}): (shard: number, group: string, entries: readonly AppliedEntry[]) => Promise<number> {
  const { keys, scripts } = deps;
  return async function ackApplied(shard, group, entries) {
    if (entries.length === 0) return 0;
    const itemIndex = new Map<string, number>();
    const args: ScriptArg[] = [group, entries.length];
    for (const entry of entries) {
      args.push(entry.id, entry.skus.length);
      for (const sku of entry.skus) {
        if (keys.shardOf(sku) !== shard) throw new RangeError(`sku ${sku} is not on stock shard ${shard}`);
        let j = itemIndex.get(sku);
        if (j === undefined) itemIndex.set(sku, (j = itemIndex.size + 1));
        args.push(j);
      }
    }
    const keyList = [keys.stockStream(shard), ...[...itemIndex.keys()].map(sku => keys.item(shard, sku))];
    const acked = await scripts.run('ack-stock-applied', keyList, args);
    return Number(acked);
  };
}
