// Idempotent upsert of seed items into MySQL. A re-run updates catalog facts (name, price, …) and the
// sale settings, but never the stock of an existing row: that stock is live (sales have moved it and
// the write-behind worker keeps it in step with Redis). `reset` puts stock back to the seed figure.
import { sql } from 'drizzle-orm';
import type { ResultSetHeader } from 'mysql2';
import type { Db } from '../../../platform/db';
import type { SeedItem } from './seed-data';

export interface SeedProductsOptions {
  /** Overwrite the stock of existing rows with the seed figure. */
  readonly reset: boolean;
  /** sale_starts_at of flash-sale items. New rows always get it; existing rows only when `overrideSaleStart`. */
  readonly saleStartsAt: Date;
  readonly overrideSaleStart: boolean;
}

export type SeedRowOutcome = 'inserted' | 'updated' | 'unchanged';

export interface SeedProductsResult {
  readonly outcomes: ReadonlyArray<{ readonly id: string; readonly outcome: SeedRowOutcome }>;
}

/** mysql2 runs with -FOUND_ROWS (platform/db.ts): 1 = inserted, 2 = updated, 0 = already as seeded. */
function outcomeOf(affectedRows: number): SeedRowOutcome {
  if (affectedRows === 1) return 'inserted';
  if (affectedRows === 0) return 'unchanged';
  return 'updated';
}

function upsert(item: SeedItem, opts: SeedProductsOptions) {
  const p = item.product;
  const reset = opts.reset ? 1 : 0;
  const overrideStart = opts.overrideSaleStart ? 1 : 0;
  const startsAt = item.flashSale ? opts.saleStartsAt : null;
  // MySQL/MariaDB apply ON DUPLICATE KEY assignments left to right, so `version` and `updated_at`
  // compare against the old values before the other columns are overwritten.
  const changed = sql`NOT (
      name <=> VALUES(name) AND description <=> VALUES(description) AND picture <=> VALUES(picture)
      AND price_units <=> VALUES(price_units) AND price_nanos <=> VALUES(price_nanos)
      AND price_currency <=> VALUES(price_currency) AND categories <=> VALUES(categories)
      AND per_user_limit <=> VALUES(per_user_limit) AND flash_sale <=> VALUES(flash_sale)
      AND (${overrideStart} = 0 OR sale_starts_at <=> VALUES(sale_starts_at))
      AND (${reset} = 0 OR stock <=> VALUES(stock)))`;
  return sql`INSERT INTO products
      (id, name, description, picture, price_units, price_nanos, price_currency, categories,
       stock, per_user_limit, flash_sale, sale_starts_at)
    VALUES (${p.id}, ${p.name}, ${p.description}, ${p.picture}, ${p.price.units.toString()}, ${p.price.nanos},
       ${p.price.currencyCode}, ${JSON.stringify(p.categories)}, ${item.stock}, ${item.perUserLimit},
       ${item.flashSale}, ${startsAt})
    ON DUPLICATE KEY UPDATE
      version = IF(${changed}, version + 1, version),
      updated_at = IF(${changed}, CURRENT_TIMESTAMP(3), updated_at),
      name = VALUES(name), description = VALUES(description), picture = VALUES(picture),
      price_units = VALUES(price_units), price_nanos = VALUES(price_nanos),
      price_currency = VALUES(price_currency), categories = VALUES(categories),
      per_user_limit = VALUES(per_user_limit), flash_sale = VALUES(flash_sale),
      sale_starts_at = IF(${overrideStart} = 1, VALUES(sale_starts_at), sale_starts_at),
      stock = IF(${reset} = 1, VALUES(stock), stock)`;
}

/** Upserts every item in one transaction (all or nothing). */
export async function seedProducts(db: Db, items: readonly SeedItem[], opts: SeedProductsOptions): Promise<SeedProductsResult> {
  return db.transaction(async tx => {
    const outcomes: Array<{ id: string; outcome: SeedRowOutcome }> = [];
    for (const item of items) {
      const [header] = (await tx.execute(upsert(item, opts))) as unknown as [ResultSetHeader];
      outcomes.push({ id: item.product.id, outcome: outcomeOf(header.affectedRows) });
    }
    return { outcomes };
  });
}
