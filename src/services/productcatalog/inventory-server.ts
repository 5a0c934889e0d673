// shop.v1.InventoryService handlers: authentication, request checks and wire mapping around the
// Redis stock domain (stock/) and the MySQL item store. Reserve is the hot path: no MySQL there.
// Admin RPCs (WarmUp, Release, ConfigureItem) need the ADMIN_TOKEN bearer credential.
import type { Metadata } from '@grpc/grpc-js';
import { ReleaseReason } from '../../gen/shop/v1/common';
import {
  ReleaseOutcome,
  WarmUpOutcome,
  type InventoryServiceService,
  type ItemConfig,
  type StockInfo,
} from '../../gen/shop/v1/inventory';
import type { AdminGuard } from '../../platform/admin-auth';
import type { Clock } from '../../platform/clock';
import { InvalidArgumentError } from '../../platform/errors';
import { reservations, stockChargeSuccess } from '../../platform/metrics/app-metrics';
import type { AsyncServiceImpl } from '../../platform/grpc-server';
import { ProductNotFoundError } from './catalog/errors';
import type { ItemRow, ItemStore } from './inventory/item-store';
import type { KnownProducts } from './inventory/known-products';
import { encodeOrderPayload } from './inventory/order-payload';
import { checkReserveRequest } from './inventory/reserve-request';
import { toReserveResponse } from './inventory/reserve-response';
import { traceContextOf } from './inventory/trace-context';
import { warmUpItems } from './inventory/warm-up-items';
import type { SoldOutFlags, StockLine, StockService } from './stock';
import { SKU_RE } from './stock/validation';

export interface InventoryHandlerDeps {
  readonly stock: Pick<StockService, 'reserve' | 'release' | 'warmUp' | 'getStock' | 'settings'>;
  readonly items: ItemStore;
  readonly known: KnownProducts;
  readonly admin: AdminGuard;
  readonly clock: Pick<Clock, 'now'>;
  /** The sold-out marks the stock service uses (reported by GetStock). */
  readonly soldOut?: Pick<SoldOutFlags, 'isSoldOut'>;
}

/** Release reasons as written on stock-change records (and from there into stock_log). */
const RELEASE_REASONS: ReadonlyMap<ReleaseReason, string> = new Map([
  [ReleaseReason.RELEASE_REASON_PAYMENT_DECLINED, 'PAYMENT_DECLINED'],
  [ReleaseReason.RELEASE_REASON_PAYMENT_TIMEOUT, 'PAYMENT_TIMEOUT'],
  [ReleaseReason.RELEASE_REASON_USER_CANCELLED, 'USER_CANCELLED'],
  [ReleaseReason.RELEASE_REASON_CHECKOUT_FAILED, 'CHECKOUT_FAILED'],
  [ReleaseReason.RELEASE_REASON_ADMIN, 'ADMIN'],
]);

const WARM_UP_WIRE = {
  WARMED: WarmUpOutcome.WARM_UP_OUTCOME_WARMED,
  PENDING_DELTAS: WarmUpOutcome.WARM_UP_OUTCOME_PENDING_DELTAS,
  NOT_FOUND: WarmUpOutcome.WARM_UP_OUTCOME_NOT_FOUND,
} as const;

function itemConfig(row: ItemRow): ItemConfig {
  return {
    productId: row.productId,
    limitPerUser: row.perUserLimit,
    flashSale: row.flashSale,
    saleStartsAt: row.saleStartsAt ?? undefined,
    saleEndsAt: undefined,
  };
}

/**
 * grpc-js/grpc-go set this on transparent and configured retries. A retried Reserve may already have
 * reserved, so it skips the sold-out fast path and gets the recorded answer (DUPLICATE) instead.
 */
function isRetriedCall(metadata: Metadata): boolean {
  const value = metadata.get('grpc-previous-rpc-attempts')[0];
  return typeof value === 'string' && Number(value) > 0;
}

/** MySQL DATETIME holds years 1000-9999. */
function storableTime(t: Date): boolean {
  const year = t.getUTCFullYear();
  return Number.isFinite(t.getTime()) && year >= 1000 && year <= 9999;
}

function requireId(field: string, value: string): string {
  if (value === '') throw new InvalidArgumentError(field, 'must not be empty');
  return value;
}

