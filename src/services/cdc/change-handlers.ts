// The two CDC consumers' per-event logic, and the batch handler around it (decode, dedupe, ack/retry).
//  products: drop the product's catalog cache entries (the next GetProduct reads MySQL), and bring a
//            manual stock edit to Redis (stock-repair.ts);
//  orders:   repair the buyer's result key + push channel (result-repair.ts); an INSERT also records the
//            binlog stage of the reconciliation counters.
import { RowChangeOp, RowChanged } from '../../gen/shop/v1/events';
import type { Logger } from '../../platform/logger';
import { ack, retryLater, type MqBatchHandler, type MqOutcome } from '../../platform/mq';
import type { RedisClient } from '../../platform/redis';
import { recordBinlogOrderInsert } from '../ledger/reconciliation-counters';
import type { Catalog } from '../productcatalog/catalog/catalog';
import { manualStockDelta } from './change-events';
import { handled, stockRepairs } from './cdc-metrics';
import type { Dedupe } from './dedupe';
import { orderRowFacts, type ResultRepair } from './result-repair';
import { datetimeColumn } from './row-values';
import type { StockRepair } from './stock-repair';

export type ApplyChange = (event: RowChanged, key: string) => Promise<void>;

export interface ConsumerStats {
  applied: number;
  duplicates: number;
  retried: number;
  skipped: number;
}

export function productChangeHandler(deps: { catalog: Pick<Catalog, 'invalidate'>; stock: StockRepair; logger: Logger }): ApplyChange {
  return async (event, key) => {
    const sku = event.primaryKey;
    await deps.catalog.invalidate(sku);
    const delta = manualStockDelta(event);
    if (delta === 0n) return;
    const committedAtMs = event.committedAt?.getTime() ?? 0;
    const outcome = await deps.stock.apply(sku, delta, key, committedAtMs);
    stockRepairs.inc({ outcome: outcome.kind });
    deps.logger.info({ sku, delta: delta.toString(), outcome: outcome.kind, key }, 'manual stock edit seen in the binlog');
  };
}

export function orderChangeHandler(deps: {
  redis: RedisClient;
  results: ResultRepair;
  reconNamespace?: string;
}): ApplyChange {
  return async event => {
    const committedAtMs = event.committedAt?.getTime() ?? 0;
    if (event.op === RowChangeOp.ROW_CHANGE_OP_DELETE) return;
    const facts = orderRowFacts(event.after, committedAtMs);
    if (!facts) return;
    if (event.op === RowChangeOp.ROW_CHANGE_OP_INSERT) {
      const atMs = datetimeColumn(event.after, 'reserved_at') ?? datetimeColumn(event.after, 'created_at') ?? committedAtMs;
      await recordBinlogOrderInsert(deps.redis, facts.orderId, atMs, deps.reconNamespace ? { namespace: deps.reconNamespace } : {});
    }
    await deps.results.repair(facts);
  };
}

/**
 * Decodes each message, drops replays (dedupe by event key), applies, marks. Messages of one row arrive
 * in order (FIFO group) and one at a time per group, so a retry keeps the row's later changes waiting.
 */
export function changeBatchHandler(deps: {
  name: string;
  apply: ApplyChange;
  dedupe: Dedupe;
  retryMs: number;
  logger: Logger;
  stats?: ConsumerStats;
  /** This consumer's database: events of another one (or unstamped) are acked unapplied. */
  database?: string;
}): MqBatchHandler {
  const stats = deps.stats ?? { applied: 0, duplicates: 0, retried: 0, skipped: 0 };
  const count = (result: keyof ConsumerStats, label: string) => {
    stats[result]++;
    handled.inc({ consumer: deps.name, result: label });
  };
  return async batch => {
    const outcomes: MqOutcome[] = [];
    // A row whose change failed keeps its later changes in this batch waiting too (order per row).
    const blocked = new Set<string>();
    for (const message of batch) {
      const group = message.messageGroup ?? '';
      if (group && blocked.has(group)) {
        count('retried', 'retry');
        outcomes.push(retryLater(deps.retryMs));
        continue;
      }
      let event: RowChanged;
      try {
        event = RowChanged.decode(message.body);
      } catch (err) {
        deps.logger.warn({ messageId: message.messageId, reason: (err as Error).message }, 'unreadable RowChanged message dropped');
        count('skipped', 'skipped');
        outcomes.push(ack);
        continue;
      }
      if (deps.database && event.database !== deps.database) {
        count('skipped', 'other-database');
        outcomes.push(ack);
        continue;
      }
      const key = message.keys[0] ?? '';
      try {
        if (key && (await deps.dedupe.seen(key))) {
          count('duplicates', 'duplicate');
        } else {
          await deps.apply(event, key);
          if (key) await deps.dedupe.mark(key);
          count('applied', 'applied');
        }
        outcomes.push(ack);
      } catch (err) {
        deps.logger.warn({ key, reason: (err as Error).message, attempt: message.deliveryAttempt }, 'applying a change event failed; retrying later');
        count('retried', 'retry');
        outcomes.push(retryLater(deps.retryMs));
        if (group) blocked.add(group);
      }
    }
    return outcomes;
  };
}
