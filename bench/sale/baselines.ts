// The other benches' baselines, measured again in this run on this machine so the sale's figures can be
// read as ratios: the inventory bench's naive MySQL service (row lock + order insert per request on one
// hot item, bench/inventory/naive-mysql.ts, its own database) and the checkout bench's no-I/O gRPC floor
// (CurrencyService.GetSupportedCurrencies of the running shop, from this load generator).
import type { Config } from '../../src/platform/config';
import { createBenchDatabase } from '../lib/bench-database';
import { runLoad, type LoadResult } from '../lib/load-loop';
import { prepareNaiveMysql } from '../inventory/naive-mysql';
import type { ShopClients } from './shop-clients';

export interface Baselines {
  readonly naive: LoadResult;
  readonly floor: LoadResult;
}

export async function measureBaselines(config: Config, shop: ShopClients, o: { runId: string; concurrency: number; durationMs: number }): Promise<Baselines> {
  const db = await createBenchDatabase(config.mysql.url, `bench_sale_naive_${o.runId}`);
  let naive: LoadResult;
  try {
    const bench = await prepareNaiveMysql({ config, url: db.url, sku: 'BENCH-SALE-NAIVE', stock: 100_000_000, poolSize: o.concurrency });
    try {
      naive = await bench.run(`n${o.runId}`, { concurrency: o.concurrency, durationMs: o.durationMs });
      const figures = await bench.figures();
      if (figures.orders !== naive.ok) throw new Error(`naive MySQL baseline: ${naive.ok} commits but ${figures.orders} order rows`);
    } finally {
      await bench.close();
    }
  } finally {
    await db.drop();
  }
  const floor = await runLoad({ concurrency: o.concurrency, durationMs: o.durationMs }, () => shop.getSupportedCurrencies({}));
  return { naive, floor };
}
