// Forwarder: one consumer-group loop per orders stream ({inv:N}:stream:orders) → RocketMQ topic
// order-created. Message key = order id, tag `created`, body = the OrderCreated protobuf the Reserve
// script stored (base64 in the stream, bytes on the topic: order-body.ts), properties = the trace
// context recorded with the entry. An entry is XACKed only
// after the broker confirmed its send. Broker down: the batch in hand is retried with capped exponential
// backoff and the rest of the backlog simply stays in the stream; lag grows and is exported.
// At-least-once: a crash between send and XACK re-sends that order id; the order consumer dedups by id.
import type { Clock } from '../../../platform/clock';
import type { Logger } from '../../../platform/logger';
import { backoffDelay } from '../../../platform/mq/backoff';
import type { MqProducer } from '../../../platform/mq';
import type { RedisClient } from '../../../platform/redis';
import { forwarderLag } from '../../../platform/metrics/app-metrics';
import { inProducerSpan } from '../../../platform/telemetry/messaging';
import { parseOrderCreated, type OrderCreatedRecord, type StockKeys } from '../stock';
import { createDeadLetterer, type DeadEntry } from './dead-stream';
import { orderBodyFromPayload } from './order-body';
import { lagMs, oldestUnforwarded } from './forwarder-lag';
import type { StreamEntry } from './stream-entries';
import { startStreamLoop, type StreamLoop, type StreamLoopStats } from './stream-reader';
import type { ForwarderSettings } from './worker-settings';

export interface ForwarderHooks {
  /** After the broker confirmed these entries, before their XACK (tests: crash there). */
  afterSend?(ids: readonly string[]): void | Promise<void>;
}

export interface ForwarderDeps {
  readonly redis: RedisClient;
  readonly openBlocking: (name: string) => Promise<RedisClient>;
  readonly keys: Pick<StockKeys, 'allShards' | 'ordersStream'>;
  /**
   * Makes a new, unstarted producer. The forwarder starts it in the background and, if the broker is
   * unreachable, throws it away and tries a fresh one with backoff: the service starts without RocketMQ.
   */
  readonly createProducer: () => MqProducer;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: ForwarderSettings;
  readonly consumer: string;
  readonly hooks?: ForwarderHooks;
  /** Called after every lag probe with the largest lag over the shards (ms). */
  readonly onLag?: (lagMs: number) => void;
}

export interface ForwarderStats {
  /** The producer has started (the client reconnects by itself afterwards; failures show in loops). */
  readonly connected: boolean;
  readonly forwarded: number;
  /** Message-level send refusals (each attempt counts). */
  readonly rejected: number;
  readonly deadLettered: number;
  /** Age of the oldest unforwarded entry over all shards, at the last probe (ms). */
  readonly lagMs: number;
  readonly lagByShard: readonly number[];
  readonly loops: readonly StreamLoopStats[];
}

export interface OrderForwarder {
  stop(): Promise<void>;
  stats(): ForwarderStats;
  /** Measures the lag now (also done every lagProbeMs). */
  probeLag(): Promise<number>;
}

/** Errors about one message that a resend cannot fix. Everything else is the broker or the network. */
const MESSAGE_ERRORS = new Set(['PayloadTooLargeException', 'RequestHeaderFieldsTooLargeException', 'MqInvalidMessageError']);

const errorText = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 500);

