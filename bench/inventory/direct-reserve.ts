// Reserve without gRPC: the stock domain called in-process (validation, sold-out check, the same Lua
// script through ioredis), each call encoding its order payload as the handler does. It splits the
// gap between gRPC Reserve and the Lua ceiling into "the gRPC hop" and "Node + ioredis", and it is the
// like-for-like partner of the naive baseline (one Node process driving a datastore client).
import { systemClock } from '../../src/platform/clock';
import type { RedisClient } from '../../src/platform/redis';
import { encodeOrderPayload } from '../../src/services/productcatalog/inventory/order-payload';
import { createStockService, type StockSettings } from '../../src/services/productcatalog/stock';
import { runLoad, type LoadResult } from '../lib/load-loop';
import { benchDraft } from './order-draft';

export interface DirectReserve {
  run(tag: string, opts: { concurrency: number; durationMs: number; signal?: AbortSignal }): Promise<LoadResult>;
}

export function createDirectReserve(redis: RedisClient, sku: string, settings: Partial<StockSettings>): DirectReserve {
  const stock = createStockService({ redis, clock: systemClock, settings });
  return {
    run: (tag, window) =>
      runLoad(window, async i => {
        const orderId = `${tag}-${i}`;
        const userId = `u-${orderId}`;
        const now = new Date();
        const payload = encodeOrderPayload(benchDraft(sku, orderId, userId, now), now, {});
        const outcome = await stock.reserve({ orderId, userId, lines: [{ sku, qty: 1 }], orderPayload: payload, traceContext: {} });
        if (outcome.kind !== 'RESERVED') throw new Error(`reserve answered ${outcome.kind}`);
      }),
  };
}
