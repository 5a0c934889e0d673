// Tunables of the stream workers, defaults merged then checked once (bad values fail at start-up).
// The defaults of the env-configurable ones are the config schema's (section `workers`): one source.
import type { Config } from '../../../platform/config';
import { configSchema, type ConfigEntry } from '../../../platform/config-schema';
import type { BackoffPolicy } from '../../../platform/mq/backoff';

export interface StreamLoopSettings {
  /** Entries per XREADGROUP / XAUTOCLAIM call: one MySQL transaction or one send burst each. */
  readonly batchSize: number;
  /** XREADGROUP BLOCK; also how long stop() may wait for an idle loop. */
  readonly blockMs: number;
  /** A pending entry idle this long belongs to a consumer presumed dead: XAUTOCLAIM takes it over. */
  readonly claimIdleMs: number;
  /** How often each loop looks for such entries. */
  readonly claimIntervalMs: number;
  /** Transient failures (MySQL/broker/Redis down): capped exponential backoff, batch kept in hand. */
  readonly backoff: BackoffPolicy;
  /** Data rejections an entry may collect before it is moved to the dead stream. */
  readonly maxAttempts: number;
  /** Lifetime of the per-stream rejection counters (refreshed on every rejection). */
  readonly attemptsTtlMs: number;
}

export interface StockWriterSettings extends StreamLoopSettings {
  readonly group: string;
}

export interface ForwarderSettings extends StreamLoopSettings {
  readonly group: string;
  readonly topic: string;
  readonly tag: string;
  /** How often the lag (age of the oldest unforwarded entry) is measured. */
  readonly lagProbeMs: number;
}

export interface TrimmerSettings {
  readonly intervalMs: number;
  /** Consumers with nothing pending and idle this long are removed from the groups (0 = never). */
  readonly deadConsumerIdleMs: number;
}

export interface WorkerSettings {
  readonly writer: StockWriterSettings;
  readonly forwarder: ForwarderSettings;
  readonly trimmer: TrimmerSettings;
}

export const STOCK_WRITER_GROUP = 'stock-writer';
export const ORDER_FORWARDER_GROUP = 'order-forwarder';
export const ORDER_CREATED_TOPIC = 'order-created';
export const ORDER_CREATED_TAG = 'created';

const defaultOf = <T>(e: ConfigEntry<T>): T => e.parse(e.default);
const w = configSchema.workers;

const loopDefaults: StreamLoopSettings = {
  batchSize: defaultOf(w.writerBatchSize),
  blockMs: defaultOf(w.blockMs),
  claimIdleMs: defaultOf(w.claimIdleMs),
  claimIntervalMs: defaultOf(w.claimIntervalMs),
  backoff: { initialMs: 200, maxMs: 5000, jitter: 0.2 },
  maxAttempts: defaultOf(w.maxAttempts),
  attemptsTtlMs: 7 * 24 * 60 * 60 * 1000,
};

export const DEFAULT_WORKER_SETTINGS: WorkerSettings = {
  writer: { ...loopDefaults, group: STOCK_WRITER_GROUP },
  forwarder: {
    ...loopDefaults,
    batchSize: defaultOf(w.forwarderBatchSize),
    group: ORDER_FORWARDER_GROUP,
    topic: ORDER_CREATED_TOPIC,
    tag: ORDER_CREATED_TAG,
    lagProbeMs: defaultOf(w.forwarderLagProbeMs),
  },
  trimmer: { intervalMs: defaultOf(w.trimIntervalMs), deadConsumerIdleMs: 60 * 60 * 1000 },
};

export interface WorkerSettingsOverrides {
  readonly writer?: Partial<StockWriterSettings>;
  readonly forwarder?: Partial<ForwarderSettings>;
  readonly trimmer?: Partial<TrimmerSettings>;
}

export interface WorkerPlan {
  /** startStockWorkers' `run`. */
  readonly run: { readonly writer: boolean; readonly forwarder: boolean; readonly trimmer: boolean };
  /** The cross-shard part sweeper (stock domain). */
  readonly sweeper: boolean;
  readonly settings: WorkerSettingsOverrides;
}

