// Fulfilment tasks of PAID orders: one `ship` and one `email` row per order, created when the order is
// PAID (or by ShippingRecover). The row carries the retry state across restarts (attempts, next due
// time, last error) and the lease that lets several replicas share the work: a worker claims due rows
// with FOR UPDATE SKIP LOCKED and pushes due_at past the lease, so a worker that dies mid-call is
// re-driven by any replica once the lease ends. done_at makes the email at-most-once per order (short
// of a crash between the send and its commit).
import { datetime, index, int, mysqlTable, primaryKey, varchar } from 'drizzle-orm/mysql-core';

export const TASK_KINDS = ['ship', 'email'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export const TASK_OUTCOMES = ['shipped', 'ship_failed', 'sent', 'gave_up', 'skipped'] as const;
export type TaskOutcome = (typeof TASK_OUTCOMES)[number];

export const orderTasks = mysqlTable(
  'order_tasks',
  {
    orderId: varchar('order_id', { length: 64 }).notNull(),
    kind: varchar('kind', { length: 8, enum: TASK_KINDS }).notNull(),
    /** Calls made so far (a call refused by an open breaker is not one). */
    attempts: int('attempts', { unsigned: true }).notNull().default(0),
    /** Earliest time a worker may take the task: the next retry, or the end of the current lease. */
    dueAt: datetime('due_at', { fsp: 3 }).notNull(),
    /** Set by the claim; every later write of the claim must match it (a stale worker writes nothing). */
    leaseToken: varchar('lease_token', { length: 32 }),
    /** ShipOrder's answer, kept before the SHIPPED transition so a re-drive never ships twice. */
    trackingId: varchar('tracking_id', { length: 64 }),
    lastError: varchar('last_error', { length: 1024 }),
    outcome: varchar('outcome', { length: 16, enum: TASK_OUTCOMES }),
    doneAt: datetime('done_at', { fsp: 3 }),
    createdAt: datetime('created_at', { fsp: 3 }).notNull(),
    updatedAt: datetime('updated_at', { fsp: 3 }).notNull(),
  },
  t => [
    primaryKey({ columns: [t.orderId, t.kind] }),
    // The poller: WHERE done_at IS NULL AND due_at <= ? ORDER BY due_at … FOR UPDATE SKIP LOCKED.
    index('order_tasks_due_idx').on(t.doneAt, t.dueAt),
  ],
);
