// Records the "accepted" stage of the reconciliation: an observer consumer group on every orders stream
// reads each order-created record once and adds its id (scored by the record's ts = acceptance time) to
// the accepted set, then acks. Its own group — not the forwarder — so the count is an independent
// witness of what the Reserve script accepted, and the trimmer (floor = min over ALL groups) keeps every
// entry until the observer has seen it. Non-blocking reads on the shared client, run by the ledger job;
// a crash between record and ack re-reads the entry, and ZADD NX makes that harmless.
// Decommissioning the ledger service: `XGROUP DESTROY <orders stream> GID_ledger` per shard, or the
// streams stop being trimmed.
import type { RedisClient } from '../../platform/redis';
import type { StockKeys } from '../productcatalog/stock';
import { ensureGroup, isNoGroupError } from '../productcatalog/workers/stream-group';
import { readGroupEntries, type StreamEntry } from '../productcatalog/workers/stream-entries';
import { recordAcceptedOrders } from './reconciliation-counters';

export const LEDGER_OBSERVER_GROUP = 'GID_ledger';

export interface AcceptedObserverDeps {
  readonly redis: RedisClient;
  readonly keys: StockKeys;
  /** Default "ledger" for every replica: a restarted or second replica re-reads the same pending
   * entries (harmless: ZADD NX, XACK twice), so no entry waits forever on a dead consumer. */
  readonly consumer?: string;
  readonly group?: string;
  readonly reconNamespace?: string;
  readonly batchSize?: number;
}

export interface AcceptedObserver {
  /** Reads every shard's new (and own pending) entries until none is left; returns how many were recorded. */
  pollOnce(): Promise<number>;
}

function acceptedOf(entries: readonly StreamEntry[]): { orderId: string; atMs: number }[] {
  const out: { orderId: string; atMs: number }[] = [];
  for (const e of entries) {
    let orderId: string | undefined;
    let ts: number | undefined;
    for (let i = 0; i + 1 < e.fields.length; i += 2) {
      if (e.fields[i] === 'order' && orderId === undefined) orderId = e.fields[i + 1];
      if (e.fields[i] === 'ts' && ts === undefined) ts = Number(e.fields[i + 1]);
    }
    // Unreadable entries are the forwarder's to dead-letter; the observer only counts readable ones.
    if (orderId && orderId.length <= 128 && ts !== undefined && Number.isSafeInteger(ts) && ts >= 0) out.push({ orderId, atMs: ts });
  }
  return out;
}

export function createAcceptedObserver(deps: AcceptedObserverDeps): AcceptedObserver {
  const { redis, keys } = deps;
  const consumer = deps.consumer ?? 'ledger';
  const group = deps.group ?? LEDGER_OBSERVER_GROUP;
  const count = deps.batchSize ?? 500;
  const ready = new Set<string>();

  async function readBatch(stream: string, from: '0' | '>'): Promise<StreamEntry[]> {
    if (!ready.has(stream)) {
      await ensureGroup(redis, stream, group);
      ready.add(stream);
    }
    try {
      return readGroupEntries(await redis.xreadgroup('GROUP', group, consumer, 'COUNT', count, 'STREAMS', stream, from));
    } catch (err) {
      if (!isNoGroupError(err)) throw err;
      ready.delete(stream); // stream deleted meanwhile: recreate the group next time
      return [];
    }
  }

  async function drainStream(stream: string): Promise<number> {
    let recorded = 0;
    // Own pending first (a previous pass died between record and ack), then new entries.
    for (const from of ['0', '>'] as const) {
      for (;;) {
        const entries = await readBatch(stream, from);
        if (entries.length === 0) break;
        const accepted = acceptedOf(entries);
        await recordAcceptedOrders(redis, accepted, { namespace: deps.reconNamespace });
        await redis.xack(stream, group, ...entries.map(e => e.id));
        recorded += accepted.length;
        if (entries.length < count) break;
      }
    }
    return recorded;
  }

  return {
    async pollOnce() {
      let n = 0;
      for (const shard of keys.allShards()) n += await drainStream(keys.ordersStream(shard));
      return n;
    },
  };
}
