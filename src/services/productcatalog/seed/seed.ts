// `make seed`: upsert the seed catalog into MySQL, drop its cached entries, then load the items'
// stock into Redis through the stock domain's warm-up (which never overwrites un-synced live stock).
import { FailedPreconditionError } from '../../../platform/errors';
import type { Db } from '../../../platform/db';
import type { Catalog } from '../catalog/catalog';
import type { StockService } from '../stock';
import type { ItemStore } from '../inventory/item-store';
import { SEED_ITEMS, type SeedItem } from './seed-data';
import { seedProducts, type SeedRowOutcome } from './seed-products';

export interface SeedOptions {
  /** Put MySQL stock back to the seed figures (refused while Redis holds un-synced changes). */
  readonly reset: boolean;
  /** Flash-sale start; undefined = now for new rows, existing rows keep theirs. */
  readonly saleStartsAt?: Date;
  /** Skip loading stock into Redis. */
  readonly skipWarmUp?: boolean;
}

export interface SeedDeps {
  readonly db: Db;
  readonly stock: Pick<StockService, 'warmUp' | 'getStock'>;
  readonly items: Pick<ItemStore, 'figures'>;
  readonly catalog: Pick<Catalog, 'invalidate'>;
  readonly now: () => number;
}

export type WarmUpStatus = 'WARMED' | 'PENDING_DELTAS' | 'STALE' | 'NOT_FOUND' | 'SKIPPED';

export interface SeedReportRow {
  readonly id: string;
  readonly row: SeedRowOutcome;
  readonly warmUp: WarmUpStatus;
  /** Stock in Redis after the warm-up (WARMED only). */
  readonly stock?: number;
}

const STALE_RETRIES = 3;

async function warmUp(deps: SeedDeps, ids: readonly string[]): Promise<Map<string, { status: WarmUpStatus; stock?: number }>> {
  const out = new Map<string, { status: WarmUpStatus; stock?: number }>();
  let todo = [...ids];
  for (let attempt = 0; attempt <= STALE_RETRIES && todo.length > 0; attempt++) {
    const results = await deps.stock.warmUp(todo, skus => deps.items.figures(skus));
    for (const r of results) {
      if (r.status === 'WARMED') out.set(r.sku, { status: 'WARMED', stock: r.stock });
      else if (r.status === 'UNSYNCED') out.set(r.sku, { status: 'PENDING_DELTAS' });
      else out.set(r.sku, { status: r.status });
    }
    todo = todo.filter(id => out.get(id)?.status === 'STALE');
  }
  return out;
}

export async function seedCatalog(deps: SeedDeps, opts: SeedOptions, items: readonly SeedItem[] = SEED_ITEMS): Promise<SeedReportRow[]> {
  const ids = items.map(i => i.product.id);
  if (opts.reset) {
    // Resetting MySQL under un-applied Redis changes would let the worker apply them on top of the reset.
    const levels = await Promise.all(ids.map(id => deps.stock.getStock(id)));
    const busy = levels.flatMap(l => (l.warmed && l.unsynced > 0 ? [`${l.sku} (${l.unsynced} pending)`] : []));
    if (busy.length > 0) {
      throw new FailedPreconditionError(`--reset refused: stock changes not yet applied to MySQL for ${busy.join(', ')}`);
    }
  }
  const { outcomes } = await seedProducts(deps.db, items, {
    reset: opts.reset,
    saleStartsAt: opts.saleStartsAt ?? new Date(deps.now()),
    overrideSaleStart: opts.saleStartsAt !== undefined,
  });
  await Promise.all(ids.map(id => deps.catalog.invalidate(id)));
  const warmed = opts.skipWarmUp ? new Map<string, { status: WarmUpStatus; stock?: number }>() : await warmUp(deps, ids);
  return outcomes.map(o => {
    const w = warmed.get(o.id);
    return { id: o.id, row: o.outcome, warmUp: w?.status ?? 'SKIPPED', ...(w?.stock !== undefined ? { stock: w.stock } : {}) };
  });
}
