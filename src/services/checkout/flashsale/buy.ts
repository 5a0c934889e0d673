// FlashSaleService.Buy: admission in a fixed order, cheapest and most selective first, ending in ONE
// InventoryService.Reserve call. Replies are ACCEPTED + order id or a definite refusal in the reply;
// gRPC errors are for malformed requests, rate limits, unknown items and infrastructure trouble.
//
//   shape checks → idempotency (replay = first reply) → per-user, per-IP rate limits → sale item
//   → token get-and-delete → validators (user → goods → unpaid order → stock) → Reserve → marks
//
// Anything thrown after the token was taken puts the token back with this attempt's order id: the
// buyer's retry reuses the id, and Reserve's per-order dedup reports a reservation that did happen.
import { randomUUID } from 'node:crypto';
import { BuyRequest, BuyResponse, BuyResult } from '../../../gen/shop/v1/flashsale';
import type { CallContext } from '../../../platform/call-context';
import { clientAddress } from '../../../platform/client-address';
import type { Clock } from '../../../platform/clock';
import { InvalidArgumentError } from '../../../platform/errors';
import { clientKeyOf, fingerprint, idempotencyKey, type Idempotency, type ReplyCodec } from '../../../platform/idempotency';
import { orderPlaced } from '../../../platform/metrics/app-metrics';
import type { Money } from '../../../platform/money';
import type { RateLimiter } from '../../../platform/rate-limit';
import type { SoldOutFlags } from '../../productcatalog/stock';
import type { BuyerMarks } from './buyer-marks';
import { SaleItemNotFoundError, SaleNotReadyError } from './errors';
import type { InventoryPort } from './inventory-port';
import { buildOrderDraft } from './order-draft';
import { checkBuy, type CheckedBuy } from './requests';
import { judgeReserve } from './reserve-reply';
import type { SaleCatalog } from './sale-catalog';
import type { SaleItemRecord } from './sale-item';
import type { FlashSaleSettings } from './settings';
import type { TokenStore } from './token-store';
import { runValidators, type BuyValidator, type Refusal } from './validators/validator';

/** Converts a catalog price into the buyer's currency (the currency service in production). */
export type ConvertPrice = (price: Money, toCurrency: string) => Promise<Money>;

export interface BuyOutcomeEvent {
  readonly result: BuyResult;
  /** Which step decided: "token", a validator's name, "inventory", "replay". */
  readonly by: string;
}

export interface AcceptedOrder {
  readonly orderId: string;
  readonly userId: string;
  readonly expiresAt: Date | undefined;
}

export interface BuyDeps {
  readonly catalog: Pick<SaleCatalog, 'find'>;
  readonly tokens: TokenStore;
  readonly marks: Pick<BuyerMarks, 'markUnpaid'>;
  readonly soldOut: Pick<SoldOutFlags, 'mark'>;
  readonly inventory: Pick<InventoryPort, 'reserve'>;
  readonly validators: readonly BuyValidator[];
  readonly rateLimiter: Pick<RateLimiter, 'enforce'>;
  readonly idempotency: Pick<Idempotency, 'run'>;
  readonly clock: Pick<Clock, 'now'>;
  readonly settings: Pick<FlashSaleSettings, 'paymentWindowMs' | 'unpaidMarkGraceMs' | 'trustForwardedFor' | 'oneUnpaidOrder' | 'rates'>;
  /** Told of each accepted order before the reply (the buyer's IN_PROGRESS result); failures only logged. */
  readonly onAccepted?: (accepted: AcceptedOrder) => Promise<void>;
  /** Omit to sell only in each item's own price currency. */
  readonly convertPrice?: ConvertPrice;
  /** Called once per decided Buy (metrics). */
  readonly onOutcome?: (event: BuyOutcomeEvent) => void;
}

const REPLY_CODEC: ReplyCodec<BuyResponse> = {
  encode: v => BuyResponse.encode(v).finish(),
  decode: b => BuyResponse.decode(b),
};

function refusalReply(r: Refusal): BuyResponse {
  return { result: r.result, orderId: r.orderId ?? '', reason: r.reason, expiresAt: undefined };
}

