// Products from MySQL. Reads only: stock columns belong to the inventory side and are not part of
// the catalog's answer (a catalog cache must never serve stock figures).
import { asc, eq } from 'drizzle-orm';
import { products } from '../../../db/schema';
import type { Db } from '../../../platform/db';
import type { CatalogProduct, ProductSource } from './types';

const columns = {
  id: products.id,
  name: products.name,
  description: products.description,
  picture: products.picture,
  priceUnits: products.priceUnits,
  priceNanos: products.priceNanos,
  priceCurrency: products.priceCurrency,
  categories: products.categories,
};

type Row = {
  id: string;
  name: string;
  description: string;
  picture: string;
  priceUnits: bigint;
  priceNanos: number;
  priceCurrency: string;
  categories: string[];
};

function toProduct(row: Row): CatalogProduct {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    picture: row.picture,
    price: { currencyCode: row.priceCurrency, units: row.priceUnits, nanos: row.priceNanos },
    categories: Array.isArray(row.categories) ? row.categories.filter((c): c is string => typeof c === 'string') : [],
  };
}

export function createProductRepo(db: Db): ProductSource {
  return {
    async findById(id) {
      const rows = await db.select(columns).from(products).where(eq(products.id, id)).limit(1);
      const row = rows[0];
      return row ? toProduct(row) : undefined;
    },
    async listAll() {
      const rows = await db.select(columns).from(products).orderBy(asc(products.id));
      return rows.map(toProduct);
    },
  };
}
