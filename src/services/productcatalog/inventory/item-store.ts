// The durable (MySQL) side of inventory: stock figures for WarmUp and GetStock, and item sale settings.
import { eq, inArray, sql } from 'drizzle-orm';
import { products } from '../../../db/schema';
import type { Db } from '../../../platform/db';
import type { WarmUpFigure } from '../stock';

export interface ItemRow {
  readonly productId: string;
  readonly stock: number;
  readonly perUserLimit: number;
  readonly flashSale: boolean;
  readonly saleStartsAt: Date | null;
}

export interface ItemSettings {
  readonly perUserLimit: number;
  readonly flashSale: boolean;
  readonly saleStartsAt: Date | null;
}

export interface ItemStore {
  /** MySQL stock and per-user limit of the given ids; unknown ids are left out. */
  figures(productIds: readonly string[]): Promise<WarmUpFigure[]>;
  item(productId: string): Promise<ItemRow | undefined>;
  /** Replaces an item's sale settings; false when there is no such product. */
  configure(productId: string, settings: ItemSettings): Promise<boolean>;
}

const columns = {
  productId: products.id,
  stock: products.stock,
  perUserLimit: products.perUserLimit,
  flashSale: products.flashSale,
  saleStartsAt: products.saleStartsAt,
};

export function createItemStore(db: Db): ItemStore {
  return {
    async figures(productIds) {
      if (productIds.length === 0) return [];
      const rows = await db
        .select({ sku: products.id, stock: products.stock, limit: products.perUserLimit })
        .from(products)
        .where(inArray(products.id, [...productIds]));
      return rows;
    },
    async item(productId) {
      const rows = await db.select(columns).from(products).where(eq(products.id, productId)).limit(1);
      return rows[0];
    },
    async configure(productId, s) {
      // Matching an unchanged row must still count as found: compare with a SELECT, not affectedRows
      // (the pool runs with -FOUND_ROWS, so an update that changes nothing reports 0).
      return db.transaction(async tx => {
        const found = await tx.select({ id: products.id }).from(products).where(eq(products.id, productId)).for('update');
        if (found.length === 0) return false;
        await tx
          .update(products)
          .set({
            perUserLimit: s.perUserLimit,
            flashSale: s.flashSale,
            saleStartsAt: s.saleStartsAt,
            version: sql`${products.version} + 1`,
          })
          .where(eq(products.id, productId));
        return true;
      });
    },
  };
}
