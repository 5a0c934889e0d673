// Scrape-time samples of the inventory pipeline, registered by the process that runs the stream workers:
//   app_stream_backlog        XINFO GROUPS of every shard's orders and stock stream: lag (entries the group
//                             has not read yet) and pending (read, not acked), per group;
//   app_dead_stream_entries   XLEN of each stream's dead-letter stream;
//   app_stock_ledger_drift    Redis stock − MySQL stock of each warmed flash-sale SKU, and
//   app_stock_unsynced_entries  its stock changes not yet applied to MySQL. Once the write-behind has
//                             caught up both are 0; a drift that stays is what stock-reconcile is for.
import { eq } from 'drizzle-orm';
import { products } from '../../../db/schema';
import type { Db } from '../../../platform/db';
import { deadStreamEntries, ledgerDrift, streamBacklog, unsyncedEntries } from '../../../platform/metrics/app-metrics';
import type { Sample } from '../../../platform/metrics/sampled-gauge';
import type { RedisClient } from '../../../platform/redis';
import { deadStreamOf, type StockService } from '../stock';

/** SKUs sampled for drift: flash-sale items (the hot ones), at most this many. */
export const DRIFT_SKU_LIMIT = 200;
/** Both drift gauges share one read per scrape. */
const DRIFT_MEMO_MS = 1_000;

export interface InventoryMetricsDeps {
  readonly redis: RedisClient;
  readonly db: Db;
  readonly stock: Pick<StockService, 'keys' | 'getStock'>;
  readonly now: () => number;
}

export interface GroupBacklog {
  readonly group: string;
  readonly pending: number;
  /** null when Redis cannot tell (entries deleted or trimmed below the group's position). */
  readonly lag: number | null;
}

/** XINFO GROUPS reply (flat key/value list per group) → name, pending, lag. */
export function parseGroupBacklog(reply: unknown): GroupBacklog[] {
  if (!Array.isArray(reply)) return [];
  return reply.flatMap(group => {
    if (!Array.isArray(group)) return [];
    const f = new Map<string, unknown>();
    for (let i = 0; i + 1 < group.length; i += 2) f.set(String(group[i]), group[i + 1]);
    const name = f.get('name');
    if (name === undefined) return [];
    const lag = f.get('lag');
    return [{ group: String(name), pending: Number(f.get('pending') ?? 0), lag: lag === null || lag === undefined ? null : Number(lag) }];
  });
}

/** XINFO on a stream that does not exist yet is an error: no groups, no backlog. */
const noSuchKey = (err: unknown): unknown[] => {
  if (err instanceof Error && /no such key/i.test(err.message)) return [];
  throw err;
};

function streamsOf(stock: InventoryMetricsDeps['stock']): string[] {
  const { keys } = stock;
  return keys.allShards().flatMap(shard => [keys.ordersStream(shard), keys.stockStream(shard)]);
}

export function backlogSample(deps: Pick<InventoryMetricsDeps, 'redis' | 'stock'>): Sample {
  return async set => {
    await Promise.all(
      streamsOf(deps.stock).map(async stream => {
        for (const g of parseGroupBacklog(await deps.redis.xinfo('GROUPS', stream).catch(noSuchKey))) {
          set({ stream, group: g.group, kind: 'pending' }, g.pending);
          if (g.lag !== null) set({ stream, group: g.group, kind: 'lag' }, g.lag);
        }
      }),
    );
  };
}

export function deadStreamSample(deps: Pick<InventoryMetricsDeps, 'redis' | 'stock'>): Sample {
  return async set => {
    await Promise.all(streamsOf(deps.stock).map(async stream => set({ stream }, await deps.redis.xlen(deadStreamOf(stream)))));
  };
}

interface DriftRow {
  readonly sku: string;
  readonly drift: number;
  readonly unsynced: number;
}

/** Warmed flash-sale SKUs: Redis stock − MySQL stock and unsynced changes. */
export async function readDrift(deps: Pick<InventoryMetricsDeps, 'db' | 'stock'>): Promise<DriftRow[]> {
  const rows = await deps.db
    .select({ sku: products.id, stock: products.stock })
    .from(products)
    .where(eq(products.flashSale, true))
    .limit(DRIFT_SKU_LIMIT);
  const levels = await Promise.all(rows.map(r => deps.stock.getStock(r.sku).catch(() => undefined)));
  return rows.flatMap((r, i) => {
    const level = levels[i];
    return level?.warmed ? [{ sku: r.sku, drift: level.stock - r.stock, unsynced: level.unsynced }] : [];
  });
}

/** Registers the samples; returns their removal (call it when the workers stop). */
export function registerInventoryMetrics(deps: InventoryMetricsDeps): () => void {
  let memo: { at: number; rows: Promise<DriftRow[]> } | undefined;
  const drift = (): Promise<DriftRow[]> => {
    const now = deps.now();
    if (!memo || now - memo.at >= DRIFT_MEMO_MS) memo = { at: now, rows: readDrift(deps) };
    return memo.rows;
  };
  const removals = [
    streamBacklog.addSource(backlogSample(deps)),
    deadStreamEntries.addSource(deadStreamSample(deps)),
    ledgerDrift.addSource(async set => {
      for (const r of await drift()) set({ sku: r.sku }, r.drift);
    }),
    unsyncedEntries.addSource(async set => {
      for (const r of await drift()) set({ sku: r.sku }, r.unsynced);
    }),
  ];
  return () => removals.forEach(remove => remove());
}
