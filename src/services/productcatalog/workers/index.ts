// The productcatalog service's background workers behind the Redis stock core:
//   stock write-behind (stock streams → MySQL), forwarder (orders streams → RocketMQ order-created),
//   stream retention (trim what every group acked). Each is safe to run in several replicas at once.
import type { Clock } from '../../../platform/clock';
import type { Db } from '../../../platform/db';
import type { Logger } from '../../../platform/logger';
import type { MqProducer } from '../../../platform/mq';
import type { RedisClient } from '../../../platform/redis';
import type { StockService } from '../stock';
import { startOrderForwarder, type ForwarderHooks, type ForwarderStats, type OrderForwarder } from './order-forwarder';
import { startStockWriter, type StockWriter, type StockWriterHooks, type StockWriterStats } from './stock-writer';
import { uniqueConsumerName } from './stream-group';
import { startStreamTrimmer, type StreamTrimmer, type TrimTarget, type TrimmerStats } from './stream-trimmer';
import { resolveWorkerSettings, type WorkerSettings, type WorkerSettingsOverrides } from './worker-settings';

/** What the workers use of the stock domain. */
export type StockWorkersStock = Pick<StockService, 'keys' | 'ackApplied' | 'deadLetter' | 'pruneSettled'>;

export interface StockWorkersDeps {
  /** Shared non-blocking client (acks, claims, scripts); the stock service's client is fine. */
  readonly redis: RedisClient;
  /** Opens a new dedicated connection for one loop's blocking reads (Runtime.blockingRedis). */
  readonly openBlocking: (name: string) => Promise<RedisClient>;
  readonly stock: StockWorkersStock;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Needed by the write-behind worker. */
  readonly db?: Db;
  /** Needed by the forwarder: a factory of unstarted producers listing the order-created topic. */
  readonly createProducer?: () => MqProducer;
  readonly settings?: WorkerSettingsOverrides;
  /** Which workers run here; default all three (config: PRODUCTCATALOG_WORKERS). */
  readonly run?: { readonly writer?: boolean; readonly forwarder?: boolean; readonly trimmer?: boolean };
  /** Consumer name; default unique per process. */
  readonly consumer?: string;
  readonly hooks?: { readonly writer?: StockWriterHooks; readonly forwarder?: ForwarderHooks };
  /** Forwarder lag after every probe (ms); wire a gauge here. */
  readonly onForwarderLag?: (lagMs: number) => void;
}

export interface StockWorkersStats {
  readonly writer: StockWriterStats | null;
  readonly forwarder: ForwarderStats | null;
  readonly trimmer: TrimmerStats | null;
}

export interface StockWorkers {
  readonly settings: WorkerSettings;
  readonly consumer: string;
  /** Graceful: each loop finishes its batch in hand (commit + ack / send + ack), then connections close. */
  stop(): Promise<void>;
  stats(): StockWorkersStats;
  readonly writer: StockWriter | null;
  readonly forwarder: OrderForwarder | null;
  readonly trimmer: StreamTrimmer | null;
}

/** The streams and the groups that must have acked an entry before it may be trimmed. */
export function trimTargets(stock: Pick<StockService, 'keys' | 'pruneSettled'>, settings: WorkerSettings): TrimTarget[] {
  const { keys } = stock;
  return keys.allShards().flatMap(shard => [
    { stream: keys.stockStream(shard), groups: [settings.writer.group], afterTrim: (floor: string) => stock.pruneSettled(shard, floor) },
    { stream: keys.ordersStream(shard), groups: [settings.forwarder.group] },
  ]);
}

export async function startStockWorkers(deps: StockWorkersDeps): Promise<StockWorkers> {
  const settings = resolveWorkerSettings(deps.settings);
  const consumer = deps.consumer ?? uniqueConsumerName('pc');
  const want = { writer: true, forwarder: true, trimmer: true, ...deps.run };
  const { redis, clock, logger, stock } = deps;

  let writer: StockWriter | null = null;
  let forwarder: OrderForwarder | null = null;
  let trimmer: StreamTrimmer | null = null;

  if (want.writer) {
    if (!deps.db) throw new TypeError('startStockWorkers: the write-behind worker needs db');
    writer = await startStockWriter({
      redis, openBlocking: deps.openBlocking, db: deps.db, stock, clock, logger, settings: settings.writer, consumer, hooks: deps.hooks?.writer,
    });
  }
  if (want.forwarder) {
    if (!deps.createProducer) {
      await writer?.stop();
      throw new TypeError('startStockWorkers: the forwarder needs createProducer');
    }
    forwarder = startOrderForwarder({
      redis, openBlocking: deps.openBlocking, keys: stock.keys, createProducer: deps.createProducer, clock, logger,
      settings: settings.forwarder, consumer, hooks: deps.hooks?.forwarder, onLag: deps.onForwarderLag,
    });
  }
  if (want.trimmer) {
    trimmer = startStreamTrimmer({ redis, targets: () => trimTargets(stock, settings), clock, logger, settings: settings.trimmer });
  }

  let stopping: Promise<void> | undefined;
  return {
    settings,
    consumer,
    writer,
    forwarder,
    trimmer,
    stop() {
      stopping ??= Promise.all([writer?.stop(), forwarder?.stop(), trimmer?.stop()]).then(() => undefined);
      return stopping;
    },
    stats: () => ({ writer: writer?.stats() ?? null, forwarder: forwarder?.stats() ?? null, trimmer: trimmer?.stats() ?? null }),
  };
}

export {
  resolveWorkerSettings,
  workerPlanFromConfig,
  DEFAULT_WORKER_SETTINGS,
  STOCK_WRITER_GROUP,
  ORDER_FORWARDER_GROUP,
  ORDER_CREATED_TOPIC,
  ORDER_CREATED_TAG,
} from './worker-settings';
export type { WorkerSettings, WorkerSettingsOverrides, WorkerPlan, StockWriterSettings, ForwarderSettings, TrimmerSettings } from './worker-settings';
export type { StockWriter, StockWriterStats, StockWriterHooks } from './stock-writer';
export type { OrderForwarder, ForwarderStats, ForwarderHooks } from './order-forwarder';
export type { StreamTrimmer, TrimmerStats, TrimResult, TrimTarget } from './stream-trimmer';
export { deadStreamOf } from './dead-stream';
export { uniqueConsumerName } from './stream-group';
