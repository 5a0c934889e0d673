// Flash-sale items from MySQL: one query for every product with flash_sale set. Stock columns are not
// read here: remaining stock is Redis's (InventoryService.GetStock).
import { asc, eq } from 'drizzle-orm';
import { products } from '../../../db/schema';
import type { Db } from '../../../platform/db';
import type { SaleItemRecord, SaleItemSource } from './sale-item';

export function createSaleItemRepo(db: Db): SaleItemSource {
  return {
    async listSaleItems() {
      const rows = await db
        .select({
          id: products.id,
          name: products.name,
          description: products.description,
          picture: products.picture,
          priceUnits: products.priceUnits,
          priceNanos: products.priceNanos,
          priceCurrency: products.priceCurrency,
          categories: products.categories,
          perUserLimit: products.perUserLimit,
          saleStartsAt: products.saleStartsAt,
        })
        .from(products)
        .where(eq(products.flashSale, true))
        .orderBy(asc(products.id));
      return rows.map(
        (r): SaleItemRecord => ({
          productId: r.id,
          name: r.name,
          description: r.description,
          picture: r.picture,
          price: { currencyCode: r.priceCurrency, units: r.priceUnits, nanos: r.priceNanos },
          categories: Array.isArray(r.categories) ? r.categories.filter((c): c is string => typeof c === 'string') : [],
          perUserLimit: r.perUserLimit,
          saleStartsAt: r.saleStartsAt,
          saleEndsAt: null,
        }),
      );
    },
  };
}
