import { Producer, type MessageView } from 'rocketmq-client-nodejs';
import { TransactionResolution } from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/definition_pb';
import { mqMetricsHook } from '../metrics/mq-metrics';
import { mqTraceHooks } from '../telemetry/messaging';
import { createClientLogger } from './client-logger';
import { shutdownClient, startClient } from './client-lifecycle';
import { MqInvalidMessageError, MqNotRunningError } from './errors';
import { toMessageOptions, toMqMessage, toPropertyMap } from './message-codec';
import type {
  MqLogger, MqMetricsHook, MqSendRequest, MqSendResult, MqTraceHooks, MqTransactionChecker, MqTransactionVerdict,
} from './types';

export interface MqProducerOptions {
  readonly endpoints: string;
  readonly namespace: string;
  /** Routes are fetched at start; transaction back-checks reach only producers that list the topic here. */
  readonly topics: readonly string[];
  readonly logger: MqLogger;
  readonly startupTimeoutMs: number;
  readonly checker?: MqTransactionChecker;
  readonly requestTimeoutMs?: number;
  /** Default: the active trace context is written into each message's properties (telemetry/messaging.ts). */
  readonly trace?: MqTraceHooks;
  /** Default: the process's Prometheus counters (metrics/mq-metrics.ts). */
  readonly metrics?: MqMetricsHook;
}

