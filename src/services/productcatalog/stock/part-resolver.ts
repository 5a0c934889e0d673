// Settles or aborts one HELD part of a cross-shard order, from the decision taken on its home shard.
//
// Cross-shard protocol (reserve-order.ts): parts are reserved shard by shard in ascending order; all
// but the last are HELD (and listed in their shard's parts zset); the last (home) part reserves AND
// commits in one script, writing the home record and the order-created record. The home record is
// therefore the commit point. Whoever finds a HELD part whose coordinator may be gone (the sweeper
// after partTimeoutMs, or a release) runs decide-stock-order on the home: it reports COMMITTED if the
// home record is there, otherwise writes an ABORTED tombstone, after which the coordinator can no
// longer commit. Then the part is settled (COMMITTED) or given back (ABORTED). Every step is idempotent
// and safe to run concurrently from several replicas.
import { decodeShards } from './line-codec';
import type { StockSettings } from './stock-settings';
import type { ReleaseInput, StockShardOps } from './stock-shard';
import type { StockLogger } from './types';

export type PartResolution = 'SETTLED' | 'ABORTED' | 'NOT_HELD';

export interface PartResolver {
  resolve(shard: number, orderId: string): Promise<PartResolution>;
}

const MAX_ATTEMPTS = 3;

export function createPartResolver(deps: { ops: StockShardOps; settings: StockSettings; logger?: StockLogger }): PartResolver {
  const { ops, settings, logger } = deps;

  async function resolve(shard: number, orderId: string): Promise<PartResolution> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const rec = await ops.readRecord(shard, orderId);
      if (!rec || rec.state !== 'HELD') {
        await ops.settle(shard, orderId); // only drops a leftover parts-zset entry
        return 'NOT_HELD';
      }
      const home = decodeShards(rec.shards).at(-1);
      if (home === undefined || home === shard) {
        // A HELD record is never written on its home: refuse to guess rather than release stock.
        logger?.warn({ shard, orderId, shards: rec.shards }, 'stock part without a distinct home shard left HELD');
        return 'NOT_HELD';
      }
      const decided = await ops.decide(home, orderId);
      if (decided.decision === 'COMMITTED') {
        await ops.settle(shard, orderId);
        return 'SETTLED';
      }
      if (decided.decision === 'UNDECIDED') {
        logger?.warn({ shard, orderId, home }, 'stock home record is HELD; part left for a later pass');
        return 'NOT_HELD';
      }
      const abort: ReleaseInput =
        decided.refusal && settings.refusalTtlMs > 0
          ? { orderId, mode: 'ABORT', final: 'REFUSED', outcome: decided.rawRefusal, reason: 'ABORT', recordLines: rec.lines, ttlMs: settings.refusalTtlMs }
          : { orderId, mode: 'ABORT', final: 'ABORTED', reason: 'ABORT', recordLines: rec.lines, ttlMs: settings.recordTtlMs };
      const released = await ops.release(shard, abort);
      if (released.code === 'STALE') continue;
      return released.code === 'RELEASED' ? 'ABORTED' : 'NOT_HELD';
    }
    logger?.warn({ shard, orderId }, 'stock part kept changing while being resolved; left for a later pass');
    return 'NOT_HELD';
  }

  return { resolve };
}
