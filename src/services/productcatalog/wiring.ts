// Builds the productcatalog process's parts from its clients: the catalog (MySQL + Redis cache), the
// Redis stock domain and both gRPC handler sets. index.ts serves them; tests serve them on port 0.
import { createAdminGuard } from '../../platform/admin-auth';
import type { Clock } from '../../platform/clock';
import type { Config } from '../../platform/config';
import type { Db } from '../../platform/db';
import type { Logger } from '../../platform/logger';
import type { RedisClient } from '../../platform/redis';
import { createCatalog, type Catalog, type CatalogSettings } from './catalog/catalog';
import { createProductRepo } from './catalog/product-repo';
import type { ProductSource } from './catalog/types';
import { createCatalogHandlers } from './catalog-server';
import { createItemStore, type ItemStore } from './inventory/item-store';
import { createKnownProducts } from './inventory/known-products';
import { createInventoryHandlers } from './inventory-server';
import { createSoldOutFlags, createStockService, resolveStockSettings, type SoldOutFlags, type StockService, type StockSettings } from './stock';

export interface ProductCatalogDeps {
  readonly redis: RedisClient;
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Bearer token of admin RPCs; '' refuses them. */
  readonly adminToken: string;
  readonly catalogSettings?: Partial<CatalogSettings>;
  readonly stockSettings?: Partial<StockSettings>;
  /** Replaces the MySQL product reads (tests count them). */
  readonly productSource?: ProductSource;
  /** How long Reserve trusts that a product exists before asking the catalog again. */
  readonly knownProductTtlMs?: number;
}

export interface ProductCatalogParts {
  readonly catalog: Catalog;
  readonly stock: StockService;
  readonly soldOut: SoldOutFlags;
  readonly items: ItemStore;
  readonly catalogHandlers: ReturnType<typeof createCatalogHandlers>;
  readonly inventoryHandlers: ReturnType<typeof createInventoryHandlers>;
}

export const DEFAULT_KNOWN_PRODUCT_TTL_MS = 60_000;

/** The configured tunables of the catalog cache and the stock core (service and `make seed` share them). */
export function productCatalogSettings(
  config: Pick<Config, 'inventory' | 'catalog'>,
): Pick<ProductCatalogDeps, 'catalogSettings' | 'stockSettings'> {
  const { inventory, catalog } = config;
  return {
    catalogSettings: { ttlMs: catalog.cacheTtlMs, notFoundTtlMs: catalog.notFoundTtlMs },
    stockSettings: {
      shards: inventory.shards,
      soldOutTtlMs: inventory.soldOutTtlMs,
      refusalTtlMs: inventory.refusalTtlMs,
      recordTtlMs: inventory.recordTtlMs,
      partTimeoutMs: inventory.partTimeoutMs,
    },
  };
}

export function createProductCatalogParts(deps: ProductCatalogDeps): ProductCatalogParts {
  const { redis, db, clock, logger } = deps;
  const catalog = createCatalog({
    source: deps.productSource ?? createProductRepo(db),
    redis,
    logger,
    ...(deps.catalogSettings ? { settings: deps.catalogSettings } : {}),
  });
  const settings = resolveStockSettings(deps.stockSettings ?? {});
  const soldOut = createSoldOutFlags(clock, settings.soldOutTtlMs);
  const stock = createStockService({
    redis,
    clock,
    settings,
    soldOutFlags: soldOut,
    logger: logger.child({ component: 'stock' }),
  });
  const items = createItemStore(db);
  const known = createKnownProducts({ catalog, clock, ttlMs: deps.knownProductTtlMs ?? DEFAULT_KNOWN_PRODUCT_TTL_MS });
  return {
    catalog,
    stock,
    soldOut,
    items,
    catalogHandlers: createCatalogHandlers(catalog),
    inventoryHandlers: createInventoryHandlers({
      stock,
      items,
      known,
      admin: createAdminGuard(deps.adminToken),
      clock,
      soldOut,
    }),
  };
}
