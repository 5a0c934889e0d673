// hipstershop.ProductCatalogService handlers: wire types in and out, all logic in catalog/.
import type { Product, ProductCatalogServiceService } from '../../gen/hipstershop/demo';
import type { AsyncServiceImpl } from '../../platform/grpc-server';
import type { Catalog } from './catalog/catalog';
import type { CatalogProduct } from './catalog/types';

export function toProductMessage(p: CatalogProduct): Product {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    picture: p.picture,
    priceUsd: { currencyCode: p.price.currencyCode, units: p.price.units, nanos: p.price.nanos },
    categories: [...p.categories],
  };
}

export function createCatalogHandlers(catalog: Catalog): AsyncServiceImpl<typeof ProductCatalogServiceService> {
  return {
    async listProducts() {
      return { products: (await catalog.listProducts()).map(toProductMessage) };
    },
    async getProduct(req) {
      return toProductMessage(await catalog.getProduct(req.id));
    },
    async searchProducts(req) {
      return { results: (await catalog.searchProducts(req.query)).map(toProductMessage) };
    },
  };
}
