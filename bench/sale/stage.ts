// Sets the sale up as an operator would: the hot items' catalog rows go into MySQL (no RPC creates
// products), then the admin RPCs make them flash-sale items (ConfigureItem: per-user limit, open now)
// and load their stock into Redis (WarmUp). Every run gets fresh SKUs, so the ledger of an item starts
// from its warmed stock and no earlier run's orders or leftovers mix into this one's figures.
import { WarmUpOutcome } from '../../src/gen/shop/v1/inventory';
import type { Db } from '../../src/platform/db';
import { FLASH_PRODUCTS, UPSTREAM_PRODUCTS } from '../../src/services/productcatalog/seed/seed-data';
import { seedProducts } from '../../src/services/productcatalog/seed/seed-products';
import { adminCall, type ShopClients } from './shop-clients';

export interface StageOptions {
  readonly runId: string;
  readonly items: number;
  readonly units: number;
  readonly limitPerUser: number;
}

export function saleSku(runId: string, k: number): string {
  return `SALE-SIM-${runId.toUpperCase()}-${k + 1}`;
}

export async function stageSaleItems(db: Db, shop: ShopClients, adminToken: string, o: StageOptions): Promise<string[]> {
  const template = FLASH_PRODUCTS[0]!;
  const skus = Array.from({ length: o.items }, (_, k) => saleSku(o.runId, k));
  await seedProducts(
    db,
    skus.map((id, k) => ({
      product: { ...template, id, name: `Sale simulator item ${k + 1} (run ${o.runId})`, categories: ['flash-sale', 'sale-simulator'] },
      stock: o.units,
      perUserLimit: 0,
      flashSale: false,
    })),
    { reset: false, saleStartsAt: new Date(), overrideSaleStart: false },
  );
  const admin = adminCall(adminToken);
  const opensAt = new Date(Date.now() - 1000);
  for (const productId of skus) {
    await shop.configureItem({ config: { productId, limitPerUser: o.limitPerUser, flashSale: true, saleStartsAt: opensAt } }, admin);
  }
  const warmed = await shop.warmUp({ productIds: skus }, admin);
  const bad = warmed.results.filter(r => r.outcome !== WarmUpOutcome.WARM_UP_OUTCOME_WARMED || Number(r.stock) !== o.units);
  if (bad.length > 0) {
    throw new Error(`WarmUp of the sale items failed: ${bad.map(r => `${r.productId} outcome ${r.outcome} stock ${String(r.stock)}`).join('; ')}`);
  }
  return skus;
}

/** The 9 catalog items PlaceOrder traffic buys; refuses to start when they are not warmed (`make seed`). */
export async function catalogItemsReady(shop: ShopClients): Promise<Map<string, number>> {
  const stock = new Map<string, number>();
  for (const p of UPSTREAM_PRODUCTS) {
    const info = await shop.getStock({ productId: p.id });
    if (!info.warmed) throw new Error(`catalog item ${p.id} is not warmed in Redis: run \`make seed\` (or \`make run\`) first`);
    stock.set(p.id, Number(info.redisStock));
  }
  return stock;
}
