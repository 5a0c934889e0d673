// Release(order): give back whatever the order holds on every shard, exactly once.
// The request names only the order, so its records are located first: on the shards of the hinted
// SKUs when given (the order service knows its lines), else on every shard; any record found lists all
// shards of its order, so a partial hint is completed. HELD parts are resolved (part-resolver.ts)
// before their shard is released, so a release can never split a cross-shard order.
// A release that arrives before its reserve finds nothing (UNKNOWN) and does not block that reserve:
// such an order reaches the order service via its order-created record and is cancelled by its
// payment timeout like any unpaid order.
import { AbortedError } from '../../../platform/errors';
import { decodeShards } from './line-codec';
import type { PartResolver } from './part-resolver';
import type { ReleaseReply } from './script-replies';
import type { SoldOutFlags } from './sold-out-flags';
import type { StockKeys } from './stock-keys';
import type { StockSettings } from './stock-settings';
import type { RecordView, StockShardOps } from './stock-shard';
import type { RecordState, ReleaseOutcome, StockLine } from './types';
import { checkId, checkReason, checkSkuList } from './validation';

export interface ReleaseOptions {
  /** SKUs of the order (the order service knows them), to skip probing every shard. */
  readonly skus?: readonly string[];
  /** Trace context for the stock-change records. */
  readonly traceContext?: Readonly<Record<string, string>>;
}

const MAX_ATTEMPTS = 4;

export function createReleaseOrder(deps: {
  ops: StockShardOps;
  keys: StockKeys;
  flags: SoldOutFlags;
  settings: StockSettings;
  resolver: PartResolver;
}): (orderId: string, reason: string, hint?: ReleaseOptions) => Promise<ReleaseOutcome> {
  const { ops, keys, flags, settings, resolver } = deps;

  async function locate(orderId: string, hint: ReleaseOptions | undefined): Promise<Map<number, RecordView>> {
    const found = new Map<number, RecordView>();
    const probed = new Set<number>();
    const probe = async (shards: Iterable<number>) => {
      const fresh = [...new Set(shards)].filter(s => !probed.has(s));
      fresh.forEach(s => probed.add(s));
      const views = await Promise.all(fresh.map(s => ops.readRecord(s, orderId)));
      fresh.forEach((s, i) => {
        const view = views[i];
        if (view) found.set(s, view);
      });
    };
    if (hint?.skus && hint.skus.length > 0) await probe(hint.skus.map(sku => keys.shardOf(sku)));
    if (found.size === 0) await probe(keys.allShards());
    await probe([...found.values()].flatMap(v => decodeShards(v.shards)));
    return found;
  }

  async function releaseShard(shard: number, orderId: string, reason: string, first: RecordView, opts: ReleaseOptions): Promise<ReleaseReply> {
    let rec: RecordView | null = first;
    for (let attempt = 0; attempt < MAX_ATTEMPTS && rec; attempt++) {
      if (rec.state === 'HELD') {
        await resolver.resolve(shard, orderId);
        rec = await ops.readRecord(shard, orderId);
        continue;
      }
      const reply = await ops.release(shard, {
        orderId,
        mode: 'RELEASE',
        reason,
        recordLines: rec.lines,
        ttlMs: settings.recordTtlMs,
        trace: opts.traceContext,
      });
      if (reply.code !== 'STALE' && reply.code !== 'PART_PENDING') return reply;
      rec = await ops.readRecord(shard, orderId);
    }
    if (!rec) return { code: 'UNKNOWN' };
    if (rec.state === 'HELD') throw new AbortedError(`order ${orderId}: a cross-shard part is not resolved yet, retry later`);
    return { code: 'ALREADY', state: rec.state };
  }

  return async function release(orderId, reason, opts = {}) {
    checkId('order_id', orderId);
    checkReason(reason);
    if (opts.skus && opts.skus.length > 0) checkSkuList('product_ids', opts.skus, settings.maxLines);
    const found = await locate(orderId, opts);
    if (found.size === 0) return { kind: 'UNKNOWN', orderId };
    const byShard = [...found].sort(([a], [b]) => a - b);
    const replies = await Promise.all(byShard.map(([shard, rec]) => releaseShard(shard, orderId, reason, rec, opts)));
    const released: StockLine[] = [];
    let already: RecordState | undefined;
    for (const reply of replies) {
      if (reply.code === 'RELEASED') released.push(...reply.lines);
      else if (reply.code === 'ALREADY' || reply.code === 'NOT_HELD') already ??= reply.state;
    }
    released.forEach(line => flags.clear(line.sku));
    if (released.length > 0) return { kind: 'RELEASED', orderId, lines: released };
    if (already) return { kind: 'ALREADY_RELEASED', orderId, state: already };
    return { kind: 'UNKNOWN', orderId };
  };
}
