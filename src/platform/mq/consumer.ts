import { SimpleConsumer, type MessageView } from 'rocketmq-client-nodejs';
import { backoffDelay, defaultReceiveBackoff, type BackoffPolicy } from './backoff';
import { createClientLogger } from './client-logger';
import { shutdownClient, startClient, type ManagedClient } from './client-lifecycle';
import { MqNotRunningError } from './errors';
import { toMqMessage } from './message-codec';
import { resolveOutcomes } from './outcomes';
import { mqMetricsHook } from '../metrics/mq-metrics';
import { mqTraceHooks } from '../telemetry/messaging';
import type { MqBatchHandler, MqLogger, MqMessage, MqMetricsHook, MqOutcome, MqTraceHooks } from './types';

export interface MqConsumerOptions {
  readonly endpoints: string;
  readonly namespace: string;
  readonly group: string;
  readonly topic: string;
  /** Tag filter expression, e.g. 'created' or 'a||b'; default '*'. */
  readonly tag?: string;
  readonly batchSize: number;
  /**
   * How long a received message stays hidden from other consumers; must cover the handler's worst case.
   * The proxy rejects values below minInvisibleTimeMillsForRecv (default 10 s; 1 s in our local stack).
   */
  readonly invisibleMs: number;
  /**
   * Long-poll duration; keep it small so stop() returns promptly. The proxy clamps it to
   * [grpcClientConsumerMinLongPollingTimeoutMillis (default 5 s; 1 s locally), 20 s].
   */
  readonly awaitMs: number;
  readonly handler: MqBatchHandler;
  readonly logger: MqLogger;
  readonly startupTimeoutMs: number;
  readonly requestTimeoutMs?: number;
  /** Retry delay used when the handler throws or answers malformed outcomes. */
  readonly defaultRetryMs?: number;
  readonly backoff?: BackoffPolicy;
  /** Default: a CONSUMER span per batch linked to each message's producer span (telemetry/messaging.ts). */
  readonly trace?: MqTraceHooks;
  /** Default: the process's Prometheus counters and consumer-lag gauge (metrics/mq-metrics.ts). */
  readonly metrics?: MqMetricsHook;
}

/** Earliest time a message of the batch could be delivered: its delivery time (DELAY topics) or birth. */
function oldestReadyAt(batch: readonly MqMessage[]): number | undefined {
  let oldest: number | undefined;
  for (const m of batch) {
    const at = Math.max(m.bornAt?.getTime() ?? -Infinity, m.deliverAt?.getTime() ?? -Infinity);
    if (Number.isFinite(at) && (oldest === undefined || at < oldest)) oldest = at;
  }
  return oldest;
}

export interface MqConsumer {
  start(): Promise<void>;
  /** Stops receiving, finishes and settles the batch in hand, then shuts the client down. Idempotent. */
  stop(): Promise<void>;
}

/** The SimpleConsumer surface the loop uses; unit tests pass a fake through `deps`. */
export interface ConsumerClient extends ManagedClient {
  receive(maxMessageNum: number, invisibleDuration: number): Promise<MessageView[]>;
  ack(message: MessageView): Promise<void>;
  changeInvisibleDuration(message: MessageView, invisibleDuration: number): Promise<void>;
}

export interface MqConsumerDeps {
  readonly createClient: (opts: MqConsumerOptions, logger: ReturnType<typeof createClientLogger>) => ConsumerClient;
}

const defaultDeps: MqConsumerDeps = {
  createClient: (opts, logger) => new SimpleConsumer({
    endpoints: opts.endpoints,
    namespace: opts.namespace,
    consumerGroup: opts.group,
    subscriptions: new Map([[opts.topic, opts.tag ?? '*']]),
    awaitDuration: opts.awaitMs,
    requestTimeout: opts.requestTimeoutMs,
    logger,
  }),
};

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

