// The raw Lua ceiling: redis-benchmark sending EVALSHA of the very reserve-stock.lua the service runs
// (SHA from the shared loader), with the KEYS/ARGV layout stock-shard.ts builds for a one-line order,
// the same payload size and record TTLs. Every call is a new order of a new user (__rand_int__ in the
// record key, order id and user id). No Node, no gRPC: what Redis alone does with this script.
import type { RedisClient } from '../../src/platform/redis';
import { encodeOrderPayload } from '../../src/services/productcatalog/inventory/order-payload';
import type { StockKeys } from '../../src/services/productcatalog/stock';
import { createStockScripts } from '../../src/services/productcatalog/stock/stock-scripts';
import { runRedisBenchmark, type RedisBenchmarkResult } from '../lib/redis-benchmark';
import { benchDraft } from './order-draft';

/** __rand_int__ stays below this (12 digits, each occurrence drawn independently). */
const KEYSPACE = 1_000_000_000;
const RAND = '__rand_int__';

export interface LuaCeiling {
  readonly sha: string;
  /** The EVALSHA command line, for the report. */
  readonly command: readonly string[];
  run(opts: { clients: number; requests: number }): Promise<RedisBenchmarkResult>;
}

export async function prepareLuaCeiling(deps: {
  redis: RedisClient;
  host: string;
  port: number;
  password: string;
  keys: StockKeys;
  sku: string;
  recordTtlMs: number;
  refusalTtlMs: number;
}): Promise<LuaCeiling> {
  const { redis, keys, sku } = deps;
  const info = createStockScripts(redis).info('reserve-stock');
  // redis-benchmark cannot fall back to EVAL: make sure the script is in the server's cache.
  const loaded = (await redis.script('LOAD', info.lua)) as string;
  if (loaded !== info.sha) throw new Error(`SCRIPT LOAD returned ${loaded}, the loader computed ${info.sha}`);

  const shard = keys.shardOf(sku);
  // The same argument shapes as the gRPC path: an order id and user id of similar length, a
  // payload encoded from the same kind of draft (only the ids inside differ).
  const orderId = `lua-${RAND}`;
  const payload = encodeOrderPayload(benchDraft(sku, 'lua-000000000000', 'u-lua-000000000000', new Date()), new Date(), {});
  const command = [
    'EVALSHA', info.sha, '6',
    keys.resv(shard, `lua-${RAND}-${RAND}`), // two draws: a record-key collision would turn into a DUPLICATE
    keys.ordersStream(shard),
    keys.stockStream(shard),
    keys.parts(shard),
    keys.item(shard, sku),
    keys.buyers(shard, sku),
    orderId, `u-${orderId}`, String(Date.now()), 'COMMIT', String(shard), `${sku}:1`, payload, '',
    String(deps.recordTtlMs), String(deps.refusalTtlMs),
    '1', sku, '1', '0',
  ];
  return {
    sha: info.sha,
    command,
    run: ({ clients, requests }) =>
      runRedisBenchmark({ host: deps.host, port: deps.port, password: deps.password, clients, requests, randomKeyspace: KEYSPACE, command }),
  };
}
