// A RocketMQ producer started in the background, so checkout serves while the broker is down (PAID
// events then fail to publish and are logged; see status-events.ts). A producer that cannot start is
// discarded and a fresh one tried later; stop() ends the attempts and drains the running producer.
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { MqNotRunningError, type MqProducer, type MqSendRequest, type MqSendResult } from '../../platform/mq';

export interface BackgroundProducer {
  send(message: MqSendRequest): Promise<MqSendResult>;
  /** Resolves once a producer runs (tests, readiness); never rejects. */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

export interface BackgroundProducerDeps {
  readonly create: () => MqProducer;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Pause between start attempts. */
  readonly retryMs?: number;
}

export function startBackgroundProducer({ create, clock, logger, retryMs = 5_000 }: BackgroundProducerDeps): BackgroundProducer {
  const abort = new AbortController();
  let current: MqProducer | undefined;

  async function connect(): Promise<void> {
    for (let failures = 1; !abort.signal.aborted; failures++) {
      const p = create();
      try {
        await p.start();
        if (abort.signal.aborted) {
          await p.stop();
          return;
        }
        current = p;
        return;
      } catch (err) {
        await p.stop().catch(() => undefined);
        if (failures === 1 || failures % 10 === 0) logger.warn({ err, failures }, 'RocketMQ producer did not start; retrying');
        await clock.sleep(retryMs, abort.signal).catch(() => undefined);
      }
    }
  }

  const ready = connect().catch((err: unknown) => logger.error({ err }, 'producer start loop failed'));
  let stopped: Promise<void> | undefined;

  return {
    ready,
    send(message) {
      if (!current) return Promise.reject(new MqNotRunningError('RocketMQ producer is not connected yet'));
      return current.send(message);
    },
    stop() {
      stopped ??= (async () => {
        abort.abort();
        await ready;
        await current?.stop();
      })();
      return stopped;
    },
  };
}
