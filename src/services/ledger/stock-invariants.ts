// Per-SKU invariants of ARCHITECTURE.md §5, pure over an ItemSnapshot:
//   no negative stock or holding (always judged);
//   no user above the per-user limit, in Redis (buyers hash) or in MySQL (live orders) (always judged);
//   MySQL stock = Redis stock, judged once the item is synced (seq = synced: MySQL has every change);
//   conservation, judged once the item is synced: units held by buyers = − Σ applied deltas (stock_log),
//   and once the whole pipeline settled: initial stock = Redis stock + units of live orders in MySQL,
//   where initial = MySQL stock − Σ applied deltas (what was warmed/added, whatever the history).
// A snapshot taken while the item changed (`consistent` false) or with changes MySQL lacks is IN_FLIGHT.
import type { Breach, ItemLedger, ItemSnapshot } from './types';

export interface ItemJudgement {
  readonly ledger: ItemLedger;
  readonly breaches: Breach[];
}

export interface ItemContext {
  /** The item did not change between the Redis reads around the MySQL read. */
  readonly consistent: boolean;
  /** Nothing accepted is waiting for its row and no cancellation waits for its release (window). */
  readonly pipelineSettled: boolean;
}

const sum = (values: Iterable<number>): number => {
  let n = 0;
  for (const v of values) n += v;
  return n;
};

export function checkItem(item: ItemSnapshot, ctx: ItemContext): ItemJudgement {
  const breaches: Breach[] = [];
  const { sku, redis, mysql } = item;
  const reserved = sum(item.buyers.values());
  const initial = mysql ? mysql.stock - item.loggedNet : null;
  const unsynced = redis ? redis.seq - redis.synced : 0;
  const add = (b: Omit<Breach, 'sku'>) => breaches.push({ sku, ...b });

  if (redis && redis.stock < 0) add({ invariant: 'stock-non-negative', detail: `Redis stock is ${redis.stock}` });
  if (mysql && mysql.stock < 0) add({ invariant: 'stock-non-negative', detail: `MySQL stock is ${mysql.stock}` });
  for (const [userId, qty] of item.buyers) {
    if (qty < 0) add({ invariant: 'stock-non-negative', userId, detail: `user holds ${qty} units in Redis` });
  }

  const limit = redis?.limit ?? 0;
  const overRedis = new Set<string>();
  if (limit > 0) {
    for (const [userId, qty] of item.buyers) {
      if (qty > limit) {
        overRedis.add(userId);
        add({ invariant: 'per-user-limit', userId, detail: `user holds ${qty} units in Redis, limit ${limit}` });
      }
    }
  }
  for (const o of item.mysqlOverLimit) {
    if (!overRedis.has(o.userId)) {
      add({ invariant: 'per-user-limit', userId: o.userId, detail: `user has ${o.qty} units in live orders, limit ${mysql?.perUserLimit ?? limit}` });
    }
  }

  let judged = false;
  if (redis && mysql && ctx.consistent && unsynced === 0) {
    judged = true;
    if (redis.stock !== mysql.stock) {
      add({ invariant: 'redis-equals-mysql', detail: `Redis stock ${redis.stock} ≠ MySQL stock ${mysql.stock} with every change applied` });
    }
    if (reserved !== -item.loggedNet) {
      add({ invariant: 'stock-conservation', detail: `buyers hold ${reserved} units in Redis but applied changes took ${-item.loggedNet}` });
    }
    if (ctx.pipelineSettled && initial !== null && initial !== redis.stock + item.heldQty) {
      add({
        invariant: 'stock-conservation',
        detail: `initial ${initial} ≠ Redis stock ${redis.stock} + live orders ${item.heldQty} (off by ${initial - redis.stock - item.heldQty})`,
      });
    }
  }

  const state: ItemLedger['state'] =
    breaches.length > 0 ? 'BREACH' : !redis ? 'NOT_WARMED' : judged && ctx.pipelineSettled ? 'CLEAN' : 'IN_FLIGHT';
  return {
    breaches,
    ledger: {
      sku,
      shard: item.shard,
      redisStock: redis ? redis.stock : null,
      mysqlStock: mysql ? mysql.stock : null,
      reserved,
      ordered: item.heldQty,
      initial,
      unsynced,
      state,
    },
  };
}
