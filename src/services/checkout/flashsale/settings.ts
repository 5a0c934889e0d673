// The tunables of flash-sale admission, resolved once from Config (env is read only in platform/config.ts).
import type { Config } from '../../../platform/config';
import type { RateRule } from '../../../platform/rate-limit';

export interface FlashSaleRateRules {
  /** Buy per user. */
  readonly buyUser: RateRule;
  /** Buy per client address. */
  readonly buyIp: RateRule;
  /** IssueToken per user. */
  readonly tokenUser: RateRule;
}

export interface FlashSaleSettings {
  readonly tokenTtlMs: number;
  readonly itemCacheTtlMs: number;
  readonly stockCacheTtlMs: number;
  /** ORDER_PAYMENT_WINDOW_MS, shared with the order service's timeout cancel. */
  readonly paymentWindowMs: number;
  /** The unpaid-order mark outlives the payment window by this much (the timeout cancel runs a bit late). */
  readonly unpaidMarkGraceMs: number;
  readonly rates: FlashSaleRateRules;
  /** CHECKOUT_TRUST_FORWARDED_FOR: the same gateway fronts PlaceOrder and Buy. */
  readonly trustForwardedFor: boolean;
  readonly nonPayerThreshold: number;
  readonly nonPayerWindowMs: number;
  readonly oneUnpaidOrder: boolean;
  /** SOLD_OUT_TTL_MS, the same fast-path lifetime as the inventory's. */
  readonly soldOutTtlMs: number;
  /** Prefix of the flash-sale Redis keys ('' in production; unique per test). */
  readonly namespace: string;
}

export const UNPAID_MARK_GRACE_MS = 10 * 60_000;

export function flashSaleRateRules(f: Pick<Config['flashSale'], 'rateWindowMs' | 'buyUserLimit' | 'buyIpLimit' | 'tokenUserLimit'>): FlashSaleRateRules {
  const windowMs = f.rateWindowMs;
  return {
    buyUser: { name: 'flash buy per user', limit: f.buyUserLimit, windowMs },
    buyIp: { name: 'flash buy per address', limit: f.buyIpLimit, windowMs },
    tokenUser: { name: 'flash token per user', limit: f.tokenUserLimit, windowMs },
  };
}

export function flashSaleSettings(
  config: Pick<Config, 'flashSale' | 'order' | 'inventory' | 'checkout'>,
  overrides: Partial<FlashSaleSettings> = {},
): FlashSaleSettings {
  const f = config.flashSale;
  return {
    tokenTtlMs: f.tokenTtlMs,
    itemCacheTtlMs: f.itemCacheTtlMs,
    stockCacheTtlMs: f.stockCacheTtlMs,
    paymentWindowMs: config.order.paymentWindowMs,
    unpaidMarkGraceMs: UNPAID_MARK_GRACE_MS,
    rates: flashSaleRateRules(f),
    trustForwardedFor: config.checkout.trustForwardedFor,
    nonPayerThreshold: f.nonPayerThreshold,
    nonPayerWindowMs: f.nonPayerWindowMs,
    oneUnpaidOrder: f.oneUnpaidOrder,
    soldOutTtlMs: config.inventory.soldOutTtlMs,
    namespace: '',
    ...overrides,
  };
}
