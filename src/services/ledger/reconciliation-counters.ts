// Reconciliation counters (seed 000 part C): which order ids each stage of the pipeline has seen.
//   accepted  — the Reserve script wrote the order-created record (recorded by the ledger's own stream observer)
//   persisted — the `orders` row exists (read from MySQL by the checker, so a deleted row shows up)
//   binlog    — the CDC worker saw the row's INSERT in the MariaDB binlog (recordBinlogOrderInsert)
// Each recorded stage is one sorted set (member = order id, score = ms), all under one hash tag so they
// share a Redis Cluster slot. ZADD NX makes recording idempotent per order id: the first sighting keeps
// its time, replays (CDC restart, stream redelivery) change nothing. Pruned by age in `pruneRecorded`.
import type { RedisClient } from '../../platform/redis';

export type RecordedStage = 'accepted' | 'binlog';

const NAMESPACE_RE = /^[A-Za-z0-9_.-]{0,64}$/;

export interface ReconKeys {
  readonly accepted: string;
  readonly binlog: string;
}

/** `{recon}:accepted`, `{recon}:binlog` (`{<ns>:recon}:…` with a test namespace, like the stock keys). */
export function reconKeys(namespace = ''): ReconKeys {
  if (!NAMESPACE_RE.test(namespace)) throw new RangeError('recon namespace may hold only letters, digits, "_", "." and "-"');
  const tag = namespace ? `{${namespace}:recon}` : '{recon}';
  return { accepted: `${tag}:accepted`, binlog: `${tag}:binlog` };
}

export interface RecordOptions {
  /** Test key namespace (the same one given to the stock keys); empty in production. */
  readonly namespace?: string;
}

function checkId(orderId: string): void {
  if (typeof orderId !== 'string' || orderId.length === 0 || orderId.length > 128) throw new RangeError('order id must be 1-128 characters');
}

function checkTime(atMs: number): void {
  if (!Number.isSafeInteger(atMs) || atMs < 0) throw new RangeError('atMs must be a non-negative integer (epoch ms)');
}

/**
 * The binlog stage: call once per INSERT into `orders` seen in the binlog (replays are harmless).
 * `atMs`: the row's `reserved_at` (else `created_at`) in epoch ms when the row image has it — the same
 * acceptance time the other stages bucket by — otherwise the binlog event's timestamp.
 */
export async function recordBinlogOrderInsert(redis: RedisClient, orderId: string, atMs: number, opts: RecordOptions = {}): Promise<void> {
  checkId(orderId);
  checkTime(atMs);
  await redis.zadd(reconKeys(opts.namespace).binlog, 'NX', atMs, orderId);
}

/** The accepted stage (many ids at once, from the ledger's stream observer). Idempotent per id. */
export async function recordAcceptedOrders(
  redis: RedisClient,
  orders: readonly { readonly orderId: string; readonly atMs: number }[],
  opts: RecordOptions = {},
): Promise<void> {
  if (orders.length === 0) return;
  const args: (string | number)[] = [];
  for (const o of orders) {
    checkId(o.orderId);
    checkTime(o.atMs);
    args.push(o.atMs, o.orderId);
  }
  await redis.zadd(reconKeys(opts.namespace).accepted, 'NX', ...args);
}

/** Ids recorded at a stage with time in [fromMs, toMs): order id → ms. */
export async function readRecorded(
  redis: RedisClient,
  stage: RecordedStage,
  fromMs: number,
  toMs: number,
  opts: RecordOptions = {},
): Promise<Map<string, number>> {
  const key = reconKeys(opts.namespace)[stage];
  const flat = await redis.zrangebyscore(key, fromMs, `(${toMs}`, 'WITHSCORES');
  const out = new Map<string, number>();
  for (let i = 0; i + 1 < flat.length; i += 2) out.set(flat[i]!, Number(flat[i + 1]));
  return out;
}

/** Score of each id at a stage (null = not recorded), in the given order. */
export async function recordedTimes(
  redis: RedisClient,
  stage: RecordedStage,
  orderIds: readonly string[],
  opts: RecordOptions = {},
): Promise<(number | null)[]> {
  if (orderIds.length === 0) return [];
  const key = reconKeys(opts.namespace)[stage];
  const out: (number | null)[] = [];
  for (let i = 0; i < orderIds.length; i += 1000) {
    const scores = await redis.zmscore(key, ...orderIds.slice(i, i + 1000));
    for (const s of scores) out.push(s === null ? null : Number(s));
  }
  return out;
}

/** Drops ids older than `beforeMs` at every recorded stage (retention); returns how many went. */
export async function pruneRecorded(redis: RedisClient, beforeMs: number, opts: RecordOptions = {}): Promise<number> {
  const keys = reconKeys(opts.namespace);
  const a = await redis.zremrangebyscore(keys.accepted, '-inf', `(${beforeMs}`);
  const b = await redis.zremrangebyscore(keys.binlog, '-inf', `(${beforeMs}`);
  return Number(a) + Number(b);
}
