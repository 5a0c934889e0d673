// The two InventoryService calls flash-sale admission makes, behind a small port so handlers do not
// depend on grpc-js. Pass `breakers.unaryOptions('inventory', deadlineMs)` (platform/breaker.ts) so
// both calls go through the inventory breaker with a deadline below its timeout.
import type { OrderDraft } from '../../../gen/shop/v1/common';
import type { InventoryServiceClient, ReserveResponse, StockInfo } from '../../../gen/shop/v1/inventory';
import { unary, type UnaryOptions } from '../../../platform/grpc-client';

export interface ReserveOptions {
  /**
   * This order id was sent before and its answer was lost. Tells the inventory (as grpc-js does for
   * its own retries) to skip its sold-out fast path, so a reservation that did happen is reported.
   */
  readonly retry?: boolean;
}

export interface InventoryPort {
  reserve(order: OrderDraft, options?: ReserveOptions): Promise<ReserveResponse>;
  getStock(productId: string): Promise<StockInfo>;
}

const RETRY_METADATA = { 'grpc-previous-rpc-attempts': '1' } as const;

export function createInventoryPort(client: InventoryServiceClient, options: UnaryOptions): InventoryPort {
  const reserve = unary(client, 'reserve', options);
  const getStock = unary(client, 'getStock', options);
  return {
    reserve: (order, opts = {}) => reserve({ order }, opts.retry ? { metadata: RETRY_METADATA } : {}),
    getStock: productId => getStock({ productId }),
  };
}
