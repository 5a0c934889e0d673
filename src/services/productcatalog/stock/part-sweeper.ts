// Crash recovery for cross-shard orders: parts HELD longer than partTimeoutMs are resolved from their
// home shard's decision (part-resolver.ts). A pass is safe on several replicas at once.
import type { Clock } from '../../../platform/clock';
import { createPeriodicLoop } from '../../../platform/periodic-loop';
import type { PartResolver } from './part-resolver';
import type { StockKeys } from './stock-keys';
import type { StockSettings } from './stock-settings';
import type { StockShardOps } from './stock-shard';
import type { StockLogger } from './types';

export interface SweepReport {
  settled: number;
  aborted: number;
  /** Entries whose record was no longer HELD (already resolved). */
  cleaned: number;
}

export interface SweepOptions {
  /** Parts older than this are resolved; default settings.partTimeoutMs. */
  readonly olderThanMs?: number;
  /** Parts per shard per pass. */
  readonly batch?: number;
}

export function createSweepParts(deps: {
  ops: StockShardOps;
  keys: StockKeys;
  resolver: PartResolver;
  clock: Pick<Clock, 'now'>;
  settings: StockSettings;
}): (opts?: SweepOptions) => Promise<SweepReport> {
  const { ops, keys, resolver, clock, settings } = deps;
  return async function sweepStaleParts(opts = {}) {
    const cutoff = clock.now() - (opts.olderThanMs ?? settings.partTimeoutMs);
    const report: SweepReport = { settled: 0, aborted: 0, cleaned: 0 };
    for (const shard of keys.allShards()) {
      for (const orderId of await ops.staleParts(shard, cutoff, opts.batch ?? 100)) {
        const outcome = await resolver.resolve(shard, orderId);
        if (outcome === 'SETTLED') report.settled++;
        else if (outcome === 'ABORTED') report.aborted++;
        else report.cleaned++;
      }
    }
    return report;
  };
}

export interface PartSweeper {
  start(): void;
  /** Stops after the pass in flight, if any, has finished. */
  stop(): Promise<void>;
}

export function createPartSweeper(deps: {
  sweep: (opts?: SweepOptions) => Promise<SweepReport>;
  clock: Clock;
  intervalMs: number;
  logger?: StockLogger;
}): PartSweeper {
  const { sweep, clock, intervalMs, logger } = deps;
  const pass = async () => {
    const report = await sweep();
    if (report.settled + report.aborted > 0) logger?.warn({ ...report }, 'stale cross-shard stock parts resolved');
    return false; // one pass covers every shard; the next one waits an interval
  };
  return createPeriodicLoop(pass, {
    name: 'part-sweeper',
    intervalMs,
    clock,
    // StockLogger is warn-only: failures are logged, the loop's "recovered" note is not.
    logger: { info: () => undefined, warn: (obj, msg) => logger?.warn(obj, msg) },
  });
}