export function createBuy(deps: BuyDeps): (req: BuyRequest, ctx: CallContext) => Promise<BuyResponse> {
  const { catalog, tokens, marks, soldOut, inventory, validators, rateLimiter, idempotency, clock, settings } = deps;
  const report = (result: BuyResult, by: string) => deps.onOutcome?.({ result, by });

  async function unitCost(item: SaleItemRecord, currency: string): Promise<Money> {
    if (item.price.currencyCode === currency) return item.price;
    if (!deps.convertPrice) {
      throw new InvalidArgumentError('user_currency', `this item is sold in ${item.price.currencyCode} only`);
    }
    return deps.convertPrice(item.price, currency);
  }

  async function reserve(req: CheckedBuy, item: SaleItemRecord, cost: Money, orderId: string, retry: boolean, clientKey: string, createdAtMs: number): Promise<BuyResponse> {
    const draft = buildOrderDraft({ orderId, request: req, unitCost: cost, createdAtMs, paymentWindowMs: settings.paymentWindowMs, idempotencyKey: clientKey });
    const verdict = judgeReserve(await inventory.reserve(draft, { retry }));
    switch (verdict.kind) {
      case 'ACCEPTED':
        return { result: BuyResult.BUY_RESULT_ACCEPTED, orderId, reason: '', expiresAt: draft.expiresAt };
      case 'REFUSED':
        if (verdict.soldOut) soldOut.mark(item.productId);
        return verdict.reply;
      case 'UNDECIDED':
        throw new SaleNotReadyError(item.productId);
    }
  }

  async function admit(req: CheckedBuy, ctx: CallContext, clientKey: string): Promise<BuyResponse> {
    await rateLimiter.enforce([
      { rule: settings.rates.buyUser, subject: req.userId },
      { rule: settings.rates.buyIp, subject: clientAddress(ctx, settings.trustForwardedFor) },
    ]);

    const item = await catalog.find(req.productId);
    if (!item) throw new SaleItemNotFoundError(req.productId);
    const cost = await unitCost(item, req.currency);

    if (req.token === '') {
      report(BuyResult.BUY_RESULT_INVALID_TOKEN, 'token');
      return refusalReply({ result: BuyResult.BUY_RESULT_INVALID_TOKEN, reason: 'a purchase token is required (IssueToken)' });
    }
    const taken = await tokens.take(req.userId, req.productId, req.token);
    if (taken.kind !== 'TAKEN') {
      report(BuyResult.BUY_RESULT_INVALID_TOKEN, 'token');
      const reason = taken.kind === 'MISSING' ? 'the purchase token is unknown, expired or already used' : 'the purchase token is not the current one for this item';
      return refusalReply({ result: BuyResult.BUY_RESULT_INVALID_TOKEN, reason });
    }

    const [pendingOrderId = '', pendingAt = ''] = taken.pending === '' ? [] : taken.pending.split(' ');
    const orderId = pendingOrderId || randomUUID();
    const createdAtMs = Number.isSafeInteger(Number(pendingAt)) && pendingAt !== '' ? Number(pendingAt) : clock.now();
    try {
      const verdict = await runValidators(validators, { request: req, item, nowMs: clock.now(), pendingOrderId });
      if (verdict) {
        report(verdict.refusal.result, verdict.by);
        return refusalReply(verdict.refusal);
      }
      const reply = await reserve(req, item, cost, orderId, pendingOrderId !== '', clientKey, createdAtMs);
      report(reply.result, 'inventory');
      if (reply.result === BuyResult.BUY_RESULT_ACCEPTED) {
        orderPlaced.inc({ source: 'flashsale' });
        // Polling finds IN_PROGRESS until the order row exists; a lost write only delays that answer.
        await deps.onAccepted?.({ orderId, userId: req.userId, expiresAt: reply.expiresAt }).catch((err: unknown) =>
          ctx.logger.warn({ err, orderId }, 'could not write the IN_PROGRESS result'),
        );
      }
      if (reply.result === BuyResult.BUY_RESULT_ACCEPTED && settings.oneUnpaidOrder) {
        // The order exists whatever happens here: a lost mark only weakens the one-unpaid-order rule.
        await marks
          .markUnpaid(req.userId, req.productId, orderId, settings.paymentWindowMs + settings.unpaidMarkGraceMs)
          .catch((err: unknown) => ctx.logger.warn({ err, orderId }, 'could not set the unpaid-order mark'));
      }
      return reply;
    } catch (err) {
      // Nothing was decided: give the token back so the buyer's retry is judged again, with this order id.
      await tokens
        .restore(req.userId, req.productId, req.token, `${orderId} ${createdAtMs}`, taken.remainingMs)
        .catch((e: unknown) => ctx.logger.warn({ err: e }, 'could not restore the purchase token'));
      throw err;
    }
  }

  return async (request, ctx) => {
    const req = checkBuy(request);
    const clientKey = clientKeyOf(ctx.metadata);
    // No key and no token: refused anyway, nothing to protect. Without a key the request itself (token
    // included) is the key, so a resent Buy gets the first reply instead of "token already used".
    if (clientKey === undefined && req.token === '') return admit(req, ctx, '');
    const canonical = BuyRequest.encode(request).finish();
    const { value, replayed } = await idempotency.run(
      {
        key: idempotencyKey({ method: ctx.method, user: req.userId }, clientKey, [canonical]),
        fingerprint: fingerprint(canonical),
        codec: REPLY_CODEC,
        signal: ctx.signal,
      },
      () => admit(req, ctx, clientKey ?? ''),
    );
    if (replayed) report(value.result, 'replay');
    return value;
  };
}
