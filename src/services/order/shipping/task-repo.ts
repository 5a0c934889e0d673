// order_tasks in MySQL: idempotent creation, replica-safe claiming (SKIP LOCKED + lease token) and the
// guarded writes that end or re-time a claimed task.
import { randomBytes } from 'node:crypto';
import { and, asc, eq, isNull, lte, or, sql } from 'drizzle-orm';
import type { MySql2Database } from 'drizzle-orm/mysql2';
import { orders } from '../schema';
import { orderTasks, TASK_KINDS, type TaskKind, type TaskOutcome } from './task-schema';

export interface ClaimedTask {
  readonly orderId: string;
  readonly kind: TaskKind;
  /** Calls made before this claim. */
  readonly attempts: number;
  readonly trackingId: string | null;
  readonly leaseToken: string;
}

export interface TaskRow {
  readonly orderId: string;
  readonly kind: TaskKind;
  readonly attempts: number;
  readonly dueAt: Date;
  readonly trackingId: string | null;
  /** Set while a worker holds the task. */
  readonly leaseToken: string | null;
  readonly lastError: string | null;
  readonly outcome: TaskOutcome | null;
  readonly doneAt: Date | null;
}

export interface TaskRepo {
  /** Creates the tasks of `kinds` for each order, due now; existing ones are left alone. Returns rows created. */
  enqueue(orderIds: readonly string[], now: Date, kinds?: readonly TaskKind[]): Promise<number>;
  /** Claims up to `limit` due tasks for `leaseMs` (SKIP LOCKED: replicas never claim the same row). */
  claimDue(now: Date, limit: number, leaseMs: number): Promise<ClaimedTask[]>;
  /** Keeps ShipOrder's tracking id on the claimed task; false when the claim was lost. */
  recordTracking(task: ClaimedTask, trackingId: string, now: Date): Promise<boolean>;
  /** Ends the task; false when the claim was lost (another worker owns it now). */
  finish(task: ClaimedTask, outcome: TaskOutcome, now: Date, detail?: { lastError?: string; attempts?: number }): Promise<boolean>;
  /** Puts the task back for a later attempt. */
  retryAt(task: ClaimedTask, attempts: number, dueAt: Date, lastError: string, now: Date): Promise<boolean>;
  /** PAID orders without a ship task whose last change is at or before `changedBefore` (plain read, no locks). */
  findPaidWithoutTask(changedBefore: Date, limit: number): Promise<string[]>;
  get(orderId: string, kind: TaskKind): Promise<TaskRow | undefined>;
}

function affectedRows(result: unknown): number {
  const header = (Array.isArray(result) ? result[0] : result) as { affectedRows?: number };
  return header.affectedRows ?? 0;
}

const newToken = (): string => randomBytes(12).toString('hex');

export function createTaskRepo<S extends Record<string, unknown>>(db: MySql2Database<S>): TaskRepo {
  const owned = (task: ClaimedTask) =>
    and(eq(orderTasks.orderId, task.orderId), eq(orderTasks.kind, task.kind), eq(orderTasks.leaseToken, task.leaseToken), isNull(orderTasks.doneAt));

  return {
    async enqueue(orderIds, now, kinds = TASK_KINDS) {
      if (orderIds.length === 0) return 0;
      const values = [...new Set(orderIds)].flatMap(orderId =>
        kinds.map(kind => ({ orderId, kind, attempts: 0, dueAt: now, createdAt: now, updatedAt: now })),
      );
      const result = await db.insert(orderTasks).values(values).onDuplicateKeyUpdate({ set: { orderId: sql`order_id` } });
      return affectedRows(result);
    },

    async claimDue(now, limit, leaseMs) {
      const token = newToken();
      const leaseEnd = new Date(now.getTime() + leaseMs);
      return db.transaction(async tx => {
        const rows = await tx
          .select({ orderId: orderTasks.orderId, kind: orderTasks.kind, attempts: orderTasks.attempts, trackingId: orderTasks.trackingId })
          .from(orderTasks)
          .where(and(isNull(orderTasks.doneAt), lte(orderTasks.dueAt, now)))
          .orderBy(asc(orderTasks.dueAt))
          .limit(limit)
          .for('update', { skipLocked: true });
        if (rows.length === 0) return [];
        await tx
          .update(orderTasks)
          .set({ dueAt: leaseEnd, leaseToken: token, updatedAt: now })
          .where(or(...rows.map(r => and(eq(orderTasks.orderId, r.orderId), eq(orderTasks.kind, r.kind)))));
        return rows.map(r => ({ ...r, leaseToken: token }));
      });
    },

    async recordTracking(task, trackingId, now) {
      const result = await db.update(orderTasks).set({ trackingId, updatedAt: now }).where(owned(task));
      return affectedRows(result) === 1;
    },

    async finish(task, outcome, now, detail = {}) {
      const result = await db
        .update(orderTasks)
        .set({
          outcome,
          doneAt: now,
          updatedAt: now,
          leaseToken: null,
          ...(detail.lastError !== undefined ? { lastError: detail.lastError.slice(0, 1024) } : {}),
          ...(detail.attempts !== undefined ? { attempts: detail.attempts } : {}),
        })
        .where(owned(task));
      return affectedRows(result) === 1;
    },

    async retryAt(task, attempts, dueAt, lastError, now) {
      const result = await db
        .update(orderTasks)
        .set({ attempts, dueAt, lastError: lastError.slice(0, 1024), leaseToken: null, updatedAt: now })
        .where(owned(task));
      return affectedRows(result) === 1;
    },

    async findPaidWithoutTask(changedBefore, limit) {
      const rows = await db
        .select({ orderId: orders.orderId })
        .from(orders)
        .leftJoin(orderTasks, and(eq(orderTasks.orderId, orders.orderId), eq(orderTasks.kind, 'ship')))
        .where(and(eq(orders.status, 'PAID'), lte(orders.updatedAt, changedBefore), isNull(orderTasks.orderId)))
        .orderBy(asc(orders.updatedAt))
        .limit(limit);
      return rows.map(r => r.orderId);
    },

    async get(orderId, kind) {
      const [row] = await db
        .select()
        .from(orderTasks)
        .where(and(eq(orderTasks.orderId, orderId), eq(orderTasks.kind, kind)))
        .limit(1);
      if (row === undefined) return undefined;
      return {
        orderId: row.orderId,
        kind: row.kind,
        attempts: row.attempts,
        dueAt: row.dueAt,
        trackingId: row.trackingId,
        leaseToken: row.leaseToken,
        lastError: row.lastError,
        outcome: row.outcome,
        doneAt: row.doneAt,
      };
    },
  };
}
