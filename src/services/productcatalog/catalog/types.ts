// The catalog's view of a product: what hipstershop.Product carries, price exact (units + nanos).
import type { Money } from '../../../platform/money';

export interface CatalogProduct {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly picture: string;
  readonly price: Readonly<Money>;
  readonly categories: readonly string[];
}

/** Where the catalog reads products from (MySQL in production). */
export interface ProductSource {
  findById(id: string): Promise<CatalogProduct | undefined>;
  /** Every product, in a stable order (by id). */
  listAll(): Promise<CatalogProduct[]>;
}
