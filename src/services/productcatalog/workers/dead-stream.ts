// Poison entries leave the pipeline through a dead stream next to their source, with the reason.
// The dead stream key (stock-keys.ts: source key plus ":dead") keeps the source's hash tag: the XADD and
// the XACK run in one MULTI on one slot, and an entry is never both dead and still pending.
// Dead streams are never trimmed here: operators (or a later DLQ persister) read and clear them.
// Stock streams dead-letter through the stock domain instead (stock/dead-letter.ts: synced accounting);
// the rejection counters below serve both.
import type { Clock } from '../../../platform/clock';
import type { RedisClient } from '../../../platform/redis';
import { attemptsKeyOf, deadStreamOf } from '../stock';
import type { StreamEntry } from './stream-entries';

export { attemptsKeyOf, deadStreamOf };

export interface DeadEntry {
  readonly entry: StreamEntry;
  readonly reason: string;
  /** Data rejections counted before giving up (0 when dead on sight, e.g. unparseable). */
  readonly attempts: number;
}

export interface DeadLetterer {
  /** XADD each to the dead stream and XACK it in the source group, atomically. Returns how many. */
  deadLetter(stream: string, group: string, dead: readonly DeadEntry[]): Promise<number>;
  /** Counts one more data rejection per id; returns the new counts in the same order. */
  countRejections(stream: string, ids: readonly string[]): Promise<number[]>;
}

const MAX_REASON = 1000;

export function createDeadLetterer(deps: { redis: RedisClient; clock: Pick<Clock, 'now'>; consumer: string; attemptsTtlMs: number }): DeadLetterer {
  const { redis, clock, consumer, attemptsTtlMs } = deps;
  return {
    async deadLetter(stream, group, dead) {
      if (dead.length === 0) return 0;
      const tx = redis.multi();
      const deadStream = deadStreamOf(stream);
      for (const d of dead) {
        tx.xadd(
          deadStream, '*',
          'dead_source', stream, 'dead_id', d.entry.id, 'dead_group', group, 'dead_reason', d.reason.slice(0, MAX_REASON),
          'dead_attempts', String(d.attempts), 'dead_at', String(clock.now()), 'dead_by', consumer,
          // the original fields, untouched, after ours (a source field may itself be called "reason")
          ...d.entry.fields,
        );
      }
      tx.xack(stream, group, ...dead.map(d => d.entry.id));
      tx.hdel(attemptsKeyOf(stream), ...dead.map(d => d.entry.id));
      const results = await tx.exec();
      const failure = results?.find(([err]) => err);
      if (!results || failure) throw failure?.[0] ?? new Error(`dead-letter MULTI on ${stream} was discarded`);
      return dead.length;
    },

    async countRejections(stream, ids) {
      if (ids.length === 0) return [];
      const key = attemptsKeyOf(stream);
      const tx = redis.multi();
      for (const id of ids) tx.hincrby(key, id, 1);
      tx.pexpire(key, attemptsTtlMs);
      const results = await tx.exec();
      if (!results) throw new Error(`rejection count MULTI on ${stream} was discarded`);
      return ids.map((_, i) => {
        const [err, value] = results[i]!;
        if (err) throw err;
        return Number(value);
      });
    },
  };
}