/**
 * What the productcatalog process runs, from config section `workers` (PRODUCTCATALOG_WORKERS and the
 * stream tunables) and the order-created topic the order service consumes (ORDER_CREATED_TOPIC).
 */
export function workerPlanFromConfig(config: Pick<Config, 'workers' | 'orderCore' | 'lifecycle'>): WorkerPlan {
  const c = config.workers;
  // WORKERS_ENABLED=false (hot-path pods) overrides the PRODUCTCATALOG_WORKERS list.
  const roles = new Set(config.lifecycle.workersEnabled ? c.run : []);
  const loop = { blockMs: c.blockMs, claimIdleMs: c.claimIdleMs, claimIntervalMs: c.claimIntervalMs, maxAttempts: c.maxAttempts };
  return {
    run: { writer: roles.has('writer'), forwarder: roles.has('forwarder'), trimmer: roles.has('trimmer') },
    sweeper: roles.has('sweeper'),
    settings: {
      writer: { ...loop, batchSize: c.writerBatchSize },
      forwarder: { ...loop, batchSize: c.forwarderBatchSize, lagProbeMs: c.forwarderLagProbeMs, topic: config.orderCore.createdTopic },
      trimmer: { intervalMs: c.trimIntervalMs },
    },
  };
}

function check(where: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`worker setting ${where} must be an integer ${min}-${max}, got ${String(value)}`);
  }
}

function checkLoop(name: string, s: StreamLoopSettings): void {
  check(`${name}.batchSize`, s.batchSize, 1, 10_000);
  check(`${name}.blockMs`, s.blockMs, 1, 60_000);
  check(`${name}.claimIdleMs`, s.claimIdleMs, 1);
  check(`${name}.claimIntervalMs`, s.claimIntervalMs, 1);
  check(`${name}.maxAttempts`, s.maxAttempts, 1, 1000);
  check(`${name}.attemptsTtlMs`, s.attemptsTtlMs, 1);
  check(`${name}.backoff.initialMs`, s.backoff.initialMs, 1);
  check(`${name}.backoff.maxMs`, s.backoff.maxMs, s.backoff.initialMs);
  if (!(s.backoff.jitter >= 0 && s.backoff.jitter <= 1)) throw new RangeError(`worker setting ${name}.backoff.jitter must be 0..1`);
}

export function resolveWorkerSettings(o: WorkerSettingsOverrides = {}): WorkerSettings {
  const d = DEFAULT_WORKER_SETTINGS;
  const s: WorkerSettings = {
    writer: { ...d.writer, ...o.writer },
    forwarder: { ...d.forwarder, ...o.forwarder },
    trimmer: { ...d.trimmer, ...o.trimmer },
  };
  checkLoop('writer', s.writer);
  checkLoop('forwarder', s.forwarder);
  check('forwarder.lagProbeMs', s.forwarder.lagProbeMs, 1);
  check('trimmer.intervalMs', s.trimmer.intervalMs, 1);
  check('trimmer.deadConsumerIdleMs', s.trimmer.deadConsumerIdleMs, 0);
  if (s.writer.group === s.forwarder.group) throw new RangeError('writer and forwarder groups must differ');
  for (const [k, v] of [['writer.group', s.writer.group], ['forwarder.group', s.forwarder.group], ['forwarder.topic', s.forwarder.topic]] as const) {
    if (!/^[A-Za-z0-9_.%:-]{1,128}$/.test(v)) throw new RangeError(`worker setting ${k} is not a valid name: "${v}"`);
  }
  return Object.freeze({
    writer: Object.freeze({ ...s.writer, backoff: Object.freeze({ ...s.writer.backoff }) }),
    forwarder: Object.freeze({ ...s.forwarder, backoff: Object.freeze({ ...s.forwarder.backoff }) }),
    trimmer: Object.freeze({ ...s.trimmer }),
  });
}
