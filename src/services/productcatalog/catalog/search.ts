// Upstream's SearchProducts: case-insensitive substring of name or description (Go strings.ToLower +
// strings.Contains), so an empty query matches everything.
import type { CatalogProduct } from './types';

export function matchesQuery(product: CatalogProduct, query: string): boolean {
  const q = query.toLowerCase();
  return product.name.toLowerCase().includes(q) || product.description.toLowerCase().includes(q);
}

export function searchProducts(products: readonly CatalogProduct[], query: string): CatalogProduct[] {
  return products.filter(p => matchesQuery(p, query));
}
