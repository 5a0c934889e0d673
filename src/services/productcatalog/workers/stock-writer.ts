// Stock write-behind worker: one consumer-group loop per stock shard stream ({inv:N}:stream:stock),
// each batch applied to MySQL in one transaction (stock-applier.ts) and acked only after COMMIT, through
// the stock domain's ack script so the items' synced counters (warm-up safety) move in the same step.
//   - unparseable entries: dead stream at once (retrying cannot change their bytes);
//   - data rejections (unknown product, stock would go negative, a row MySQL refuses): counted per entry
//     and left pending, so XAUTOCLAIM brings them back; after maxAttempts they go to the dead stream
//     (through the stock domain's dead-letter script: not counted as synced, so warm-up refuses the
//     items until scripts/stock-reconcile.ts deals with them);
//   - anything else (MySQL down, deadlock, grants revoked, Redis down): no ack, no count; the batch is
//     retried in hand with backoff. Never ack what was not applied (seckill.md 1.11 i).
import type { Clock } from '../../../platform/clock';
import type { Db } from '../../../platform/db';
import { classifyDbError, dbErrorReason } from '../../../platform/db-errors';
import type { Logger } from '../../../platform/logger';
import type { RedisClient } from '../../../platform/redis';
import { repoFlushEntries, repoFlushSuccess } from '../../../platform/metrics/app-metrics';
import { parseStockChange, type DeadStockEntry, type StockChangeRecord, type StockService } from '../stock';
import { createDeadLetterer } from './dead-stream';
import { applyStockBatch, type ApplyHooks } from './stock-applier';
import type { Rejection, StockPlan } from './stock-plan';
import type { StreamEntry } from './stream-entries';
import { startStreamLoop, type StreamLoop, type StreamLoopStats } from './stream-reader';
import type { StockWriterSettings } from './worker-settings';

export interface StockWriterHooks extends ApplyHooks {
  /** After COMMIT, before the ack (tests: crash there). */
  afterCommit?(outcome: BatchOutcome): void | Promise<void>;
}

export interface StockWriterDeps {
  readonly redis: RedisClient;
  /** A new dedicated connection for one loop's blocking reads (the loop closes it). */
  readonly openBlocking: (name: string) => Promise<RedisClient>;
  readonly db: Db;
  readonly stock: Pick<StockService, 'keys' | 'ackApplied' | 'deadLetter'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: StockWriterSettings;
  /** Unique per process (uniqueConsumerName). */
  readonly consumer: string;
  readonly hooks?: StockWriterHooks;
}

export interface BatchOutcome {
  readonly applied: readonly StockChangeRecord[];
  readonly already: readonly StockChangeRecord[];
  readonly rejected: readonly Rejection[];
  readonly driftLines: number;
}

export interface StockWriterStats {
  /** Entries whose deltas this process committed to MySQL. */
  readonly applied: number;
  /** Entries found already applied (redeliveries, replays, another replica's work) and just acked. */
  readonly alreadyApplied: number;
  /** Data rejections (each attempt counts). */
  readonly rejected: number;
  readonly deadLettered: number;
  readonly batches: number;
  /** Applied lines whose MySQL result differed from Redis's figure then (replicas or retries reorder; informative). */
  readonly driftLines: number;
  readonly loops: readonly StreamLoopStats[];
}

export interface StockWriter {
  stop(): Promise<void>;
  stats(): StockWriterStats;
}

const unique = <T>(xs: readonly T[]): T[] => [...new Set(xs)];

function outcomeOf(plan: StockPlan): BatchOutcome {
  return { applied: plan.apply, already: plan.already, rejected: plan.rejected, driftLines: plan.drift.length };
}

