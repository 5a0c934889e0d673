// Remaining stock for the sale page, from InventoryService.GetStock, cached per item for a short
// time: a page polled by thousands of browsers turns into one GetStock per item per period.
import type { Clock } from '../../../platform/clock';
import type { InventoryPort } from './inventory-port';

export interface StockFigure {
  /** Redis holds stock for the item (WarmUp ran). */
  readonly warmed: boolean;
  readonly remaining: number;
}

export interface StockView {
  remaining(productId: string): Promise<StockFigure>;
}

export function createStockView(deps: {
  readonly inventory: Pick<InventoryPort, 'getStock'>;
  readonly clock: Pick<Clock, 'now'>;
  readonly ttlMs: number;
}): StockView {
  const { inventory, clock, ttlMs } = deps;
  const cache = new Map<string, { readonly figure: StockFigure; readonly at: number }>();
  const flights = new Map<string, Promise<StockFigure>>();

  async function fetch(productId: string): Promise<StockFigure> {
    const info = await inventory.getStock(productId);
    const figure: StockFigure = { warmed: info.warmed, remaining: info.warmed ? Math.max(0, Number(info.redisStock)) : 0 };
    cache.set(productId, { figure, at: clock.now() });
    return figure;
  }

  return {
    async remaining(productId) {
      const hit = cache.get(productId);
      if (hit && clock.now() - hit.at < ttlMs) return hit.figure;
      let flight = flights.get(productId);
      if (!flight) {
        flight = fetch(productId).finally(() => flights.delete(productId));
        flights.set(productId, flight);
      }
      return flight;
    },
  };
}
