import { bigint, char, datetime, int, mysqlTable, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';

/**
 * One row per successful charge, written before the reply, so a payment-service restart never makes a
 * paid order look unpaid (upstream keeps nothing). `idempotency_key` is unique but nullable: charges
 * sent without a key are recorded too, they just cannot be deduplicated.
 */
export const paymentCharges = mysqlTable(
  'payment_charges',
  {
    transactionId: char('transaction_id', { length: 36 }).primaryKey(),
    idempotencyKey: varchar('idempotency_key', { length: 128 }),
    amountCurrency: char('amount_currency', { length: 3 }).notNull(),
    amountUnits: bigint('amount_units', { mode: 'bigint' }).notNull(),
    amountNanos: int('amount_nanos').notNull(),
    cardBrand: varchar('card_brand', { length: 32 }).notNull(),
    cardLast4: char('card_last4', { length: 4 }).notNull(),
    createdAt: datetime('created_at', { mode: 'date', fsp: 3 }).notNull(),
    refundedAt: datetime('refunded_at', { mode: 'date', fsp: 3 }),
  },
  (t) => [uniqueIndex('payment_charges_idempotency_key_uq').on(t.idempotencyKey)],
);
