// Redis key layout. Every key of shard N carries the hash tag {inv:N} ({<ns>:inv:N} with a namespace),
// so each script's keys share one cluster slot; SKUs are spread over the shards by shard-router.ts.
//   {inv:N}:item:<sku>     hash stock, limit, seq, synced, warmed_at
//   {inv:N}:buyers:<sku>   hash user -> quantity held
//   {inv:N}:resv:<order>   hash: the order's reservation record on this shard (idempotency)
//   {inv:N}:parts          zset order -> ts: cross-shard parts not yet committed (crash recovery)
//   {inv:N}:stream:orders  order-created records;  {inv:N}:stream:stock  stock-change records
import { shardOf } from './shard-router';

const NAMESPACE_RE = /^[A-Za-z0-9_.-]{0,64}$/;

export interface StockKeys {
  readonly shards: number;
  shardOf(sku: string): number;
  tag(shard: number): string;
  item(shard: number, sku: string): string;
  buyers(shard: number, sku: string): string;
  resv(shard: number, orderId: string): string;
  parts(shard: number): string;
  ordersStream(shard: number): string;
  stockStream(shard: number): string;
  /** 0..shards-1: the shards whose streams the workers read. */
  allShards(): number[];
}

export function createStockKeys(opts: { shards: number; namespace?: string }): StockKeys {
  const { shards } = opts;
  const namespace = opts.namespace ?? '';
  if (!Number.isInteger(shards) || shards < 1 || shards > 16384) {
    throw new RangeError(`stock shards must be an integer 1-16384, got ${shards}`);
  }
  if (!NAMESPACE_RE.test(namespace)) {
    throw new RangeError('stock namespace may hold only letters, digits, "_", "." and "-" (no hash-tag braces)');
  }
  const prefix = namespace ? `${namespace}:inv` : 'inv';
  const tag = (shard: number) => `{${prefix}:${shard}}`;
  return {
    shards,
    shardOf: sku => shardOf(sku, shards),
    tag,
    item: (shard, sku) => `${tag(shard)}:item:${sku}`,
    buyers: (shard, sku) => `${tag(shard)}:buyers:${sku}`,
    resv: (shard, orderId) => `${tag(shard)}:resv:${orderId}`,
    parts: shard => `${tag(shard)}:parts`,
    ordersStream: shard => `${tag(shard)}:stream:orders`,
    stockStream: shard => `${tag(shard)}:stream:stock`,
    allShards: () => Array.from({ length: shards }, (_, i) => i),
  };
}
