import { and, eq, isNull } from 'drizzle-orm';
import type { MySql2Database } from 'drizzle-orm/mysql2';
import { isDuplicateKeyError } from './duplicate-key';
import { paymentCharges } from './schema';
import type { ChargeRecord } from './types';

export interface ChargeRepo {
  findByTransactionId(transactionId: string): Promise<ChargeRecord | undefined>;
  findByIdempotencyKey(key: string): Promise<ChargeRecord | undefined>;
  /** `duplicate` when a row with the same idempotency key (or transaction id) already exists. */
  insert(record: ChargeRecord): Promise<'inserted' | 'duplicate'>;
  /** Sets refunded_at once; false when unknown or already refunded. */
  markRefunded(transactionId: string, at: Date): Promise<boolean>;
}

type Row = typeof paymentCharges.$inferSelect;

const toRecord = (row: Row): ChargeRecord => ({
  transactionId: row.transactionId,
  idempotencyKey: row.idempotencyKey,
  amount: { currencyCode: row.amountCurrency, units: row.amountUnits, nanos: row.amountNanos },
  cardBrand: row.cardBrand,
  cardLast4: row.cardLast4,
  createdAt: row.createdAt,
  refundedAt: row.refundedAt,
});

/** Needs a pool created with `supportBigNumbers: true` so int64 units survive the round trip. */
export function createChargeRepo<S extends Record<string, unknown>>(db: MySql2Database<S>): ChargeRepo {
  const findOne = async (where: ReturnType<typeof eq>): Promise<ChargeRecord | undefined> => {
    const rows = await db.select().from(paymentCharges).where(where).limit(1);
    return rows[0] === undefined ? undefined : toRecord(rows[0]);
  };

  return {
    findByTransactionId: (id) => findOne(eq(paymentCharges.transactionId, id)),
    findByIdempotencyKey: (key) => findOne(eq(paymentCharges.idempotencyKey, key)),
    async insert(r) {
      try {
        await db.insert(paymentCharges).values({
          transactionId: r.transactionId,
          idempotencyKey: r.idempotencyKey,
          amountCurrency: r.amount.currencyCode,
          amountUnits: r.amount.units,
          amountNanos: r.amount.nanos,
          cardBrand: r.cardBrand,
          cardLast4: r.cardLast4,
          createdAt: r.createdAt,
          refundedAt: r.refundedAt,
        });
        return 'inserted';
      } catch (err) {
        if (isDuplicateKeyError(err)) return 'duplicate';
        throw err;
      }
    },
    async markRefunded(id, at) {
      const [result] = await db
        .update(paymentCharges)
        .set({ refundedAt: at })
        .where(and(eq(paymentCharges.transactionId, id), isNull(paymentCharges.refundedAt)));
      return result.affectedRows === 1;
    },
  };
}