export function createInventoryHandlers(deps: InventoryHandlerDeps): AsyncServiceImpl<typeof InventoryServiceService> {
  const { stock, items, known, admin, clock } = deps;

  async function itemOrNotFound(productId: string): Promise<ItemRow> {
    const row = await items.item(productId);
    if (!row) throw new ProductNotFoundError(productId);
    return row;
  }

  return {
    async warmUp(req, ctx) {
      admin.check(ctx.metadata);
      const results = await warmUpItems({ stock, items }, req.productIds);
      return {
        results: results.map(r => ({
          productId: r.productId,
          outcome: WARM_UP_WIRE[r.outcome],
          stock: r.outcome === 'NOT_FOUND' ? 0n : BigInt(r.stock),
          pendingDelta: r.outcome === 'PENDING_DELTAS' ? BigInt(r.pendingDelta) : 0n,
        })),
      };
    },

    async reserve(req, ctx) {
      const checked = checkReserveRequest(req.order, stock.settings);
      // Every unknown product is looked up; the first by line index is reported.
      const lookups = await Promise.allSettled(
        checked.lines.map(l => known.require(`order.items[${l.index}].product_id`, l.productId)),
      );
      const failed = lookups.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;

      const now = clock.now();
      const trace = traceContextOf(ctx.metadata);
      const payload = encodeOrderPayload(checked.draft, new Date(now), trace);
      if (payload.length > stock.settings.maxPayloadBytes) {
        // base64 text: characters = bytes
        throw new InvalidArgumentError('order', `is too large (${payload.length} bytes encoded, at most ${stock.settings.maxPayloadBytes})`);
      }
      const lines: StockLine[] = checked.lines.map(l => ({ sku: l.productId, qty: l.quantity }));
      const outcome = await stock.reserve(
        { orderId: checked.orderId, userId: checked.userId, lines, orderPayload: payload, traceContext: trace },
        { retry: isRetriedCall(ctx.metadata) },
      );
      reservations.inc({ outcome: outcome.kind });
      if (outcome.kind === 'RESERVED') stockChargeSuccess.inc();
      return toReserveResponse(outcome, checked.orderId, lines, new Date(now));
    },

    async release(req, ctx) {
      admin.check(ctx.metadata);
      const orderId = requireId('order_id', req.orderId);
      const reason = RELEASE_REASONS.get(req.reason);
      if (!reason) throw new InvalidArgumentError('reason', 'must be a ReleaseReason other than UNSPECIFIED');
      if (req.note !== '') ctx.logger.info({ orderId, reason, note: req.note.slice(0, 200) }, 'release requested');
      const outcome = await stock.release(orderId, reason, { traceContext: traceContextOf(ctx.metadata) });
      switch (outcome.kind) {
        case 'RELEASED': {
          // stock_after is read right after the release: other orders may already have moved it.
          const levels = await Promise.all(outcome.lines.map(l => stock.getStock(l.sku)));
          return {
            outcome: ReleaseOutcome.RELEASE_OUTCOME_RELEASED,
            lines: outcome.lines.map((l, i) => {
              const level = levels[i];
              return { productId: l.sku, delta: BigInt(l.qty), stockAfter: level?.warmed ? BigInt(level.stock) : 0n };
            }),
          };
        }
        case 'ALREADY_RELEASED':
          return { outcome: ReleaseOutcome.RELEASE_OUTCOME_ALREADY_RELEASED, lines: [] };
        case 'UNKNOWN':
          return { outcome: ReleaseOutcome.RELEASE_OUTCOME_UNKNOWN_ORDER, lines: [] };
      }
    },

    async getStock(req) {
      const productId = requireId('product_id', req.productId);
      const row = await itemOrNotFound(productId);
      const level = SKU_RE.test(productId) ? await stock.getStock(productId) : undefined;
      const readAt = new Date(clock.now());
      const warmed = level?.warmed === true;
      const redisStock = level?.warmed ? level.stock : 0;
      const info: StockInfo = {
        productId,
        warmed,
        redisStock: BigInt(redisStock),
        mysqlStock: BigInt(row.stock),
        // Exact once the reads are quiet; a sale in between the two reads shows up here too.
        pendingDelta: warmed ? BigInt(redisStock - row.stock) : 0n,
        soldOutFlag: deps.soldOut?.isSoldOut(productId) ?? false,
        config: itemConfig(row),
        readAt,
      };
      return info;
    },

    async configureItem(req, ctx) {
      admin.check(ctx.metadata);
      const cfg = req.config;
      if (!cfg) throw new InvalidArgumentError('config', 'must be set');
      const productId = requireId('config.product_id', cfg.productId);
      if (!Number.isInteger(cfg.limitPerUser) || cfg.limitPerUser < 0) {
        throw new InvalidArgumentError('config.limit_per_user', 'must be 0 (no limit) or more');
      }
      if (cfg.saleEndsAt !== undefined) {
        throw new InvalidArgumentError('config.sale_ends_at', 'is not supported yet (products has no sale end column)');
      }
      // Out-of-range timestamps (found by fuzzing) would reach MySQL as an invalid DATETIME.
      if (cfg.saleStartsAt !== undefined && !storableTime(cfg.saleStartsAt)) {
        throw new InvalidArgumentError('config.sale_starts_at', 'must be a time between years 1000 and 9999');
      }
      const found = await items.configure(productId, {
        perUserLimit: cfg.limitPerUser,
        flashSale: cfg.flashSale,
        saleStartsAt: cfg.saleStartsAt ?? null,
      });
      if (!found) throw new ProductNotFoundError(productId);
      return itemConfig(await itemOrNotFound(productId));
    },
  };
}
