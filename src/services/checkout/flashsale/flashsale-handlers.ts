// shop.v1.FlashSaleService handlers: the sale page (ListSaleItems, GetSaleItem), purchase tokens
// (IssueToken) and Buy (buy.ts). Built from explicit dependencies; the checkout process wires them
// from its Runtime (Redis, MySQL, the inventory client behind its breaker, the platform limiter and
// idempotency store).
import { Counter, type Registry } from 'prom-client';
import { BuyResult, type FlashSaleServiceService } from '../../../gen/shop/v1/flashsale';
import type { Clock } from '../../../platform/clock';
import type { Idempotency } from '../../../platform/idempotency';
import type { AsyncServiceImpl } from '../../../platform/grpc-server';
import type { Logger } from '../../../platform/logger';
import type { RateLimiter } from '../../../platform/rate-limit';
import type { RedisClient } from '../../../platform/redis';
import { createSoldOutFlags, type SoldOutFlags } from '../../productcatalog/stock';
import { createBuy, type BuyDeps, type BuyOutcomeEvent, type ConvertPrice } from './buy';
import { createBuyerMarks, type BuyerMarks } from './buyer-marks';
import { SaleClosedError, SaleItemNotFoundError } from './errors';
import { createFlashScripts } from './flash-scripts';
import type { InventoryPort } from './inventory-port';
import { createFlashKeys } from './keys';
import { checkIssueToken, checkProductId } from './requests';
import { createSaleCatalog } from './sale-catalog';
import type { SaleItemRecord, SaleItemSource } from './sale-item';
import { toSaleItem, windowPhase } from './sale-state';
import type { FlashSaleSettings } from './settings';
import { createStockView } from './stock-view';
import { createTokenStore } from './token-store';
import { goodsValidator } from './validators/goods-validator';
import { stockValidator } from './validators/stock-validator';
import { unpaidOrderValidator } from './validators/unpaid-order-validator';
import { userValidator } from './validators/user-validator';
import type { BuyValidator } from './validators/validator';

export interface FlashSaleDeps {
  readonly redis: RedisClient;
  /** Flash-sale items (createSaleItemRepo(db) in production). */
  readonly saleItems: SaleItemSource;
  readonly inventory: InventoryPort;
  /** The platform Redis rate limiter; rules come from settings.rates. */
  readonly rateLimiter: Pick<RateLimiter, 'enforce'>;
  /** The platform idempotency store (Buy replays per `idempotency-key`, or per identical request). */
  readonly idempotency: Pick<Idempotency, 'run'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: FlashSaleSettings;
  /** Buyers paying in another currency than the item's; omit to refuse them (INVALID_ARGUMENT). */
  readonly convertPrice?: ConvertPrice;
  /** Each accepted order, before the reply (the order service's IN_PROGRESS result key). */
  readonly onAccepted?: BuyDeps['onAccepted'];
  /** Replaces the default chain (user → goods → unpaid order → stock); see defaultValidators. */
  readonly validators?: (parts: ValidatorParts) => readonly BuyValidator[];
  /** Registers flashsale_buy_results_total. */
  readonly registry?: Registry;
}

export interface ValidatorParts {
  readonly marks: BuyerMarks;
  readonly soldOut: SoldOutFlags;
  readonly settings: FlashSaleSettings;
}

/** user (non-payer tag) → goods (window, limit) → unpaid order (optional rule) → stock (sold-out flag). */
export function defaultValidators({ marks, soldOut, settings }: ValidatorParts): BuyValidator[] {
  return [
    userValidator({ marks, nonPayerThreshold: settings.nonPayerThreshold }),
    goodsValidator(),
    ...(settings.oneUnpaidOrder ? [unpaidOrderValidator({ marks })] : []),
    stockValidator({ soldOut }),
  ];
}

function buyMetrics(registry: Registry | undefined): ((e: BuyOutcomeEvent) => void) | undefined {
  if (!registry) return undefined;
  const counter = new Counter({
    name: 'flashsale_buy_results_total',
    help: 'Decided FlashSaleService.Buy calls by result and by the step that decided',
    labelNames: ['result', 'by'],
    registers: [registry],
  });
  return e => counter.inc({ result: BuyResult[e.result] ?? String(e.result), by: e.by });
}

export function createFlashSaleHandlers(deps: FlashSaleDeps): AsyncServiceImpl<typeof FlashSaleServiceService> {
  const { redis, clock, settings, rateLimiter } = deps;
  const keys = createFlashKeys(settings.namespace);
  const scripts = createFlashScripts(redis);
  const marks = createBuyerMarks({ redis, scripts, keys });
  const tokens = createTokenStore({ redis, scripts, keys, clock, ttlMs: settings.tokenTtlMs });
  const soldOut = createSoldOutFlags(clock, settings.soldOutTtlMs);
  const catalog = createSaleCatalog({ source: deps.saleItems, clock, ttlMs: settings.itemCacheTtlMs, logger: deps.logger });
  const stock = createStockView({ inventory: deps.inventory, clock, ttlMs: settings.stockCacheTtlMs });
  const validators = (deps.validators ?? defaultValidators)({ marks, soldOut, settings });
  const onOutcome = buyMetrics(deps.registry);

  const buy = createBuy({
    catalog,
    tokens,
    marks,
    soldOut,
    inventory: deps.inventory,
    validators,
    rateLimiter,
    idempotency: deps.idempotency,
    clock,
    settings,
    ...(deps.convertPrice ? { convertPrice: deps.convertPrice } : {}),
    ...(onOutcome ? { onOutcome } : {}),
    ...(deps.onAccepted ? { onAccepted: deps.onAccepted } : {}),
  });

  async function view(item: SaleItemRecord) {
    const figure = await stock.remaining(item.productId);
    return toSaleItem(item, { remaining: figure.remaining, soldOutFlag: soldOut.isSoldOut(item.productId), nowMs: clock.now() });
  }

  return {
    async listSaleItems() {
      const items = await catalog.list();
      return { items: await Promise.all(items.map(view)) };
    },

    async getSaleItem(req) {
      const productId = checkProductId(req.productId);
      const item = await catalog.find(productId);
      if (!item) throw new SaleItemNotFoundError(productId);
      return view(item);
    },

    async issueToken(req) {
      const { userId, productId } = checkIssueToken(req);
      await rateLimiter.enforce([{ rule: settings.rates.tokenUser, subject: userId }]);
      const item = await catalog.find(productId);
      if (!item) throw new SaleItemNotFoundError(productId);
      const phase = windowPhase(item, clock.now());
      if (phase === 'UPCOMING') throw new SaleClosedError(`sale starts at ${item.saleStartsAt?.toISOString()}`);
      if (phase === 'ENDED') throw new SaleClosedError(`sale ended at ${item.saleEndsAt?.toISOString()}`);
      return tokens.issue(userId, productId);
    },

    buy,
  };
}