export function startOrderForwarder(deps: ForwarderDeps): OrderForwarder {
  const { redis, keys, clock, settings, consumer, hooks = {} } = deps;
  const log = deps.logger.child({ worker: 'order-forwarder', consumer });
  const dead = createDeadLetterer({ redis, clock, consumer, attemptsTtlMs: settings.attemptsTtlMs });
  const shards = keys.allShards();
  const totals = { forwarded: 0, rejected: 0, deadLettered: 0 };
  const lagByShard = shards.map(() => 0);
  const abort = new AbortController();
  const loops: StreamLoop[] = [];
  let producer: MqProducer | undefined;
  let connected = false;
  let stopping = false;

  const pause = (ms: number) => clock.sleep(ms, abort.signal).catch(() => undefined);

  /** In a PRODUCER span continuing the Reserve's trace (record.trace); the producer injects the span's context. */
  function send(p: MqProducer, record: OrderCreatedRecord, body: Buffer): Promise<unknown> {
    return inProducerSpan({ topic: settings.topic, parent: record.trace, key: record.orderId }, () =>
      p.send({
        topic: settings.topic,
        tag: settings.tag,
        keys: [record.orderId],
        body,
        properties: new Map(Object.entries(record.trace)),
      }),
    );
  }

  function handlerFor(p: MqProducer, stream: string) {
    /** Confirmed by the broker but not yet acked (an XACK failed): on retry, ack without re-sending. */
    const sentNotAcked = new Set<string>();
    return async (entries: readonly StreamEntry[]): Promise<readonly StreamEntry[]> => {
      const poison: DeadEntry[] = [];
      const toSend: { entry: StreamEntry; record: OrderCreatedRecord; body: Buffer }[] = [];
      for (const entry of entries) {
        if (sentNotAcked.has(entry.id)) continue;
        try {
          const record = parseOrderCreated(entry.id, entry.fields);
          toSend.push({ entry, record, body: orderBodyFromPayload(record.payload) });
        } catch (err) {
          poison.push({ entry, reason: err instanceof Error ? err.message : String(err), attempts: 0 });
        }
      }
      const results = await Promise.allSettled(toSend.map(s => send(p, s.record, s.body)));
      const retry: StreamEntry[] = [];
      const refused: { entry: StreamEntry; reason: string }[] = [];
      let firstError: unknown;
      results.forEach((r, i) => {
        const { entry } = toSend[i]!;
        if (r.status === 'fulfilled') sentNotAcked.add(entry.id);
        else if (r.reason instanceof Error && MESSAGE_ERRORS.has(r.reason.name)) refused.push({ entry, reason: errorText(r.reason) });
        else {
          firstError ??= r.reason;
          retry.push(entry);
        }
      });
      const confirmed = entries.filter(e => sentNotAcked.has(e.id));
      if (confirmed.length > 0) {
        await hooks.afterSend?.(confirmed.map(e => e.id));
        await redis.xack(stream, settings.group, ...confirmed.map(e => e.id));
        for (const e of confirmed) sentNotAcked.delete(e.id);
        totals.forwarded += confirmed.length;
      }
      if (poison.length > 0) {
        await dead.deadLetter(stream, settings.group, poison);
        totals.deadLettered += poison.length;
        log.error({ stream, entries: poison.map(d => ({ id: d.entry.id, reason: d.reason })) }, 'unreadable order entries moved to the dead stream');
      }
      if (refused.length > 0) await reject(stream, refused);
      if (retry.length > 0) {
        log.debug({ stream, err: errorText(firstError), left: retry.length }, 'broker send failed; will retry');
      }
      return retry;
    };
  }

  async function reject(stream: string, refused: readonly { entry: StreamEntry; reason: string }[]): Promise<void> {
    totals.rejected += refused.length;
    const counts = await dead.countRejections(stream, refused.map(r => r.entry.id));
    const giveUp = refused.flatMap((r, i) => (counts[i]! >= settings.maxAttempts ? [{ ...r, attempts: counts[i]! }] : []));
    if (giveUp.length > 0) {
      await dead.deadLetter(stream, settings.group, giveUp);
      totals.deadLettered += giveUp.length;
      log.error({ stream, entries: giveUp.map(g => ({ id: g.entry.id, reason: g.reason })) }, 'order entries the broker keeps refusing moved to the dead stream');
    }
    if (giveUp.length < refused.length) log.warn({ stream, refused: refused.length }, 'broker refused order messages; left pending for a retry');
  }

  async function probeLag(): Promise<number> {
    const now = clock.now();
    await Promise.all(
      shards.map(async (shard, i) => {
        lagByShard[i] = lagMs(await oldestUnforwarded(redis, keys.ordersStream(shard), settings.group), now);
      }),
    );
    const max = Math.max(0, ...lagByShard);
    forwarderLag.set(max);
    deps.onLag?.(max);
    return max;
  }

  async function lagLoop(): Promise<void> {
    while (!stopping) {
      try {
        await probeLag();
      } catch (err) {
        log.debug({ err }, 'lag probe failed');
      }
      await pause(settings.lagProbeMs);
    }
  }

  /** Background start: a producer that cannot reach the broker is discarded and a fresh one tried later. */
  async function connect(): Promise<MqProducer | undefined> {
    for (let failures = 1; !stopping; failures++) {
      const p = deps.createProducer();
      try {
        await p.start();
        return p;
      } catch (err) {
        await p.stop().catch(() => undefined);
        if (failures === 1 || failures % 10 === 0) log.warn({ err: errorText(err), failures }, 'RocketMQ producer did not start; orders wait in the streams');
        await pause(backoffDelay(settings.backoff, failures));
      }
    }
    return undefined;
  }

  /** Retried like the producer: this runs in the background, after the service is already up. */
  async function openBlocking(name: string): Promise<RedisClient | undefined> {
    for (let failures = 1; !stopping; failures++) {
      try {
        const client = await deps.openBlocking(name);
        if (!stopping) return client;
        client.disconnect();
      } catch (err) {
        if (failures === 1) log.warn({ err: errorText(err), name }, 'no Redis connection for a forwarder loop yet; retrying');
        await pause(backoffDelay(settings.backoff, failures));
      }
    }
    return undefined;
  }

  async function run(): Promise<void> {
    const p = await connect();
    if (!p) return;
    producer = p;
    connected = true;
    if (stopping) return;
    for (const shard of shards) {
      const stream = keys.ordersStream(shard);
      const blocking = await openBlocking(`order-forwarder:${shard}`);
      if (!blocking) return;
      loops.push(
        startStreamLoop({ stream, group: settings.group, consumer, redis, blocking, settings, clock, logger: log, handle: handlerFor(p, stream) }),
      );
    }
    log.info({ shards: shards.length, topic: settings.topic, group: settings.group }, 'order forwarder started');
  }

  const started = run().catch(err => log.error({ err }, 'order forwarder failed to start'));
  const lagDone = lagLoop();

  let stopped: Promise<void> | undefined;
  return {
    probeLag,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        abort.abort();
        await started;
        await Promise.all(loops.map(l => l.stop()));
        await lagDone;
        await producer?.stop();
        connected = false;
        log.info(totals, 'order forwarder stopped');
      })();
      return stopped;
    },
    stats: () => ({
      connected,
      ...totals,
      lagMs: Math.max(0, ...lagByShard),
      lagByShard: [...lagByShard],
      loops: loops.map(l => l.stats()),
    }),
  };
}
