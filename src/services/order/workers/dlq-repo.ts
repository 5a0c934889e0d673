// dead_letters in MySQL: idempotent store (unique per consumer group + message id), keyset pages newest
// first, and the replay mark.
import { and, count, desc, eq, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { MySql2Database } from 'drizzle-orm/mysql2';
import { deadLetters } from '../schema';
import type { NewDeadLetter, StoredDeadLetter } from './dlq-letters';

export interface DeadLetterPageQuery {
  /** Only letters of this original topic; '' = all. */
  readonly topic: string;
  readonly includeReplayed: boolean;
  /** Keyset cursor: only ids below this one. */
  readonly beforeId?: bigint;
  readonly limit: number;
}

export interface DeadLetterRepo {
  /** Stores each letter once; a letter already stored (redelivered DLQ message) is a no-op. Returns rows created. */
  store(letters: readonly NewDeadLetter[]): Promise<number>;
  page(query: DeadLetterPageQuery): Promise<StoredDeadLetter[]>;
  countPending(topic: string): Promise<number>;
  get(id: bigint): Promise<StoredDeadLetter | undefined>;
  /** Sets replayed_at once; false when another replay marked it first. */
  markReplayed(id: bigint, at: Date, replayMessageId: string): Promise<boolean>;
}

type Row = typeof deadLetters.$inferSelect;

const toLetter = (r: Row): StoredDeadLetter => ({
  id: r.id,
  topic: r.topic,
  consumerGroup: r.consumerGroup,
  messageId: r.messageId,
  msgKey: r.msgKey,
  body: r.body,
  properties: r.properties,
  reason: r.reason,
  attempts: r.attempts,
  createdAt: r.createdAt,
  replayedAt: r.replayedAt,
  replayMessageId: r.replayMessageId,
});

export function createDeadLetterRepo<S extends Record<string, unknown>>(db: MySql2Database<S>): DeadLetterRepo {
  const filters = (topic: string, pendingOnly: boolean): SQL[] => [
    ...(topic !== '' ? [eq(deadLetters.topic, topic)] : []),
    ...(pendingOnly ? [isNull(deadLetters.replayedAt)] : []),
  ];

  return {
    async store(letters) {
      if (letters.length === 0) return 0;
      const [result] = await db
        .insert(deadLetters)
        .values(letters.map(l => ({ ...l })))
        // A no-op update, not INSERT IGNORE: IGNORE would also turn data errors into silent truncation.
        .onDuplicateKeyUpdate({ set: { messageId: sql`message_id` } });
      return result.affectedRows;
    },
    async page({ topic, includeReplayed, beforeId, limit }) {
      const where = and(...filters(topic, !includeReplayed), ...(beforeId !== undefined ? [lt(deadLetters.id, beforeId)] : []));
      const rows = await db.select().from(deadLetters).where(where).orderBy(desc(deadLetters.id)).limit(limit);
      return rows.map(toLetter);
    },
    async countPending(topic) {
      const [row] = await db.select({ n: count() }).from(deadLetters).where(and(...filters(topic, true)));
      return row?.n ?? 0;
    },
    async get(id) {
      const [row] = await db.select().from(deadLetters).where(eq(deadLetters.id, id)).limit(1);
      return row === undefined ? undefined : toLetter(row);
    },
    async markReplayed(id, at, replayMessageId) {
      const [result] = await db
        .update(deadLetters)
        .set({ replayedAt: at, replayMessageId })
        .where(and(eq(deadLetters.id, id), isNull(deadLetters.replayedAt)));
      return result.affectedRows === 1;
    },
  };
}
