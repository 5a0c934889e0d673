// Reads %DLQ%<group> of every order consumer group into dead_letters (F7). One reader per source group; a
// letter is stored once per (group, message id), so a redelivered DLQ message or a second replica is harmless.
// The DLQ copy is acked only after its row is durable; while MySQL is down the batch is retried with backoff.
import type { Clock } from '../../../platform/clock';
import { dbErrorReason } from '../../../platform/db-errors';
import type { Logger } from '../../../platform/logger';
import { ack, createDlqReader, retryLater, type MqConsumer, type MqMessage, type MqOutcome } from '../../../platform/mq';
import { backoffDelay, type BackoffPolicy } from '../../../platform/mq/backoff';
import { deadLetterFromMessage, exhaustedReason, type DlqSource } from './dlq-letters';
import { keepConsuming } from './order-consumers';
import type { FailureNotes } from './dlq-failure-notes';
import type { DeadLetterRepo } from './dlq-repo';

export interface DlqConnection {
  readonly endpoints: string;
  readonly namespace: string;
  readonly startupTimeoutMs: number;
}

export interface DlqWorkerOptions {
  readonly mq: DlqConnection;
  readonly sources: readonly DlqSource[];
  readonly repo: DeadLetterRepo;
  readonly notes: FailureNotes;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly batchSize?: number;
  /** Long-poll per receive; small so stop() returns quickly. */
  readonly awaitMs?: number;
  /** Retry delays while MySQL refuses the rows, by delivery attempt of the DLQ copy. */
  readonly storeBackoff?: BackoffPolicy;
  /** Reader group per source; default `<group>_dlq_reader`. */
  readonly readerGroupOf?: (source: DlqSource) => string;
  /** true (the service): start() returns at once; readers keep trying to start while the broker is away. */
  readonly startInBackground?: boolean;
}

export interface DlqWorker {
  start(): Promise<void>;
  /** Stops every reader after the batch in hand is stored (or handed back for redelivery). */
  stop(): Promise<void>;
}

const DEFAULT_STORE_BACKOFF: BackoffPolicy = Object.freeze({ initialMs: 1_000, maxMs: 60_000, jitter: 0.2 });

export function createDlqHandler(
  source: DlqSource,
  deps: Pick<DlqWorkerOptions, 'repo' | 'notes' | 'clock' | 'logger' | 'storeBackoff'>,
): (batch: readonly MqMessage[]) => Promise<readonly MqOutcome[]> {
  const { repo, notes, clock, logger } = deps;
  const policy = deps.storeBackoff ?? DEFAULT_STORE_BACKOFF;
  return async batch => {
    const now = new Date(clock.now());
    const letters = await Promise.all(
      batch.map(async msg => {
        // The DLQ copy's deliveryAttempt overstates the deliveries made (the broker counts its own moves),
        // so the failing consumer's note is preferred for both reason and count.
        const note = await notes.read(source.group, msg.messageId);
        const letter = deadLetterFromMessage(source, msg, note?.reason ?? exhaustedReason(source, msg.deliveryAttempt), now);
        return note?.attempts !== undefined ? { ...letter, attempts: note.attempts } : letter;
      }),
    );
    try {
      const created = await repo.store(letters);
      for (const l of letters) {
        logger.warn({ group: l.consumerGroup, topic: l.topic, key: l.msgKey, messageId: l.messageId, attempts: l.attempts, reason: l.reason }, 'dead letter stored');
      }
      if (created < letters.length) logger.debug({ group: source.group, duplicates: letters.length - created }, 'dead letters already stored');
      return batch.map(() => ack);
    } catch (err) {
      const attempt = Math.max(...batch.map(m => m.deliveryAttempt));
      logger.warn({ group: source.group, size: batch.length, reason: dbErrorReason(err) }, 'storing dead letters failed; retrying');
      return batch.map(() => retryLater(backoffDelay(policy, attempt)));
    }
  };
}

export function createDlqWorker(opts: DlqWorkerOptions): DlqWorker {
  const makers: Array<{ group: string; make: () => MqConsumer }> = opts.sources.map(source => ({
    group: source.group,
    make: () => createDlqReader({
      ...opts.mq,
      sourceGroup: source.group,
      ...(opts.readerGroupOf ? { readerGroup: opts.readerGroupOf(source) } : {}),
      batchSize: opts.batchSize ?? 32,
      invisibleMs: 60_000,
      awaitMs: opts.awaitMs ?? 5_000,
      logger: opts.logger.child({ component: 'dlq-reader', group: source.group }),
      handler: createDlqHandler(source, opts),
    }),
  }));
  let running: Array<{ stop(): Promise<void> }> = [];
  return {
    async start() {
      if (opts.startInBackground) {
        running = makers.map(m => keepConsuming(m.make, opts.logger, `${m.group} dead letters`));
        return;
      }
      const readers = makers.map(m => m.make());
      running = readers;
      try {
        await Promise.all(readers.map(r => r.start()));
      } catch (err) {
        await Promise.allSettled(readers.map(r => r.stop()));
        throw err;
      }
    },
    async stop() {
      await Promise.allSettled(running.map(r => r.stop()));
    },
  };
}