export async function startStockWriter(deps: StockWriterDeps): Promise<StockWriter> {
  const { redis, db, stock, clock, settings, consumer, hooks = {} } = deps;
  const log = deps.logger.child({ worker: 'stock-writer', consumer });
  const keys = stock.keys;
  // Only its rejection counters: dead-lettering itself goes through stock.deadLetter.
  const rejections = createDeadLetterer({ redis, clock, consumer, attemptsTtlMs: settings.attemptsTtlMs });

  async function deadLetter(shard: number, entries: readonly DeadStockEntry[]): Promise<void> {
    const { dead, skipped } = await stock.deadLetter(shard, settings.group, entries, { consumer, now: clock.now() });
    totals.deadLettered += dead;
    if (skipped > 0) log.warn({ shard, skipped }, 'entries given up on were already settled (dead before): acked without a second dead copy');
  }
  const totals = { applied: 0, alreadyApplied: 0, rejected: 0, deadLettered: 0, batches: 0, driftLines: 0 };

  /** The batch in one transaction; on a data error, entry by entry to find the culprit. */
  async function apply(stream: string, records: readonly StockChangeRecord[]): Promise<BatchOutcome> {
    try {
      return outcomeOf(await applyStockBatch(db, stream, records, hooks));
    } catch (err) {
      if (classifyDbError(err) !== 'data') throw err;
      if (records.length === 1) return { applied: [], already: [], rejected: [{ record: records[0]!, reason: dbErrorReason(err) }], driftLines: 0 };
      log.warn({ stream, err: dbErrorReason(err), size: records.length }, 'batch refused by MySQL; applying entry by entry');
      const parts: BatchOutcome[] = [];
      for (const record of records) parts.push(await apply(stream, [record]));
      return {
        applied: parts.flatMap(p => p.applied),
        already: parts.flatMap(p => p.already),
        rejected: parts.flatMap(p => p.rejected),
        driftLines: parts.reduce((n, p) => n + p.driftLines, 0),
      };
    }
  }

  function handlerFor(shard: number) {
    const stream = keys.stockStream(shard);
    return async (entries: readonly StreamEntry[]): Promise<readonly StreamEntry[]> => {
      const records: StockChangeRecord[] = [];
      const poison: DeadStockEntry[] = [];
      for (const entry of entries) {
        const dead = (reason: string) => poison.push({ id: entry.id, fields: entry.fields, reason, attempts: 0 });
        try {
          const record = parseStockChange(entry.id, entry.fields);
          const stray = record.lines.find(l => keys.shardOf(l.sku) !== shard);
          if (stray) dead(`product ${stray.sku} does not belong to stock shard ${shard}`);
          else records.push(record);
        } catch (err) {
          dead(err instanceof Error ? err.message : String(err));
        }
      }
      if (poison.length > 0) {
        await deadLetter(shard, poison);
        log.error({ stream, entries: poison.map(p => ({ id: p.id, reason: p.reason })) }, 'unreadable stock entries moved to the dead stream');
      }
      if (records.length === 0) return [];

      const outcome = await apply(stream, records);
      totals.batches += 1;
      totals.applied += outcome.applied.length;
      totals.alreadyApplied += outcome.already.length;
      totals.driftLines += outcome.driftLines;
      if (outcome.applied.length > 0) {
        repoFlushSuccess.inc();
        repoFlushEntries.inc(outcome.applied.length);
      }
      await hooks.afterCommit?.(outcome);

      const finished = [...outcome.applied, ...outcome.already];
      if (finished.length > 0) {
        await stock.ackApplied(shard, settings.group, finished.map(r => ({ id: r.id, skus: unique(r.lines.map(l => l.sku)) })));
      }
      if (outcome.rejected.length > 0) await reject(shard, outcome.rejected, entries);
      return [];
    };
  }

  /** Counted, left pending (XAUTOCLAIM brings them back) until maxAttempts, then dead-lettered. */
  async function reject(shard: number, rejected: readonly Rejection[], entries: readonly StreamEntry[]): Promise<void> {
    const stream = keys.stockStream(shard);
    totals.rejected += rejected.length;
    const counts = await rejections.countRejections(stream, rejected.map(r => r.record.id));
    const byId = new Map(entries.map(e => [e.id, e]));
    const giveUp: DeadStockEntry[] = [];
    rejected.forEach((r, i) => {
      const attempts = counts[i]!;
      if (attempts >= settings.maxAttempts) giveUp.push({ id: r.record.id, fields: byId.get(r.record.id)!.fields, reason: r.reason, attempts });
    });
    const waiting = rejected.filter(r => !giveUp.some(g => g.id === r.record.id));
    if (waiting.length > 0) {
      log.warn({ stream, entries: waiting.map(r => ({ id: r.record.id, reason: r.reason })) }, 'stock entries rejected by MySQL checks; left pending for a retry');
    }
    if (giveUp.length > 0) {
      await deadLetter(shard, giveUp);
      log.error({ stream, entries: giveUp.map(g => ({ id: g.id, reason: g.reason, attempts: g.attempts })) }, 'stock entries moved to the dead stream: MySQL is missing these changes (make stock-reconcile)');
    }
  }

  const loops: StreamLoop[] = [];
  try {
    for (const shard of keys.allShards()) {
      const blocking = await deps.openBlocking(`stock-writer:${shard}`);
      loops.push(
        startStreamLoop({
          stream: keys.stockStream(shard),
          group: settings.group,
          consumer,
          redis,
          blocking,
          settings,
          clock,
          logger: log,
          handle: handlerFor(shard),
        }),
      );
    }
  } catch (err) {
    await Promise.all(loops.map(l => l.stop()));
    throw err;
  }
  log.info({ shards: keys.shards, group: settings.group }, 'stock write-behind worker started');

  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= Promise.all(loops.map(l => l.stop())).then(() => log.info(totals, 'stock write-behind worker stopped'));
      return stopping;
    },
    stats: () => ({ ...totals, loops: loops.map(l => l.stats()) }),
  };
}
