// The write-behind transaction for one batch of one stock stream (READ COMMITTED):
//   1. lock the products the batch names (SELECT ... FOR UPDATE, primary-key order: no deadlocks
//      between replicas, and a second replica holding the same entries waits here for the first);
//   2. read which entry ids stock_applied already holds (after the locks, so it sees what a replica
//      that held them just committed);
//   3. plan (stock-plan.ts), then ONE `UPDATE products SET stock = stock + CASE id ... END` for the summed
//      deltas, the stock_log rows, and the applied ids — all committed together, so an entry's effect and
//      its "applied" mark can never exist without each other.
// The plan already refuses anything that would go below zero; the unsigned column would also make MySQL
// fail the UPDATE (error 1690) rather than clamp, so a bug cannot slip a negative through silently.
import { and, eq, inArray, sql } from 'drizzle-orm';
import { products, stockApplied, stockLog } from '../../../db/schema';
import type { Db } from '../../../platform/db';
import type { StockChangeRecord } from '../stock';
import { planStockBatch, type StockPlan } from './stock-plan';

export interface ApplyHooks {
  /** Called inside the transaction just before COMMIT (tests: crash there). */
  beforeCommit?(plan: StockPlan): void | Promise<void>;
}

export class StockUpdateMismatchError extends Error {
  override readonly name = 'StockUpdateMismatchError';
}

export async function applyStockBatch(
  db: Db,
  stream: string,
  records: readonly StockChangeRecord[],
  hooks: ApplyHooks = {},
): Promise<StockPlan> {
  return db.transaction(
    async tx => {
      const skus = [...new Set(records.flatMap(r => r.lines.map(l => l.sku)))].sort();
      const rows = skus.length
        ? await tx
            .select({ id: products.id, stock: products.stock })
            .from(products)
            .where(inArray(products.id, skus))
            .orderBy(products.id)
            .for('update')
        : [];
      const ids = records.map(r => r.id);
      const done = await tx
        .select({ id: stockApplied.streamId })
        .from(stockApplied)
        .where(and(eq(stockApplied.stream, stream), inArray(stockApplied.streamId, ids)));

      const plan = planStockBatch(records, new Set(done.map(d => d.id)), new Map(rows.map(r => [r.id, r.stock])));

      if (plan.deltas.size > 0) {
        const cases = sql.join([...plan.deltas].map(([sku, delta]) => sql`WHEN ${sku} THEN ${delta}`), sql` `);
        const [result] = await tx
          .update(products)
          .set({
            stock: sql`${products.stock} + (CASE ${products.id} ${cases} ELSE 0 END)`,
            version: sql`${products.version} + 1`,
          })
          .where(inArray(products.id, [...plan.deltas.keys()]));
        if (result.affectedRows !== plan.deltas.size) {
          throw new StockUpdateMismatchError(`stock UPDATE changed ${result.affectedRows} rows, expected ${plan.deltas.size}`);
        }
      }
      if (plan.log.length > 0) {
        await tx.insert(stockLog).values(
          plan.log.map(row => ({
            productId: row.productId,
            // Whole: stock_log.order_id (128) and reason (64) fit what the stock scripts accept.
            orderId: row.orderId || null,
            delta: row.delta,
            stockBefore: row.before,
            stockAfter: row.after,
            reason: row.reason,
            stream,
            streamId: row.streamId,
          })),
        );
      }
      if (plan.apply.length > 0) {
        await tx.insert(stockApplied).values(plan.apply.map(r => ({ stream, streamId: r.id })));
      }
      await hooks.beforeCommit?.(plan);
      return plan;
    },
    { isolationLevel: 'read committed' },
  );
}
