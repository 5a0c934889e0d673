// The process's snapshot of flash-sale items, re-read from MySQL at most once per ttlMs (one query
// for all items, concurrent readers share it), so Buy does not touch MySQL per request. When a
// refresh fails the previous snapshot keeps serving (sale settings rarely change mid-sale); with no
// snapshot at all the call fails UNAVAILABLE.
import type { Clock } from '../../../platform/clock';
import { UnavailableError } from '../../../platform/errors';
import type { Logger } from '../../../platform/logger';
import type { SaleItemRecord, SaleItemSource } from './sale-item';

export interface SaleCatalog {
  list(): Promise<readonly SaleItemRecord[]>;
  /** undefined: no such product, or not a flash-sale item. */
  find(productId: string): Promise<SaleItemRecord | undefined>;
}

interface Snapshot {
  readonly items: readonly SaleItemRecord[];
  readonly byId: ReadonlyMap<string, SaleItemRecord>;
  readonly readAt: number;
}

export function createSaleCatalog(deps: {
  readonly source: SaleItemSource;
  readonly clock: Pick<Clock, 'now'>;
  readonly ttlMs: number;
  readonly logger: Logger;
}): SaleCatalog {
  const { source, clock, ttlMs, logger } = deps;
  let current: Snapshot | undefined;
  let flight: Promise<Snapshot> | undefined;

  async function refresh(): Promise<Snapshot> {
    try {
      const items = await source.listSaleItems();
      current = { items, byId: new Map(items.map(i => [i.productId, i])), readAt: clock.now() };
      return current;
    } catch (err) {
      if (current) {
        logger.warn({ err, ageMs: clock.now() - current.readAt }, 'sale items refresh failed; serving the previous snapshot');
        // Serve it for another period before asking MySQL again.
        current = { ...current, readAt: clock.now() };
        return current;
      }
      throw new UnavailableError('sale items are unavailable right now', { cause: err });
    }
  }

  async function snapshot(): Promise<Snapshot> {
    if (current && clock.now() - current.readAt < ttlMs) return current;
    flight ??= refresh().finally(() => {
      flight = undefined;
    });
    return flight;
  }

  return {
    list: async () => (await snapshot()).items,
    find: async productId => (await snapshot()).byId.get(productId),
  };
}
