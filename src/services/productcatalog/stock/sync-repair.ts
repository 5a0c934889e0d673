// Operator repairs of the synced counters, used by scripts/stock-reconcile.ts only:
//  - resolveDead: a dead-lettered entry was re-driven into MySQL or accepted as lost; its dead copy is
//    deleted and its items count it (once: XDEL answers 1 to one caller);
//  - realignSynced: synced := seq for an item with nothing in flight, compare-and-set on the figures
//    read before the caller's checks (fixes counters left wrong by lost entries or older bugs).
import { StockScriptError } from './errors';
import { checkStreamId } from './settled-ids';
import type { StockKeys } from './stock-keys';
import type { StockScripts } from './stock-scripts';

export type RealignReply =
  | { readonly code: 'REALIGNED'; readonly previousSynced: number; readonly seq: number }
  | { readonly code: 'STALE'; readonly seq: number; readonly synced: number }
  | { readonly code: 'MISSING' };

export interface SyncRepair {
  /** Deletes dead copy `deadId` of an entry naming `skus` (all on `shard`) and counts it; false if already gone. */
  resolveDead(shard: number, deadId: string, skus: readonly string[]): Promise<boolean>;
  realignSynced(shard: number, sku: string, expected: { readonly seq: number; readonly synced: number }): Promise<RealignReply>;
}

export function createSyncRepair(deps: { keys: StockKeys; scripts: StockScripts }): SyncRepair {
  const { keys, scripts } = deps;
  return {
    async resolveDead(shard, deadId, skus) {
      for (const sku of skus) if (keys.shardOf(sku) !== shard) throw new RangeError(`sku ${sku} is not on stock shard ${shard}`);
      const items = [...new Set(skus)].map(sku => keys.item(shard, sku));
      const removed = await scripts.run('resolve-stock-dead', [keys.stockDeadStream(shard), ...items], [checkStreamId(deadId)]);
      return Number(removed) === 1;
    },
    async realignSynced(shard, sku, expected) {
      const reply = await scripts.run('realign-stock-synced', [keys.item(shard, sku)], [String(expected.seq), String(expected.synced)]);
      if (!Array.isArray(reply)) throw new StockScriptError('realign-stock-synced', reply);
      const [code, a, b] = reply as unknown[];
      if (code === 'MISSING') return { code };
      if (code === 'REALIGNED') return { code, previousSynced: Number(a), seq: Number(b) };
      if (code === 'STALE') return { code, seq: Number(a), synced: Number(b) };
      throw new StockScriptError('realign-stock-synced', reply);
    },
  };
}
