// WarmUp: copy stock and per-user limits from MySQL into Redis, never over newer Redis figures.
// Per item, seq counts stock-change records emitted and synced those the write-behind worker applied
// to MySQL and acknowledged (ack-stock-applied.lua), so seq - synced is exactly what MySQL still lacks.
// A token (present?, synced) is read BEFORE MySQL and re-checked by the script: if a record was applied
// (or the item appeared) in between, the MySQL figure may predate Redis and the item is left alone.
import type { SoldOutFlags } from './sold-out-flags';
import type { StockKeys } from './stock-keys';
import type { StockSettings } from './stock-settings';
import type { StockShardOps } from './stock-shard';
import type { FigureLoader, WarmUpFigure, WarmUpResult } from './types';
import { checkFigure, checkSkuList } from './validation';

export function createWarmUp(deps: {
  ops: StockShardOps;
  keys: StockKeys;
  flags: SoldOutFlags;
  settings: StockSettings;
}): (skus: readonly string[], load: FigureLoader) => Promise<WarmUpResult[]> {
  const { ops, keys, flags, settings } = deps;

  return async function warmUp(skus, load) {
    const list = checkSkuList('product_ids', skus, settings.maxWarmUp);
    const items = await Promise.all(list.map(sku => ops.readItem(keys.shardOf(sku), sku)));
    const results = new Map<string, WarmUpResult>();
    const tokens = new Map<string, string>();
    list.forEach((sku, i) => {
      const item = items[i]!;
      if (item.seq !== item.synced) results.set(sku, { sku, status: 'UNSYNCED', pending: item.seq - item.synced });
      else tokens.set(sku, `${item.stock === null ? 0 : 1}:${item.synced}`);
    });
    if (tokens.size > 0) {
      const figures = new Map<string, WarmUpFigure>();
      for (const f of await load([...tokens.keys()])) if (tokens.has(f.sku)) figures.set(f.sku, f);
      await Promise.all(
        [...tokens].map(async ([sku, token]) => {
          const figure = figures.get(sku);
          if (!figure) return void results.set(sku, { sku, status: 'NOT_FOUND' });
          const { stock, limit } = checkFigure(sku, figure.stock, figure.limit);
          const reply = await ops.warmUp(keys.shardOf(sku), sku, stock, limit, token);
          if (reply.code === 'WARMED') {
            flags.clear(sku);
            results.set(sku, { sku, status: 'WARMED', stock, limit, previousStock: reply.previousStock });
          } else if (reply.code === 'UNSYNCED') {
            results.set(sku, { sku, status: 'UNSYNCED', pending: reply.seq - reply.synced });
          } else {
            results.set(sku, { sku, status: 'STALE' });
          }
        }),
      );
    }
    return list.map(sku => results.get(sku)!);
  };
}
