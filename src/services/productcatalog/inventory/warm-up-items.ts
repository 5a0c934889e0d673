// WarmUp as an admin runs it: refuse up front (FAILED_PRECONDITION, nothing changed) while any named
// item still has stock changes on their way to MySQL — loading MySQL's figure then would resurrect
// sold stock — then load every item, retrying the ones whose Redis figures moved mid-way (STALE).
// An item that becomes un-synced between the check and the load is reported PENDING_DELTAS.
import { AbortedError, FailedPreconditionError } from '../../../platform/errors';
import type { StockService, WarmUpResult } from '../stock';
import { checkSkuList } from '../stock/validation';
import type { ItemStore } from './item-store';

export type ItemWarmUp =
  | { readonly productId: string; readonly outcome: 'WARMED'; readonly stock: number }
  /** `pendingDelta` = Redis stock − MySQL stock (negative while reservations are unapplied). */
  | { readonly productId: string; readonly outcome: 'PENDING_DELTAS'; readonly stock: number; readonly pendingDelta: number }
  | { readonly productId: string; readonly outcome: 'NOT_FOUND' };

const STALE_RETRIES = 3;

export async function warmUpItems(
  deps: { stock: Pick<StockService, 'warmUp' | 'getStock' | 'settings'>; items: Pick<ItemStore, 'figures'> },
  productIds: readonly string[],
): Promise<ItemWarmUp[]> {
  const { stock, items } = deps;
  const ids = checkSkuList('product_ids', productIds, stock.settings.maxWarmUp);

  const levels = await Promise.all(ids.map(id => stock.getStock(id)));
  const blocked = levels.flatMap((l, i) => (l.warmed && l.unsynced > 0 ? [`product_ids[${i}] ${l.sku} (${l.unsynced} pending)`] : []));
  if (blocked.length > 0) {
    throw new FailedPreconditionError(
      `stock changes not yet applied to MySQL for ${blocked.join(', ')}; nothing was loaded, retry once the write-behind worker caught up`,
    );
  }

  const results = new Map<string, WarmUpResult>();
  let todo: readonly string[] = ids;
  for (let attempt = 0; attempt <= STALE_RETRIES && todo.length > 0; attempt++) {
    for (const r of await stock.warmUp(todo, skus => items.figures(skus))) results.set(r.sku, r);
    todo = todo.filter(id => results.get(id)?.status === 'STALE');
  }
  if (todo.length > 0) throw new AbortedError(`stock of ${todo.join(', ')} kept changing during the warm-up; retry`);

  const pending = ids.filter(id => results.get(id)?.status === 'UNSYNCED');
  const mysql = new Map((await items.figures(pending)).map(f => [f.sku, f.stock]));
  const redis = new Map(
    (await Promise.all(pending.map(id => stock.getStock(id)))).map(l => [l.sku, l.warmed ? l.stock : 0]),
  );

  return ids.map((id): ItemWarmUp => {
    const r = results.get(id) as WarmUpResult;
    switch (r.status) {
      case 'WARMED':
        return { productId: id, outcome: 'WARMED', stock: r.stock };
      case 'NOT_FOUND':
        return { productId: id, outcome: 'NOT_FOUND' };
      default: {
        const inRedis = redis.get(id) ?? 0;
        return { productId: id, outcome: 'PENDING_DELTAS', stock: inRedis, pendingDelta: inRedis - (mysql.get(id) ?? 0) };
      }
    }
  });
}
