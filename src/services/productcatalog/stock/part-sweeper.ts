// Crash recovery for cross-shard orders: parts HELD longer than partTimeoutMs are resolved from their
// home shard's decision (part-resolver.ts). A pass is safe on several replicas at once.
import type { Clock } from '../../../platform/clock';
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
  let controller: AbortController | undefined;
  let loop: Promise<void> | undefined;

  async function run(signal: AbortSignal) {
    while (!signal.aborted) {
      try {
        const report = await sweep();
        if (report.settled + report.aborted > 0) logger?.warn({ ...report }, 'stale cross-shard stock parts resolved');
      } catch (err) {
        logger?.warn({ err }, 'stock part sweep failed; retrying next interval');
      }
      try {
        await clock.sleep(intervalMs, signal);
      } catch {
        return; // aborted by stop()
      }
    }
  }

  return {
    start() {
      if (loop) return;
      controller = new AbortController();
      loop = run(controller.signal);
    },
    async stop() {
      controller?.abort();
      await loop;
      loop = undefined;
      controller = undefined;
    },
  };
}