export function createMqConsumer(opts: MqConsumerOptions, deps: MqConsumerDeps = defaultDeps): MqConsumer {
  if (!(Number.isInteger(opts.batchSize) && opts.batchSize > 0)) throw new TypeError('batchSize must be a positive integer');
  const log = opts.logger;
  const where = { group: opts.group, topic: opts.topic };
  const metrics = opts.metrics ?? mqMetricsHook;
  const trace = opts.trace ?? mqTraceHooks;
  const policy = opts.backoff ?? defaultReceiveBackoff;
  const defaultRetryMs = opts.defaultRetryMs ?? 5_000;
  let state: State = 'new';
  let client: ConsumerClient | undefined;
  let starting: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  let loopDone: Promise<void> = Promise.resolve();
  let stopRequested = false;
  let wake: (() => void) | undefined;

  const sleep = (ms: number): Promise<void> => new Promise(resolve => {
    const timer = setTimeout(resolve, ms);
    wake = () => { clearTimeout(timer); resolve(); };
  });

  async function settle(c: ConsumerClient, views: readonly MessageView[], outcomes: readonly MqOutcome[]): Promise<void> {
    let acked = 0;
    let retried = 0;
    const failures: unknown[] = [];
    await Promise.all(views.map(async (view, i) => {
      const outcome = outcomes[i];
      try {
        if (outcome.kind === 'ack') {
          await c.ack(view);
          acked += 1;
        } else {
          await c.changeInvisibleDuration(view, outcome.delayMs);
          retried += 1;
        }
      } catch (err) {
        failures.push(err);
      }
    }));
    if (acked) metrics({ type: 'acked', ...where, count: acked });
    if (retried) metrics({ type: 'retried', ...where, count: retried });
    if (failures.length) {
      metrics({ type: 'settle_failed', ...where, count: failures.length });
      // At-least-once: an unacked message comes back after invisibleMs, so handlers must be idempotent.
      log.warn({ ...where, err: failures[0], failed: failures.length }, 'ack/retry failed; messages will be redelivered');
    }
  }

  async function processBatch(c: ConsumerClient, views: readonly MessageView[]): Promise<void> {
    const batch = views.map(toMqMessage);
    metrics({ type: 'delivered', ...where, count: batch.length, oldestReadyAt: oldestReadyAt(batch) });
    let answer: readonly MqOutcome[] | undefined;
    try {
      const run = () => opts.handler(batch);
      answer = await (trace.aroundBatch ? trace.aroundBatch(opts.topic, batch, run) : run());
      if (answer.length !== batch.length) {
        log.error({ ...where, expected: batch.length, got: answer.length }, 'handler returned the wrong number of outcomes; retrying batch');
      }
    } catch (err) {
      metrics({ type: 'handler_failed', ...where });
      log.error({ ...where, err, size: batch.length }, 'consumer handler threw; retrying batch');
      answer = undefined;
    }
    await settle(c, views, resolveOutcomes(batch, answer, defaultRetryMs));
  }

  async function loop(c: ConsumerClient): Promise<void> {
    let failures = 0;
    while (!stopRequested) {
      let views: MessageView[];
      try {
        views = await c.receive(opts.batchSize, opts.invisibleMs);
      } catch (err) {
        failures += 1;
        metrics({ type: 'receive_failed', ...where });
        if (failures === 1) log.warn({ ...where, err }, 'receive failing; backing off until the broker answers');
        if (!stopRequested) await sleep(backoffDelay(policy, failures));
        continue;
      }
      if (failures > 0) {
        log.info({ ...where, failures }, 'receive recovered');
        failures = 0;
      }
      metrics({ type: 'polled', ...where, count: views.length });
      // A batch that arrives while stopping is still "in hand": handle and settle it rather than let it lapse.
      if (views.length > 0) await processBatch(c, views);
    }
  }

  async function doStart(): Promise<void> {
    state = 'starting';
    const c = deps.createClient(opts, createClientLogger(log));
    client = c;
    try {
      await startClient(c, { what: `consumer ${opts.group}`, endpoints: opts.endpoints, timeoutMs: opts.startupTimeoutMs, logger: log });
    } catch (err) {
      state = 'stopped';
      throw err;
    }
    if (state !== 'starting') return; // stop() arrived during start-up and owns the shutdown
    state = 'running';
    loopDone = loop(c).catch(err => log.error({ ...where, err }, 'consumer loop crashed'));
    log.info({ ...where, endpoints: opts.endpoints }, 'rocketmq consumer started');
  }

  async function doStop(): Promise<void> {
    const wasStarting = state === 'starting';
    state = 'stopping';
    stopRequested = true;
    wake?.();
    if (wasStarting) await starting?.catch(() => undefined);
    await loopDone;
    if (client) await shutdownClient(client, log, `consumer ${opts.group}`);
    state = 'stopped';
    log.info(where, 'rocketmq consumer stopped');
  }

  return {
    start() {
      if (state === 'stopping' || state === 'stopped') return Promise.reject(new MqNotRunningError(`RocketMQ consumer is ${state}`));
      starting ??= doStart();
      return starting;
    },
    stop() {
      stopping ??= doStop();
      return stopping;
    },
  };
}
