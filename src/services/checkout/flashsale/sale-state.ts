// Pure: where an item stands in its sale window, and its wire form for the sale page.
import { SaleState, type SaleItem } from '../../../gen/shop/v1/flashsale';
import type { SaleItemRecord } from './sale-item';

export type WindowPhase = 'UPCOMING' | 'OPEN' | 'ENDED';

export function windowPhase(item: Pick<SaleItemRecord, 'saleStartsAt' | 'saleEndsAt'>, nowMs: number): WindowPhase {
  if (item.saleStartsAt && nowMs < item.saleStartsAt.getTime()) return 'UPCOMING';
  if (item.saleEndsAt && nowMs >= item.saleEndsAt.getTime()) return 'ENDED';
  return 'OPEN';
}

export function saleStateOf(phase: WindowPhase, remaining: number, soldOutFlag: boolean): SaleState {
  if (phase === 'UPCOMING') return SaleState.SALE_STATE_UPCOMING;
  if (phase === 'ENDED') return SaleState.SALE_STATE_ENDED;
  return remaining <= 0 || soldOutFlag ? SaleState.SALE_STATE_SOLD_OUT : SaleState.SALE_STATE_ACTIVE;
}

export function toSaleItem(item: SaleItemRecord, view: { remaining: number; soldOutFlag: boolean; nowMs: number }): SaleItem {
  const remaining = view.soldOutFlag ? 0 : Math.max(0, view.remaining);
  return {
    product: {
      id: item.productId,
      name: item.name,
      description: item.description,
      picture: item.picture,
      priceUsd: { ...item.price },
      categories: [...item.categories],
    },
    state: saleStateOf(windowPhase(item, view.nowMs), remaining, view.soldOutFlag),
    remainingStock: BigInt(remaining),
    limitPerUser: item.perUserLimit,
    saleStartsAt: item.saleStartsAt ?? undefined,
    saleEndsAt: item.saleEndsAt ?? undefined,
    serverTime: new Date(view.nowMs),
  };
}
