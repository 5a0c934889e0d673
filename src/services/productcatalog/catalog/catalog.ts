// The product catalog: MySQL behind a Redis read-through cache. Unknown ids are cached too (short
// TTL), so a flood of lookups for ids that do not exist cannot reach MySQL (cache penetration).
// SearchProducts filters the cached list in process, as upstream does over its JSON file: the
// catalog is small and this keeps upstream's exact matching rules.
import { InvalidArgumentError } from '../../../platform/errors';
import type { Logger } from '../../../platform/logger';
import type { RedisClient } from '../../../platform/redis';
import { decodeProduct, decodeProductList, encodeProduct, encodeProductList } from './cache-codec';
import { ProductNotFoundError } from './errors';
import { createReadThroughCache, type EntryCodec } from './read-through-cache';
import { searchProducts } from './search';
import { jitteredTtl, type Random } from './ttl-jitter';
import type { CatalogProduct, ProductSource } from './types';

export interface CatalogSettings {
  /** Base TTL of cached products and of the product list. */
  readonly ttlMs: number;
  /** ± share of the TTL chosen at random per write. */
  readonly jitterRatio: number;
  /** TTL of a cached "no such product": short, so a product created later shows up soon. */
  readonly notFoundTtlMs: number;
  /** Key prefix; unique per test. Keys: <prefix>:product:<id>, <prefix>:list. */
  readonly keyPrefix: string;
}

export const DEFAULT_CATALOG_SETTINGS: CatalogSettings = {
  ttlMs: 5 * 60_000,
  jitterRatio: 0.2,
  notFoundTtlMs: 30_000,
  keyPrefix: 'catalog:v1',
};

/** products.id is VARCHAR(64): a longer id cannot exist, so it is answered without any lookup. */
export const MAX_PRODUCT_ID_LENGTH = 64;

export interface Catalog {
  /** Throws InvalidArgumentError (empty id) or ProductNotFoundError. */
  getProduct(id: string): Promise<CatalogProduct>;
  listProducts(): Promise<CatalogProduct[]>;
  searchProducts(query: string): Promise<CatalogProduct[]>;
  /** Drops the cached product and the cached list (called after a product row changed, e.g. by CDC). */
  invalidate(productId: string): Promise<void>;
}

export interface CatalogDeps {
  readonly source: ProductSource;
  readonly redis: RedisClient;
  readonly logger: Logger;
  readonly settings?: Partial<CatalogSettings>;
  readonly random?: Random;
}

const productCodec: EntryCodec<CatalogProduct | undefined> = { encode: encodeProduct, decode: decodeProduct };
const listCodec: EntryCodec<CatalogProduct[]> = { encode: encodeProductList, decode: decodeProductList };

export function createCatalog(deps: CatalogDeps): Catalog {
  const settings: CatalogSettings = { ...DEFAULT_CATALOG_SETTINGS, ...deps.settings };
  if (!(settings.ttlMs > 0) || !(settings.notFoundTtlMs > 0) || !(settings.jitterRatio >= 0 && settings.jitterRatio < 1)) {
    throw new RangeError('catalog cache: ttlMs and notFoundTtlMs must be > 0, jitterRatio in [0, 1)');
  }
  const { source } = deps;
  const random = deps.random ?? Math.random;
  const cache = createReadThroughCache({ redis: deps.redis, logger: deps.logger });
  const productKey = (id: string) => `${settings.keyPrefix}:product:${id}`;
  const listKey = `${settings.keyPrefix}:list`;
  const ttl = (found: boolean) => jitteredTtl(found ? settings.ttlMs : settings.notFoundTtlMs, settings.jitterRatio, random);

  const list = () =>
    cache.get({ key: listKey, codec: listCodec, load: () => source.listAll(), ttlMs: () => ttl(true) });

  return {
    async getProduct(id) {
      if (typeof id !== 'string' || id === '') throw new InvalidArgumentError('id', 'must not be empty');
      if (id.length > MAX_PRODUCT_ID_LENGTH) throw new ProductNotFoundError(id);
      const product = await cache.get({
        key: productKey(id),
        codec: productCodec,
        load: () => source.findById(id),
        ttlMs: p => ttl(p !== undefined),
      });
      if (!product) throw new ProductNotFoundError(id);
      return product;
    },
    listProducts: list,
    async searchProducts(query) {
      return searchProducts(await list(), query ?? '');
    },
    async invalidate(productId) {
      await Promise.all([cache.invalidate(productKey(productId)), cache.invalidate(listKey)]);
    },
  };
}
