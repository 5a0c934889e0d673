// For the write-behind worker: acknowledge stock-change entries AFTER their MySQL transaction committed,
// counting each entry once, ever, on its items' synced counters (settled-ids.ts explains how).
// Entries given up on go through deadLetter (dead-letter.ts) instead.
import { checkStreamId } from './settled-ids';
import type { StockKeys } from './stock-keys';
import type { ScriptArg, StockScripts } from './stock-scripts';

export interface AppliedEntry {
  readonly id: string;
  /** The SKUs named by the entry's lines. */
  readonly skus: readonly string[];
}

export interface AckResult {
  /** Entries this call removed from the group's pending list. */
  readonly acked: number;
  /** Entries this call counted on their items (never counted before, by anyone). */
  readonly counted: number;
}

export function createAckApplied(deps: {
  keys: StockKeys;
  scripts: StockScripts;
}): (shard: number, group: string, entries: readonly AppliedEntry[]) => Promise<AckResult> {
  const { keys, scripts } = deps;
  return async function ackApplied(shard, group, entries) {
    if (entries.length === 0) return { acked: 0, counted: 0 };
    const itemIndex = new Map<string, number>();
    const args: ScriptArg[] = [group, entries.length];
    for (const entry of entries) {
      args.push(checkStreamId(entry.id), entry.skus.length);
      for (const sku of entry.skus) {
        if (keys.shardOf(sku) !== shard) throw new RangeError(`sku ${sku} is not on stock shard ${shard}`);
        let j = itemIndex.get(sku);
        if (j === undefined) itemIndex.set(sku, (j = itemIndex.size + 1));
        args.push(j);
      }
    }
    const keyList = [
      keys.stockStream(shard),
      keys.stockSettled(shard),
      keys.stockSettledFloor(shard),
      ...[...itemIndex.keys()].map(sku => keys.item(shard, sku)),
    ];
    const [acked, counted] = (await scripts.run('ack-stock-applied', keyList, args)) as [unknown, unknown];
    return { acked: Number(acked), counted: Number(counted) };
  };
}
