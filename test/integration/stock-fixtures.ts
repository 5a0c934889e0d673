// Shared setup of the stock integration suites: a real Redis (single node, or the 3-master Cluster
// with STOCK_TEST_REDIS=cluster), a fresh key namespace per test, and small helpers.
import { randomBytes } from 'node:crypto';
import { ManualClock } from '../../src/platform/clock';
import { closeRedis, connectRedis, createRedis, type RedisClient } from '../../src/platform/redis';
import {
  createStockService,
  parseOrderCreated,
  parseStockChange,
  type OrderCreatedRecord,
  type StockChangeRecord,
  type StockService,
  type StockSettings,
} from '../../src/services/productcatalog/stock';
import { deleteKeys } from '../support/test-redis';
import { testConfig } from '../support/test-config';
import { testLogger } from '../support/test-logger';

export const CLUSTER_NODES = '127.0.0.1:7101,127.0.0.1:7102,127.0.0.1:7103';
export const redisMode = process.env.STOCK_TEST_REDIS === 'cluster' ? 'cluster' : 'single';

export async function connectStockRedis(name = 'stock-test'): Promise<RedisClient> {
  const config = testConfig(redisMode === 'cluster' ? { REDIS_CLUSTER_NODES: CLUSTER_NODES } : {});
  const client = createRedis(config, { logger: testLogger('redis'), name });
  await connectRedis(client, config);
  return client;
}

export interface StockFixture {
  readonly redis: RedisClient;
  readonly namespace: string;
  readonly clock: ManualClock;
  service(overrides?: Partial<StockSettings>): StockService;
  /** Deletes every key of this namespace. */
  cleanup(): Promise<void>;
}

export function stockFixture(redis: RedisClient): StockFixture {
  const namespace = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const clock = new ManualClock(1_800_000_000_000);
  return {
    redis,
    namespace,
    clock,
    service: (overrides = {}) =>
      createStockService({ redis, clock, settings: { namespace, shards: 8, ...overrides }, logger: testLogger('stock') }),
    cleanup: () => deleteKeys(redis, `{${namespace}:inv:`),
  };
}

/** Every entry of a stream, oldest first. */
export async function readStream(redis: RedisClient, key: string): Promise<Array<[string, string[]]>> {
  const out: Array<[string, string[]]> = [];
  let start = '-';
  for (;;) {
    const page = (await redis.xrange(key, start, '+', 'COUNT', 5000)) as Array<[string, string[]]>;
    out.push(...page);
    if (page.length < 5000) return out;
    start = `(${page[page.length - 1]![0]}`;
  }
}

export async function stockChanges(svc: StockService, redis: RedisClient, shard: number): Promise<StockChangeRecord[]> {
  return (await readStream(redis, svc.keys.stockStream(shard))).map(([id, f]) => parseStockChange(id, f));
}

export async function ordersCreated(svc: StockService, redis: RedisClient, shard: number): Promise<OrderCreatedRecord[]> {
  return (await readStream(redis, svc.keys.ordersStream(shard))).map(([id, f]) => parseOrderCreated(id, f));
}

/** Runs fn over items with at most `limit` calls in flight. */
export async function inPool<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Deterministic PRNG (mulberry32), so a failing run can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** `count` SKUs named `<prefix>-<n>` on distinct shards, ascending by shard (shardOf is stable). */
export function skusOnDistinctShards(svc: StockService, prefix: string, count: number): string[] {
  const byShard = new Map<number, string>();
  for (let n = 0; byShard.size < count; n++) {
    const sku = `${prefix}-${n}`;
    const shard = svc.keys.shardOf(sku);
    if (!byShard.has(shard)) byShard.set(shard, sku);
  }
  return [...byShard.entries()].sort(([a], [b]) => a - b).map(([, sku]) => sku);
}

/** `count` SKUs on one shard. */
export function skusOnOneShard(svc: StockService, prefix: string, count: number): string[] {
  const first = `${prefix}-0`;
  const shard = svc.keys.shardOf(first);
  const out = [first];
  for (let n = 1; out.length < count; n++) if (svc.keys.shardOf(`${prefix}-${n}`) === shard) out.push(`${prefix}-${n}`);
  return out;
}

export const figures =
  (table: Record<string, { stock: number; limit?: number }>) =>
  async (skus: readonly string[]) =>
    skus.filter(s => table[s]).map(sku => ({ sku, stock: table[sku]!.stock, limit: table[sku]!.limit ?? 0 }));

export { closeRedis };
