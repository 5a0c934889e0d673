// Reserve: validation, the sold-out fast path, then one script per shard the order spans.
// One shard (the common case, and always for a single-item order): one atomic script.
// Several shards: parts in ascending shard order, the last one commits (see part-resolver.ts);
// a refusal gives back the parts already taken; a crash leaves HELD parts for the sweeper.
import { decodeLines, encodeLines } from './line-codec';
import { parseRefusal, type ReserveReply } from './script-replies';
import { groupByShard, type ShardGroup } from './shard-router';
import type { SoldOutFlags } from './sold-out-flags';
import type { StockSettings } from './stock-settings';
import type { ReleaseInput, ReservePartInput, StockShardOps } from './stock-shard';
import type {
  Duplicate,
  FirstOutcome,
  RecordState,
  Refusal,
  ReserveOptions,
  ReserveOutcome,
  ReserveRequest,
  ReservedLine,
  StockLine,
  StockLogger,
} from './types';
import { validateReserve, type ValidReserve } from './validation';

type Reply<C extends ReserveReply['code']> = Extract<ReserveReply, { code: C }>;

export function createReserveOrder(deps: {
  ops: StockShardOps;
  flags: SoldOutFlags;
  settings: StockSettings;
  logger?: StockLogger;
}): (req: ReserveRequest, opts?: ReserveOptions) => Promise<ReserveOutcome> {
  const { ops, flags, settings, logger } = deps;

  function refusal(reply: Reply<'SOLD_OUT' | 'LIMIT_EXCEEDED' | 'NOT_WARMED'>): ReserveOutcome {
    switch (reply.code) {
      case 'SOLD_OUT':
        if (reply.available === 0) flags.mark(reply.sku);
        return { kind: 'SOLD_OUT', line: reply.index, sku: reply.sku, available: reply.available, fastPath: false };
      case 'LIMIT_EXCEEDED':
        return { kind: 'LIMIT_EXCEEDED', line: reply.index, sku: reply.sku, limit: reply.limit, held: reply.held };
      case 'NOT_WARMED':
        return { kind: 'NOT_WARMED', line: reply.index, sku: reply.sku };
    }
  }

  function reserved(v: ValidReserve, groups: readonly ShardGroup[], replies: readonly Reply<'RESERVED'>[]): ReserveOutcome {
    const lines: ReservedLine[] = new Array<ReservedLine>(v.lines.length);
    groups.forEach((g, k) => {
      g.lines.forEach((line, i) => {
        const remaining = replies[k]!.after[i]!;
        if (remaining === 0) flags.mark(line.sku);
        lines[line.index] = { sku: line.sku, qty: line.qty, remaining };
      });
    });
    return { kind: 'RESERVED', orderId: v.orderId, lines, shards: groups.map(g => g.shard) };
  }

  /** A replay. For a cross-shard order the home record is the authority (it may have moved on). */
  async function duplicate(orderId: string, shard: number, reply: Reply<'DUPLICATE'>): Promise<Duplicate> {
    let state: RecordState = reply.state;
    let userId = reply.userId;
    let lines: readonly StockLine[] = reply.all;
    let refused: Refusal | null = reply.refusal;
    const home = reply.shards.at(-1);
    if (home !== undefined && home !== shard) {
      const h = await ops.readRecord(home, orderId);
      if (h) {
        state = h.state;
        userId = h.userId || userId;
        if (h.all) lines = decodeLines(h.all);
        refused = parseRefusal(h.outcome) ?? refused;
      }
    }
    const first: FirstOutcome =
      state === 'REFUSED' && refused
        ? refused
        : state === 'ABORTED'
          ? { kind: 'ABORTED' }
          : state === 'HELD'
            ? { kind: 'PENDING' }
            : { kind: 'RESERVED' };
    return { kind: 'DUPLICATE', orderId, first, state: state === 'HELD' ? 'PENDING' : state, userId, lines };
  }

  /** Gives back parts this call took. Best effort: whatever fails here the sweeper resolves later. */
  async function abandon(v: ValidReserve, taken: readonly ShardGroup[], how: Pick<ReleaseInput, 'final' | 'outcome' | 'ttlMs'>) {
    await Promise.all(
      taken.map(async g => {
        try {
          await ops.release(g.shard, {
            orderId: v.orderId,
            mode: 'ABORT',
            reason: 'ABORT',
            recordLines: encodeLines(g.lines),
            trace: v.traceContext,
            ...how,
          });
        } catch (err) {
          logger?.warn({ err, orderId: v.orderId, shard: g.shard }, 'giving back a stock part failed; the sweeper will');
        }
      }),
    );
  }

  async function acrossShards(v: ValidReserve, groups: readonly ShardGroup[], base: Omit<ReservePartInput, 'mode' | 'lines'>) {
    const taken: ShardGroup[] = [];
    const replies: Reply<'RESERVED'>[] = [];
    for (const [k, g] of groups.entries()) {
      const last = k === groups.length - 1;
      let reply: ReserveReply;
      try {
        reply = await ops.reserve(g.shard, { ...base, mode: last ? 'COMMIT' : 'PART', lines: g.lines });
      } catch (err) {
        // Outcome unknown. Before the commit step nothing can commit any more, so give the parts back;
        // at the commit step the order may have committed: leave the parts to the sweeper's decision.
        if (!last) await abandon(v, [...taken, g], { final: 'DELETE', ttlMs: 0 });
        throw err;
      }
      if (reply.code === 'RESERVED') {
        taken.push(g);
        replies.push(reply);
        continue;
      }
      if (reply.code === 'DUPLICATE') {
        // Aborted at home (sweeper or release got there first): keep the parts ABORTED too, so a replay
        // stops at the first shard instead of taking and giving back stock again.
        const how = reply.state === 'ABORTED' ? { final: 'ABORTED' as const, ttlMs: settings.recordTtlMs } : { final: 'DELETE' as const, ttlMs: 0 };
        await abandon(v, taken, how);
        return duplicate(v.orderId, g.shard, reply);
      }
      if (reply.code === 'NOT_WARMED' || settings.refusalTtlMs === 0) {
        await abandon(v, taken, { final: 'DELETE', ttlMs: 0 });
      } else {
        // The parts carry the refusal too, so a replay stopping at the first shard answers it.
        await abandon(v, taken, { final: 'REFUSED', outcome: reply.raw, ttlMs: settings.refusalTtlMs });
      }
      return refusal(reply);
    }
    await Promise.all(
      taken.slice(0, -1).map(g =>
        ops.settle(g.shard, v.orderId).catch((err: unknown) => {
          logger?.warn({ err, orderId: v.orderId, shard: g.shard }, 'settling a committed stock part failed; the sweeper will');
        }),
      ),
    );
    return reserved(v, groups, replies);
  }

  return async function reserve(req: ReserveRequest, opts: ReserveOptions = {}): Promise<ReserveOutcome> {
    const v = validateReserve(req, settings);
    // The fast path answers for the item, not for the order id: not recorded, skipped on retries.
    for (const line of opts.retry ? [] : v.lines) {
      if (flags.isSoldOut(line.sku)) return { kind: 'SOLD_OUT', line: line.index, sku: line.sku, available: 0, fastPath: true };
    }
    const groups = groupByShard(v.lines, settings.shards);
    const base = {
      orderId: v.orderId,
      userId: v.userId,
      shards: groups.map(g => g.shard),
      allLines: v.lines,
      payload: v.orderPayload,
      trace: v.traceContext,
    };
    if (groups.length > 1) return acrossShards(v, groups, base);
    const only = groups[0]!;
    const reply = await ops.reserve(only.shard, { ...base, mode: 'COMMIT', lines: only.lines });
    if (reply.code === 'RESERVED') return reserved(v, groups, [reply]);
    if (reply.code === 'DUPLICATE') return duplicate(v.orderId, only.shard, reply);
    return refusal(reply);
  };
}
