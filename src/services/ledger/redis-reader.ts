// Read-only Redis side of the ledger: item hashes and buyers (stock-keys.ts layout), reservation record
// states, the pipeline's stream backlogs (XINFO GROUPS, as the inventory metrics read them), dead
// streams, and the order ids still sitting in the orders streams. Commands touch one key each, so a
// Redis Cluster works unchanged. Nothing here writes.
import type { RedisClient } from '../../platform/redis';
import { deadStreamOf, type StockKeys } from '../productcatalog/stock';
import { parseGroupBacklog } from '../productcatalog/workers/inventory-metrics';
import { toEntries } from '../productcatalog/workers/stream-entries';
import type { ReservationView, StreamBacklog } from './types';

const PAGE = 1000;
const PARALLEL = 200;

export interface RedisItemHead {
  readonly stock: number;
  readonly limit: number;
  readonly seq: number;
  readonly synced: number;
}

export interface PipelineGroups {
  /** Forwarder group on the orders streams. */
  readonly forwarder: string;
  /** Write-behind group on the stock streams. */
  readonly writer: string;
}

const int = (v: string | null | undefined): number => (v === null || v === undefined || v === '' ? 0 : Number(v));

/** Runs fn over items with at most PARALLEL calls in flight (one connection pipelines them). */
async function inBatches<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += PARALLEL) out.push(...(await Promise.all(items.slice(i, i + PARALLEL).map(fn))));
  return out;
}

const noSuchKey = (err: unknown): unknown[] => {
  if (err instanceof Error && /no such key/i.test(err.message)) return [];
  throw err;
};

export function createRedisReader(redis: RedisClient, keys: StockKeys, groups: PipelineGroups) {
  async function itemHead(sku: string): Promise<RedisItemHead | null> {
    const shard = keys.shardOf(sku);
    const [stock, limit, seq, synced] = await redis.hmget(keys.item(shard, sku), 'stock', 'limit', 'seq', 'synced');
    if (stock === null || stock === undefined) return null;
    return { stock: int(stock), limit: int(limit), seq: int(seq), synced: int(synced) };
  }

  return {
    keys,
    itemHeads: (skus: readonly string[]) => inBatches(skus, itemHead),

    /** (seq, synced) only: re-read after MySQL to tell whether the item moved meanwhile. */
    counters: (skus: readonly string[]) =>
      inBatches(skus, async sku => {
        const [seq, synced] = await redis.hmget(keys.item(keys.shardOf(sku), sku), 'seq', 'synced');
        return `${int(seq)}:${int(synced)}`;
      }),

    buyers: (skus: readonly string[]) =>
      inBatches(skus, async sku => {
        const h = await redis.hgetall(keys.buyers(keys.shardOf(sku), sku));
        return new Map(Object.entries(h).map(([u, q]) => [u, Number(q)]));
      }),

    /** State of the order's record on each shard its items map to. */
    reservations: (orders: readonly { orderId: string; skus: readonly string[] }[]) =>
      inBatches(orders, async o => {
        const shards = [...new Set(o.skus.map(s => keys.shardOf(s)))].sort((a, b) => a - b);
        const states = await Promise.all(shards.map(shard => redis.hget(keys.resv(shard, o.orderId), 'state')));
        return shards.map((shard, i): ReservationView => ({ shard, state: states[i] ?? null }));
      }),

    async streamBacklog(): Promise<StreamBacklog[]> {
      const targets = keys.allShards().flatMap(shard => [
        { stream: keys.ordersStream(shard), group: groups.forwarder },
        { stream: keys.stockStream(shard), group: groups.writer },
      ]);
      return inBatches(targets, async ({ stream, group }) => {
        const info = parseGroupBacklog(await redis.xinfo('GROUPS', stream).catch(noSuchKey)).find(g => g.group === group);
        // No group yet: everything in the stream waits for it.
        if (!info) return { stream, group, lag: Number(await redis.xlen(stream)), pending: 0 };
        return { stream, group, lag: info.lag, pending: info.pending };
      });
    },

    async deadStreamEntries(): Promise<number> {
      const streams = keys.allShards().flatMap(shard => [keys.ordersStream(shard), keys.stockStream(shard)]);
      const lens = await inBatches(streams, s => redis.xlen(deadStreamOf(s)));
      return lens.reduce((n, l) => n + Number(l), 0);
    },

    /** Order ids in the orders dead streams (the forwarder gave up on them). */
    async deadOrderIds(): Promise<Set<string>> {
      const out = new Set<string>();
      for (const shard of keys.allShards()) {
        for (const e of await allEntries(redis, deadStreamOf(keys.ordersStream(shard)))) {
          for (let i = 0; i + 1 < e.fields.length; i += 2) if (e.fields[i] === 'order') out.add(e.fields[i + 1]!);
        }
      }
      return out;
    },

    /** Order ids still in the orders streams (not trimmed yet) → acceptance time (the record's ts). */
    async streamOrders(): Promise<Map<string, number>> {
      const out = new Map<string, number>();
      for (const shard of keys.allShards()) {
        for (const e of await allEntries(redis, keys.ordersStream(shard))) {
          const f = fieldsOf(e.fields);
          const id = f.get('order');
          const ts = Number(f.get('ts'));
          if (id && Number.isFinite(ts) && !out.has(id)) out.set(id, ts);
        }
      }
      return out;
    },
  };
}

export type RedisReader = ReturnType<typeof createRedisReader>;

function fieldsOf(fields: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) if (!m.has(fields[i]!)) m.set(fields[i]!, fields[i + 1]!);
  return m;
}

export async function allEntries(redis: RedisClient, stream: string) {
  const out: ReturnType<typeof toEntries> = [];
  let start = '-';
  for (;;) {
    const page = toEntries(await redis.xrange(stream, start, '+', 'COUNT', PAGE));
    out.push(...page);
    if (page.length < PAGE) return out;
    start = `(${page[page.length - 1]!.id}`;
  }
}
