// For the write-behind worker: stock-change entries it gives up on (unreadable, or refused by MySQL
// maxAttempts times) move to the dead stream with the reason and are XACKed, NOT counted as synced:
// their items stay un-synced (warm-up refuses them) until scripts/stock-reconcile.ts deals with the
// dead copy. At most one dead copy per entry, ever (the entry is settled: settled-ids.ts).
import { checkStreamId } from './settled-ids';
import type { StockKeys } from './stock-keys';
import type { ScriptArg, StockScripts } from './stock-scripts';

export interface DeadStockEntry {
  readonly id: string;
  /** The entry's fields as stored, flat [k1, v1, ...]; copied after the dead_* fields. */
  readonly fields: readonly string[];
  readonly reason: string;
  /** Data rejections counted before giving up (0 when dead on sight). */
  readonly attempts: number;
}

export interface DeadLetterResult {
  /** Copied to the dead stream (and acked). */
  readonly dead: number;
  /** Already settled (dead before, or applied elsewhere): only acked. */
  readonly skipped: number;
}

const MAX_REASON = 1000;

export function createDeadLetterStock(deps: {
  keys: StockKeys;
  scripts: StockScripts;
}): (shard: number, group: string, entries: readonly DeadStockEntry[], by: { consumer: string; now: number }) => Promise<DeadLetterResult> {
  const { keys, scripts } = deps;
  return async function deadLetter(shard, group, entries, by) {
    if (entries.length === 0) return { dead: 0, skipped: 0 };
    const args: ScriptArg[] = [group, by.now, by.consumer, entries.length];
    for (const e of entries) args.push(checkStreamId(e.id), e.reason.slice(0, MAX_REASON), e.attempts, e.fields.length, ...e.fields);
    const keyList = [
      keys.stockStream(shard),
      keys.stockDeadStream(shard),
      keys.stockAttempts(shard),
      keys.stockSettled(shard),
      keys.stockSettledFloor(shard),
    ];
    const [dead, skipped] = (await scripts.run('dead-letter-stock', keyList, args)) as [unknown, unknown];
    return { dead: Number(dead), skipped: Number(skipped) };
  };
}
