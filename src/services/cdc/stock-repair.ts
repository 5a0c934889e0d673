// Brings Redis stock in line with a stock edit made directly in MySQL (see DESIGN.md "Stock edits").
//  - item not in Redis: nothing to do; a later WarmUp loads MySQL, edit included;
//  - item synced (every stock-change record is in MySQL, so Redis = MySQL minus edits Redis lacks):
//    WarmUp through the stock service (Redis := MySQL now). Exact, idempotent, and it also picks up
//    later edits still on their way (their own events then find nothing left to do);
//  - records in flight (MySQL is behind Redis, WarmUp refuses): add the edit's delta in Redis, once per
//    event (marker in the item's slot), unless the item was warmed at or after the edit's commit second
//    (that warm-up may already hold the edit: never count it twice — reported as COVERED).
import type { Clock } from '../../platform/clock';
import { defineScripts } from '../../platform/lua-scripts';
import type { Logger } from '../../platform/logger';
import { projectPath } from '../../platform/paths';
import type { RedisClient } from '../../platform/redis';
import type { FigureLoader, StockService } from '../productcatalog/stock';

export type StockRepairOutcome =
  | { readonly kind: 'NOT_WARMED' }
  | { readonly kind: 'REWARMED'; readonly stock: number }
  | { readonly kind: 'APPLIED'; readonly stock: number }
  | { readonly kind: 'CLAMPED'; readonly stock: number; readonly shortfall: number }
  | { readonly kind: 'COVERED'; readonly stock: number }
  | { readonly kind: 'DUPLICATE' }
  | { readonly kind: 'NOT_FOUND' };

export interface StockRepair {
  /** `delta`: the edit's manual part; `committedAtMs`: the binlog commit time (whole seconds). */
  apply(sku: string, delta: bigint, eventKey: string, committedAtMs: number): Promise<StockRepairOutcome>;
}

export interface StockRepairDeps {
  readonly redis: RedisClient;
  readonly stock: Pick<StockService, 'keys' | 'warmUp' | 'readItem'>;
  readonly figures: FigureLoader;
  readonly markerTtlMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

type AdjustReply = [string, string?, string?];

const STALE_RETRIES = 3;

export function createStockRepair(deps: StockRepairDeps): StockRepair {
  const { stock, redis } = deps;
  const log = deps.logger.child({ component: 'cdc-stock' });
  const scripts = defineScripts<{ cdcAdjustStock: AdjustReply }>(redis, projectPath('lua', 'cdc'));

  async function adjust(sku: string, delta: bigint, eventKey: string, committedAtMs: number): Promise<StockRepairOutcome> {
    const shard = stock.keys.shardOf(sku);
    const marker = `${stock.keys.tag(shard)}:cdc-adj:${eventKey}`;
    const second = Math.floor(committedAtMs / 1000) * 1000;
    const [kind, a, b] = await scripts.run('cdcAdjustStock', [stock.keys.item(shard, sku), marker], [delta.toString(), second, deps.markerTtlMs]);
    switch (kind) {
      case 'APPLIED':
        return { kind, stock: Number(a) };
      case 'CLAMPED':
        log.warn({ sku, delta: delta.toString(), shortfall: Number(b) }, 'manual stock edit takes more than Redis holds; Redis stock set to 0');
        return { kind, stock: Number(a), shortfall: Number(b) };
      case 'COVERED':
        log.warn({ sku, delta: delta.toString(), eventKey }, 'manual stock edit committed in the second of a warm-up while deltas are in flight: left to that warm-up (check with GetStock / stock-reconcile)');
        return { kind, stock: Number(a) };
      case 'DUPLICATE':
      case 'NOT_WARMED':
        return { kind };
      default:
        throw new Error(`cdc-adjust-stock: unexpected reply ${String(kind)}`);
    }
  }

  return {
    async apply(sku, delta, eventKey, committedAtMs) {
      for (let attempt = 0; ; attempt++) {
        const item = await stock.readItem(sku);
        if (item.stock === null) return { kind: 'NOT_WARMED' };
        if (item.seq !== item.synced) return adjust(sku, delta, eventKey, committedAtMs);
        const [result] = await stock.warmUp([sku], deps.figures);
        if (result?.status === 'WARMED') return { kind: 'REWARMED', stock: result.stock };
        if (result?.status === 'NOT_FOUND') return { kind: 'NOT_FOUND' };
        if (result?.status === 'UNSYNCED') return adjust(sku, delta, eventKey, committedAtMs);
        // STALE: a record was applied between the token and the write; read again.
        if (attempt >= STALE_RETRIES) return adjust(sku, delta, eventKey, committedAtMs);
      }
    },
  };
}
