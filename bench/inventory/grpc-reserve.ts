// gRPC Reserve: the whole service path (grpc-js client → HTTP/2 → the productcatalog handlers →
// validation, payload encoding → one Lua script), `concurrency` calls in flight over `channels`
// HTTP/2 connections, each call a new order of a new user. Anything but RESERVED counts as an error.
import { InventoryServiceClient, ReserveOutcome } from '../../src/gen/shop/v1/inventory';
import { createGrpcClient, unary } from '../../src/platform/grpc-client';
import { runLoad, type LoadResult } from '../lib/load-loop';
import { benchDraft } from './order-draft';

export interface ReserveLoad {
  /** Runs one measured (or warm-up) window; `tag` makes its order ids unique. */
  run(tag: string, opts: { concurrency: number; durationMs: number; signal?: AbortSignal }): Promise<LoadResult>;
  close(): void;
}

export function createReserveLoad(address: string, sku: string, channels: number): ReserveLoad {
  // A local subchannel pool per client: otherwise grpc-js shares one connection between them.
  const clients = Array.from({ length: channels }, () =>
    createGrpcClient(InventoryServiceClient, address, { 'grpc.use_local_subchannel_pool': 1 }),
  );
  const calls = clients.map(c => unary(c, 'reserve', { defaultDeadlineMs: 10_000 }));
  return {
    run(tag, window) {
      return runLoad(window, async i => {
        const orderId = `${tag}-${i}`;
        const res = await calls[i % calls.length]!({ order: benchDraft(sku, orderId, `u-${orderId}`, new Date()) });
        if (res.outcome !== ReserveOutcome.RESERVE_OUTCOME_RESERVED) {
          throw new Error(`Reserve answered ${ReserveOutcome[res.outcome] ?? res.outcome}`);
        }
      });
    },
    close() {
      for (const c of clients) c.close();
    },
  };
}