/** A half message on the broker, not yet visible to consumers. Resolve it, or leave it to the back-check. */
export interface MqPendingTransaction {
  readonly messageId: string;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export interface MqTransactionResult {
  readonly messageId: string;
  /** 'unresolved': local transaction ran but commit/rollback did not reach the broker; the checker decides. */
  readonly outcome: 'committed' | 'rolled_back' | 'unresolved';
}

export interface MqProducer {
  start(): Promise<void>;
  send(message: MqSendRequest): Promise<MqSendResult>;
  /**
   * Half message → localTx → commit (true) / rollback (false). If localTx throws, nothing is resolved (like the
   * Java client's UNKNOW): the local state is uncertain, so the checker, which reads the database, decides.
   */
  sendInTransaction(message: MqSendRequest, localTx: () => Promise<boolean>): Promise<MqTransactionResult>;
  /** Lower level, for tests that stop between steps: sends the half message only. */
  beginTransaction(message: MqSendRequest): Promise<MqPendingTransaction>;
  stop(): Promise<void>;
}

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

const resolutionOf: Record<MqTransactionVerdict, TransactionResolution> = {
  commit: TransactionResolution.COMMIT,
  rollback: TransactionResolution.ROLLBACK,
  unknown: TransactionResolution.TRANSACTION_RESOLUTION_UNSPECIFIED,
};

/**
 * The client rejects bad messages locally with a bare TypeError (body over the broker's maxBodySize, message type
 * not accepted by the topic). Resending cannot fix those, so callers get them as MqInvalidMessageError.
 */
function asMessageError(err: unknown): unknown {
  return err instanceof TypeError ? new MqInvalidMessageError(err.message, { cause: err }) : err;
}

export function createMqProducer(opts: MqProducerOptions): MqProducer {
  if (opts.topics.length === 0) throw new TypeError('createMqProducer: topics must list at least one topic');
  const log = opts.logger;
  const metrics = opts.metrics ?? mqMetricsHook;
  const trace = opts.trace ?? mqTraceHooks;
  let state: State = 'new';
  let client: Producer | undefined;
  let starting: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  const inFlight = new Set<Promise<unknown>>();

  const checker = opts.checker;
  const clientChecker = checker && {
    async check(view: MessageView): Promise<TransactionResolution> {
      const message = toMqMessage(view);
      try {
        const verdict = await checker(message);
        log.info({ messageId: message.messageId, topic: message.topic, verdict }, 'transaction back-check answered');
        return resolutionOf[verdict];
      } catch (err) {
        log.warn({ err, messageId: message.messageId }, 'transaction checker failed; broker will ask again');
        return TransactionResolution.TRANSACTION_RESOLUTION_UNSPECIFIED;
      }
    },
  };

  function running(): Producer {
    if (state !== 'running' || !client) throw new MqNotRunningError(`RocketMQ producer is ${state}`);
    return client;
  }

  function track<T>(p: Promise<T>): Promise<T> {
    inFlight.add(p);
    const done = (): void => void inFlight.delete(p);
    p.then(done, done);
    return p;
  }

  function prepare(message: MqSendRequest) {
    const properties = toPropertyMap(message.properties);
    trace.inject?.(properties, message.topic);
    return toMessageOptions(message, properties);
  }

  async function doStart(): Promise<void> {
    state = 'starting';
    client = new Producer({
      endpoints: opts.endpoints,
      namespace: opts.namespace,
      topics: [...opts.topics],
      logger: createClientLogger(log),
      requestTimeout: opts.requestTimeoutMs,
      checker: clientChecker,
    });
    try {
      await startClient(client, { what: 'producer', endpoints: opts.endpoints, timeoutMs: opts.startupTimeoutMs, logger: log });
    } catch (err) {
      state = 'stopped';
      throw err;
    }
    if (state !== 'starting') return; // stop() was called meanwhile and owns the shutdown
    state = 'running';
    log.info({ endpoints: opts.endpoints, topics: opts.topics }, 'rocketmq producer started');
  }

  async function send(message: MqSendRequest): Promise<MqSendResult> {
    const c = running();
    const options = prepare(message);
    return track((async () => {
      try {
        const receipt = await c.send(options);
        metrics({ type: 'sent', topic: message.topic });
        return { messageId: receipt.messageId };
      } catch (err) {
        metrics({ type: 'send_failed', topic: message.topic });
        throw asMessageError(err);
      }
    })());
  }

  async function beginTransaction(message: MqSendRequest): Promise<MqPendingTransaction> {
    if (!checker) throw new TypeError('this producer has no transaction checker');
    if (message.messageGroup !== undefined || message.deliverAt !== undefined || message.delayMs !== undefined) {
      throw new MqInvalidMessageError('a transactional message cannot be FIFO or delayed');
    }
    const c = running();
    const options = prepare(message);
    const tx = c.beginTransaction();
    const receipt = await track(c.send(options, tx)).catch(err => { throw asMessageError(err); });
    metrics({ type: 'sent', topic: message.topic });
    let resolved = false;
    const resolveOnce = (how: 'commit' | 'rollback') => async (): Promise<void> => {
      if (resolved) throw new TypeError(`transaction ${receipt.messageId} already resolved`);
      resolved = true;
      await track(how === 'commit' ? tx.commit() : tx.rollback());
    };
    return { messageId: receipt.messageId, commit: resolveOnce('commit'), rollback: resolveOnce('rollback') };
  }

  async function sendInTransaction(message: MqSendRequest, localTx: () => Promise<boolean>): Promise<MqTransactionResult> {
    const pending = await beginTransaction(message);
    let committed: boolean;
    try {
      committed = await localTx();
    } catch (err) {
      log.warn({ err, messageId: pending.messageId }, 'local transaction threw; half message left to the back-check');
      throw err;
    }
    try {
      await (committed ? pending.commit() : pending.rollback());
      return { messageId: pending.messageId, outcome: committed ? 'committed' : 'rolled_back' };
    } catch (err) {
      log.warn({ err, messageId: pending.messageId, committed }, 'ending transaction failed; the back-check will resolve it');
      return { messageId: pending.messageId, outcome: 'unresolved' };
    }
  }

  async function doStop(): Promise<void> {
    const wasStarting = state === 'starting';
    state = 'stopping';
    if (wasStarting) await starting?.catch(() => undefined);
    await Promise.allSettled([...inFlight]);
    if (client) await shutdownClient(client, log, 'producer');
    state = 'stopped';
    log.info({}, 'rocketmq producer stopped');
  }

  return {
    start() {
      if (state === 'stopping' || state === 'stopped') return Promise.reject(new MqNotRunningError(`RocketMQ producer is ${state}`));
      starting ??= doStart();
      return starting;
    },
    send,
    beginTransaction,
    sendInTransaction,
    stop() {
      stopping ??= doStop();
      return stopping;
    },
  };
}
