// RocketMQ consumers of the order service's own topics: creation (order-created) and status
// (order-status, FIFO). Several replicas share each group; `stop()` lets the batch in hand commit and
// settle (ack / retry) before the client shuts down.
import type { Logger } from '../../../platform/logger';
import { createMqConsumer, type MqBatchHandler, type MqConsumer } from '../../../platform/mq';

export interface OrderConsumerSettings {
  readonly endpoints: string;
  readonly namespace: string;
  readonly startupTimeoutMs: number;
  readonly batchSize: number;
  readonly invisibleMs: number;
  readonly awaitMs: number;
  readonly retryDelayMs: number;
}

export interface ConsumerTarget {
  readonly topic: string;
  readonly group: string;
  /** Tag filter; default all ('*'). */
  readonly tag?: string;
}

export function createOrderConsumer(settings: OrderConsumerSettings, target: ConsumerTarget, handler: MqBatchHandler, logger: Logger): MqConsumer {
  return createMqConsumer({
    endpoints: settings.endpoints,
    namespace: settings.namespace,
    group: target.group,
    topic: target.topic,
    ...(target.tag !== undefined ? { tag: target.tag } : {}),
    batchSize: settings.batchSize,
    invisibleMs: settings.invisibleMs,
    awaitMs: settings.awaitMs,
    handler,
    logger: logger.child({ component: 'mq-consumer', group: target.group }),
    startupTimeoutMs: settings.startupTimeoutMs,
    defaultRetryMs: settings.retryDelayMs,
  });
}

/** Wait before start attempt `attempt + 1`: 2 s doubling, capped at 30 s. */
export const restartDelayMs = (attempt: number): number => Math.min(30_000, 1_000 * 2 ** Math.min(attempt, 5));

/**
 * Starts a consumer, and keeps trying with a fresh one (capped backoff) while the broker is away, so the
 * service comes up without RocketMQ; messages simply wait in the broker. `stop()` stops whichever runs.
 * A stop that arrives while an attempt is starting ends the loop as soon as that attempt settles: it
 * never sleeps through another backoff (a fresh group's %DLQ% topic does not exist, so its reader keeps
 * failing to start, and the service's shutdown must not wait 30 s for it).
 */
export function keepConsuming(
  make: () => MqConsumer,
  logger: Logger,
  what: string,
  delayMs: (attempt: number) => number = restartDelayMs,
): { stop(): Promise<void> } {
  let current: MqConsumer | undefined;
  let stopped = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    for (let attempt = 1; !stopped; attempt++) {
      const c = make();
      current = c;
      try {
        await c.start();
        if (attempt > 1) logger.info({ consumer: what }, 'consumer started after retries');
        return;
      } catch (err) {
        await c.stop().catch(() => undefined);
        if (stopped) return;
        if (attempt === 1) logger.warn({ consumer: what, reason: err instanceof Error ? err.message : String(err) }, 'consumer could not start; retrying');
        await new Promise<void>(resolve => {
          const t = setTimeout(resolve, delayMs(attempt));
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        wake = undefined;
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      await current?.stop();
    },
  };
}
