// The stock domain: everything InventoryService, the checkout path and the stock workers need from Redis.
import type { Clock } from '../../../platform/clock';
import { createAckApplied, type AckResult, type AppliedEntry } from './ack-applied';
import { createDeadLetterStock, type DeadLetterResult, type DeadStockEntry } from './dead-letter';
import { createPartResolver } from './part-resolver';
import { createSweepParts, type SweepOptions, type SweepReport } from './part-sweeper';
import { createReleaseOrder, type ReleaseOptions } from './release-order';
import { createReserveOrder } from './reserve-order';
import { createPruneSettled, type PruneResult } from './settled-ids';
import { createSoldOutFlags, type SoldOutFlags } from './sold-out-flags';
import { createStockKeys, type StockKeys } from './stock-keys';
import { createStockScripts, type RedisClient } from './stock-scripts';
import { resolveStockSettings, type StockSettings } from './stock-settings';
import { createStockShardOps, type ItemView } from './stock-shard';
import { createSyncRepair, type SyncRepair } from './sync-repair';
import type {
  FigureLoader,
  ReleaseOutcome,
  ReserveOptions,
  ReserveOutcome,
  ReserveRequest,
  StockLevel,
  StockLogger,
  WarmUpResult,
} from './types';
import { checkSku } from './validation';
import { createWarmUp } from './warm-up';

export interface StockServiceDeps {
  /** A single node or a Cluster; every script keeps its keys in one slot. */
  readonly redis: RedisClient;
  readonly clock: Pick<Clock, 'now'>;
  readonly settings?: Partial<StockSettings>;
  readonly logger?: StockLogger;
  /** Share one set of sold-out marks between services of a process; default: a private set. */
  readonly soldOutFlags?: SoldOutFlags;
  /** Directory of the .lua files; default <project>/lua. */
  readonly luaDir?: string;
}

export interface StockService {
  readonly keys: StockKeys;
  readonly settings: StockSettings;
  reserve(req: ReserveRequest, opts?: ReserveOptions): Promise<ReserveOutcome>;
  release(orderId: string, reason: string, opts?: ReleaseOptions): Promise<ReleaseOutcome>;
  warmUp(skus: readonly string[], load: FigureLoader): Promise<WarmUpResult[]>;
  getStock(sku: string): Promise<StockLevel>;
  /** One recovery pass over cross-shard parts HELD too long (run it periodically: createPartSweeper). */
  sweepStaleParts(opts?: SweepOptions): Promise<SweepReport>;
  /** Write-behind worker: ack entries applied to MySQL, counting each once ever (ack-applied.ts). */
  ackApplied(shard: number, group: string, entries: readonly AppliedEntry[]): Promise<AckResult>;
  /** Write-behind worker: entries given up on go to the dead stream, not counted (dead-letter.ts). */
  deadLetter(shard: number, group: string, entries: readonly DeadStockEntry[], by: { consumer: string; now: number }): Promise<DeadLetterResult>;
  /** Stream trimmer: bound the settled set of a stock stream by its trim floor (settled-ids.ts). */
  pruneSettled(shard: number, trimFloor: string): Promise<PruneResult>;
  /** Operator reconcile only (scripts/stock-reconcile.ts). */
  readonly repair: SyncRepair;
  /** The item hash as stored (stock null when not warmed), for reconcile. */
  readItem(sku: string): Promise<ItemView & { readonly shard: number }>;
}

export function createStockService(deps: StockServiceDeps): StockService {
  const settings = resolveStockSettings(deps.settings ?? {});
  const { redis, clock, logger } = deps;
  const keys = createStockKeys({ shards: settings.shards, namespace: settings.namespace });
  const scripts = createStockScripts(redis, deps.luaDir);
  const flags = deps.soldOutFlags ?? createSoldOutFlags(clock, settings.soldOutTtlMs);
  const ops = createStockShardOps({ redis, keys, scripts, clock, settings });
  const resolver = createPartResolver({ ops, settings, logger });

  return {
    keys,
    settings,
    reserve: createReserveOrder({ ops, flags, settings, logger }),
    release: createReleaseOrder({ ops, keys, flags, settings, resolver }),
    warmUp: createWarmUp({ ops, keys, flags, settings }),
    async getStock(sku) {
      checkSku('product_id', sku);
      const shard = keys.shardOf(sku);
      const item = await ops.readItem(shard, sku);
      if (item.stock === null) return { sku, shard, warmed: false };
      return { sku, shard, warmed: true, stock: item.stock, limit: item.limit, unsynced: item.seq - item.synced, warmedAt: item.warmedAt };
    },
    sweepStaleParts: createSweepParts({ ops, keys, resolver, clock, settings }),
    ackApplied: createAckApplied({ keys, scripts }),
    deadLetter: createDeadLetterStock({ keys, scripts }),
    pruneSettled: createPruneSettled({ keys, scripts }),
    repair: createSyncRepair({ keys, scripts }),
    async readItem(sku) {
      checkSku('product_id', sku);
      const shard = keys.shardOf(sku);
      return { shard, ...(await ops.readItem(shard, sku)) };
    },
  };
}
