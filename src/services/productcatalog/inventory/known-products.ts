// "Does this product exist?" for Reserve, without touching MySQL on the hot path: ids seen to exist
// are remembered in process for a while; anything else asks the catalog (Redis cache, single-flight,
// cached "not found"), so a burst of orders for one item costs one lookup per process per TTL.
import type { Clock } from '../../../platform/clock';
import { NotFoundError } from '../../../platform/errors';
import type { Catalog } from '../catalog/catalog';
import { ProductNotFoundError } from '../catalog/errors';

export interface KnownProducts {
  /** Throws NotFoundError naming `field` when the product does not exist. */
  require(field: string, productId: string): Promise<void>;
}

const MAX_REMEMBERED = 100_000;

export function createKnownProducts(deps: { catalog: Pick<Catalog, 'getProduct'>; clock: Pick<Clock, 'now'>; ttlMs: number }): KnownProducts {
  const { catalog, clock, ttlMs } = deps;
  const knownUntil = new Map<string, number>();
  return {
    async require(field, productId) {
      const until = knownUntil.get(productId);
      if (until !== undefined && until > clock.now()) return;
      try {
        await catalog.getProduct(productId);
      } catch (err) {
        if (err instanceof ProductNotFoundError) throw new NotFoundError(`${field}: no product with ID ${productId}`);
        throw err;
      }
      if (knownUntil.size >= MAX_REMEMBERED) knownUntil.clear();
      knownUntil.set(productId, clock.now() + ttlMs);
    },
  };
}
