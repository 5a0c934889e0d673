// Redis key layout. Every key of shard N carries the hash tag {inv:N} ({<ns>:inv:N} with a namespace),
// so each script's keys share one cluster slot; SKUs are spread over the shards by shard-router.ts.
//   {inv:N}:item:<sku>     hash stock, limit, seq, synced, warmed_at
//   {inv:N}:buyers:<sku>   hash user -> quantity held
//   {inv:N}:resv:<order>   hash: the order's reservation record on this shard (idempotency)
//   {inv:N}:parts          zset order -> ts: cross-shard parts not yet committed (crash recovery)
//   {inv:N}:stream:orders  order-created records;  {inv:N}:stream:stock  stock-change records
//   <stream>:dead          entries the workers gave up on, with the reason (dead-letter streams)
//   <stream>:attempts      hash entry id -> data rejections so far
//   {inv:N}:stream:stock:settled        zset: stock entry ids whose synced accounting is settled (settled-ids.ts)
//   {inv:N}:stream:stock:settled-floor  string: ids below it count as settled (the set is pruned up to it)
// Keys derived from a stream name append to it, so they keep its hash tag (same slot as the stream).
import { shardOf } from './shard-router';

/** Dead-letter stream of a source stream. */
export const deadStreamOf = (stream: string): string => `${stream}:dead`;
/** Per-stream hash entry id -> data rejections so far. */
export const attemptsKeyOf = (stream: string): string => `${stream}:attempts`;

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
  /** Dead-letter stream of the shard's stock stream. */
  stockDeadStream(shard: number): string;
  /** Rejection counters of the shard's stock stream entries. */
  stockAttempts(shard: number): string;
  /** Stock entry ids already settled for the synced counters (zset scored by the id's ms). */
  stockSettled(shard: number): string;
  /** Ids below this stream id count as settled (the zset is pruned up to it). */
  stockSettledFloor(shard: number): string;
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
  const stockStream = (shard: number) => `${tag(shard)}:stream:stock`;
  return {
    shards,
    shardOf: sku => shardOf(sku, shards),
    tag,
    item: (shard, sku) => `${tag(shard)}:item:${sku}`,
    buyers: (shard, sku) => `${tag(shard)}:buyers:${sku}`,
    resv: (shard, orderId) => `${tag(shard)}:resv:${orderId}`,
    parts: shard => `${tag(shard)}:parts`,
    ordersStream: shard => `${tag(shard)}:stream:orders`,
    stockStream,
    stockDeadStream: shard => deadStreamOf(stockStream(shard)),
    stockAttempts: shard => attemptsKeyOf(stockStream(shard)),
    stockSettled: shard => `${stockStream(shard)}:settled`,
    stockSettledFloor: shard => `${stockStream(shard)}:settled-floor`,
    allShards: () => Array.from({ length: shards }, (_, i) => i),
  };
}
