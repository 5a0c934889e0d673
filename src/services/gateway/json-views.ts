// Proto messages → the JSON shapes of the HTTP contract. Money keeps exact units as a string
// (int64 does not fit a JS number); enums lose their prefix ("ORDER_STATUS_PAID" → "PAID").
import type { Money, Product } from '../../gen/hipstershop/demo';
import { orderStatusToJSON, OrderStatus } from '../../gen/shop/v1/common';
import { buyResultToJSON, saleStateToJSON, type BuyResult, type SaleItem } from '../../gen/shop/v1/flashsale';
import { ProgressState, type Order, type OrderProgress } from '../../gen/shop/v1/order';

export interface MoneyJson {
  readonly currencyCode: string;
  readonly units: string;
  readonly nanos: number;
}

export interface ProductJson {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly picture: string;
  readonly categories: readonly string[];
  readonly priceUsd?: MoneyJson;
}

export interface SaleItemJson {
  readonly productId: string;
  readonly name: string;
  readonly picture: string;
  readonly price?: MoneyJson;
  /** Units left (fits a JS number comfortably). */
  readonly remaining: number;
  readonly perUserLimit: number;
  readonly startsAt?: string;
  readonly endsAt?: string;
  readonly state: string;
}

export interface OrderJson {
  readonly orderId: string;
  /** PENDING_PAYMENT, PAID, SHIPPED, SHIP_FAILED, CANCELLED, or FAILED (could not be created). */
  readonly status: string;
  /** Changes whenever the order changes (its last update, ms since epoch). */
  readonly version?: string;
  /** No further change will follow (PAID is not terminal: shipping follows). */
  readonly terminal: boolean;
  readonly total?: MoneyJson;
  readonly paymentDeadline?: string;
  readonly failureReason?: string;
  readonly trackingId?: string;
}

const stripPrefix = (name: string, prefix: string) => (name.startsWith(prefix) ? name.slice(prefix.length) : name);

export function moneyJson(m: Money | undefined): MoneyJson | undefined {
  return m ? { currencyCode: m.currencyCode, units: m.units.toString(), nanos: m.nanos } : undefined;
}

export function productJson(p: Product): ProductJson {
  const priceUsd = moneyJson(p.priceUsd);
  return { id: p.id, name: p.name, description: p.description, picture: p.picture, categories: [...p.categories], ...(priceUsd ? { priceUsd } : {}) };
}

export function saleItemJson(item: SaleItem): SaleItemJson {
  const p = item.product;
  const price = moneyJson(p?.priceUsd);
  return {
    productId: p?.id ?? '',
    name: p?.name ?? '',
    picture: p?.picture ?? '',
    ...(price ? { price } : {}),
    remaining: Number(item.remainingStock),
    perUserLimit: item.limitPerUser,
    ...(item.saleStartsAt ? { startsAt: item.saleStartsAt.toISOString() } : {}),
    ...(item.saleEndsAt ? { endsAt: item.saleEndsAt.toISOString() } : {}),
    state: stripPrefix(saleStateToJSON(item.state), 'SALE_STATE_'),
  };
}

export const buyOutcomeName = (r: BuyResult) => stripPrefix(buyResultToJSON(r), 'BUY_RESULT_');
export const orderStatusName = (s: OrderStatus) => stripPrefix(orderStatusToJSON(s), 'ORDER_STATUS_');

const TERMINAL = new Set([OrderStatus.ORDER_STATUS_SHIPPED, OrderStatus.ORDER_STATUS_SHIP_FAILED, OrderStatus.ORDER_STATUS_CANCELLED]);

function optional(key: 'failureReason' | 'trackingId', value: string): Partial<OrderJson> {
  return value === '' ? {} : { [key]: value };
}

export function progressJson(p: OrderProgress): OrderJson {
  const failed = p.state === ProgressState.PROGRESS_STATE_FAIL;
  return {
    orderId: p.orderId,
    status: failed ? 'FAILED' : orderStatusName(p.status),
    ...(p.updatedAt ? { version: String(p.updatedAt.getTime()) } : {}),
    terminal: p.terminal,
    ...(p.expiresAt ? { paymentDeadline: p.expiresAt.toISOString() } : {}),
    ...optional('failureReason', p.reason),
    ...optional('trackingId', p.trackingId),
  };
}

export function orderJson(o: Order): OrderJson {
  const total = moneyJson(o.total);
  return {
    orderId: o.orderId,
    status: orderStatusName(o.status),
    ...(o.updatedAt ? { version: String(o.updatedAt.getTime()) } : {}),
    terminal: TERMINAL.has(o.status),
    ...(total ? { total } : {}),
    ...(o.expiresAt ? { paymentDeadline: o.expiresAt.toISOString() } : {}),
    ...optional('failureReason', o.failureReason),
    ...optional('trackingId', o.trackingId),
  };
}
