// The broker moves a message to %DLQ%<group> without saying why it kept failing. A consumer that answers
// "retry" leaves its last failure here (Redis, expiring), so the DLQ worker can store the real reason with
// the dead letter. Best effort both ways: a lost note only means a generic reason.
import type { RedisClient } from '../../../platform/redis';
import { clip } from './dlq-letters';

export interface FailureNote {
  readonly reason: string;
  /** Delivery attempt that failed (MqMessage.deliveryAttempt): the true count of deliveries made, when given. */
  readonly attempts?: number;
}

export interface FailureNotes {
  /**
   * Remembers why `messageId` failed in `group` (overwrites the previous note). Pass the failing
   * delivery's `deliveryAttempt`: the DLQ copy's own count overstates the deliveries made. Never throws.
   */
  record(group: string, messageId: string, reason: string, attempts?: number): Promise<void>;
  /** The last note for the message, if any. Never throws. */
  read(group: string, messageId: string): Promise<FailureNote | undefined>;
}

export interface FailureNotesOptions {
  readonly keyPrefix: string;
  /** Must outlive the retry schedule of the group (16 retries ≈ 4.7 h with RocketMQ's default levels). */
  readonly ttlMs: number;
  readonly onError?: (err: unknown) => void;
}

export const DEFAULT_NOTE_TTL_MS = 3 * 24 * 3600_000;

export function createFailureNotes(redis: RedisClient, opts: FailureNotesOptions): FailureNotes {
  const key = (group: string, messageId: string) => `${opts.keyPrefix}dlq-note:${group}:${messageId}`;
  const onError = opts.onError ?? (() => undefined);
  return {
    async record(group, messageId, reason, attempts) {
      try {
        await redis.set(key(group, messageId), JSON.stringify({ reason: clip(reason, 1000), attempts }), 'PX', opts.ttlMs);
      } catch (err) {
        onError(err);
      }
    },
    async read(group, messageId) {
      try {
        const raw = await redis.get(key(group, messageId));
        if (raw === null) return undefined;
        const note = JSON.parse(raw) as Partial<FailureNote>;
        if (typeof note.reason !== 'string') return undefined;
        return typeof note.attempts === 'number' ? { reason: note.reason, attempts: note.attempts } : { reason: note.reason };
      } catch (err) {
        onError(err);
        return undefined;
      }
    },
  };
}

/** For wiring without Redis (and unit tests): remembers nothing. */
export const noFailureNotes: FailureNotes = {
  record: async () => undefined,
  read: async () => undefined,
};
