// hipstershop.CheckoutService.PlaceOrder (ARCHITECTURE F1):
//   validate → supported currency → idempotency → rate limits (user, client address)
//   → GetCart → per line GetProduct + Convert → GetQuote + Convert (pricing.ts, exact money)
//   → Reserve (all lines or none; the order-created record is written by the same Lua call)
//   → Charge (idempotency-key = order id) → PAID event → EmptyCart → OrderResult
// Differences from upstream: stock is reserved before payment and released on a decline; an
// unknown payment outcome leaves the order PENDING_PAYMENT (UNAVAILABLE to the caller); shipping
// and the confirmation email happen after PAID in the order service, so shipping_tracking_id is
// empty here (upstream ships synchronously and returns it).
import type { Metadata } from '@grpc/grpc-js';
import { PlaceOrderRequest, PlaceOrderResponse, type CartItem } from '../../gen/hipstershop/demo';
import { OrderSource, type OrderDraft } from '../../gen/shop/v1/common';
import { BreakerOpenError } from '../../platform/breaker';
import type { CallContext } from '../../platform/call-context';
import { clientAddress } from '../../platform/client-address';
import type { Clock } from '../../platform/clock';
import { clientKeyOf, fingerprint, idempotencyKey, type Idempotency, type IdempotencyKey, type ReplyCodec } from '../../platform/idempotency';
import { UnavailableError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import { orderPlaced } from '../../platform/metrics/app-metrics';
import { formatMoney } from '../../platform/money';
import type { RateLimiter, RateRule } from '../../platform/rate-limit';
import { cartFingerprintText, cartLines } from './cart-lines';
import { DEPENDENCIES, type CheckoutClients } from './clients';
import type { OrderEpochs } from './order-epochs';
import { orderIdFor } from './order-id';
import { chargeReserved, PaymentOutcomeUnknownError } from './payment-step';
import { priceOrder } from './pricing';
import { requireReserved } from './reservation';
import type { StatusEvents } from './status-events';
import type { SupportedCurrencies } from './supported-currencies';
import { checkPlaceOrderRequest, type CheckedOrderRequest } from './validate';

export interface PlaceOrderLimits {
  readonly user: RateRule;
  readonly ip: RateRule;
  readonly trustForwardedFor: boolean;
}

export interface PlaceOrderDeps {
  readonly clients: CheckoutClients;
  readonly currencies: SupportedCurrencies;
  readonly idempotency: Idempotency;
  /** Part of derived idempotency keys (and so of derived order ids); advanced when an order id is spent. */
  readonly epochs: OrderEpochs;
  readonly limiter: RateLimiter;
  readonly limits: PlaceOrderLimits;
  readonly statusEvents: StatusEvents;
  /** Read before reserving: with payment's breaker open, refuse fast instead of holding stock. */
  readonly paymentOpen: () => boolean;
  readonly clock: Clock;
  /** Unpaid orders are cancelled this long after acceptance (OrderDraft.expires_at). */
  readonly paymentWindowMs: number;
  readonly logger: Logger;
}

export type PlaceOrder = (req: PlaceOrderRequest, ctx: CallContext) => Promise<PlaceOrderResponse>;

/** Replies are stored as their wire bytes, so a replay is byte-identical. */
const REPLY_CODEC: ReplyCodec<PlaceOrderResponse> = {
  encode: value => PlaceOrderResponse.encode(value).finish(),
  decode: bytes => PlaceOrderResponse.decode(bytes),
};

const TRACE_HEADERS = ['traceparent', 'tracestate'] as const;

function traceContextOf(metadata: Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of TRACE_HEADERS) {
    const value = metadata.get(name)[0];
    if (typeof value === 'string' && value !== '' && value.length <= 512) out[name] = value;
  }
  return out;
}

export function createPlaceOrder(deps: PlaceOrderDeps): PlaceOrder {
  const { clients, clock } = deps;

  /** Everything after admission; `cart` was read already when it fed the idempotency key. */
  async function checkout(order: CheckedOrderRequest, orderId: string, cart: readonly CartItem[], key: IdempotencyKey, ctx: CallContext): Promise<PlaceOrderResponse> {
    const log = ctx.logger.child({ orderId });
    const lines = cartLines(cart);
    const priced = await priceOrder(clients, lines, order.currency, order.address);
    if (deps.paymentOpen()) throw new BreakerOpenError(DEPENDENCIES.payment);

    const now = clock.now();
    const traceContext = traceContextOf(ctx.metadata);
    const draft: OrderDraft = {
      orderId,
      userId: order.userId,
      source: OrderSource.ORDER_SOURCE_PLACE_ORDER,
      userCurrency: order.currency,
      email: order.email,
      shippingAddress: order.address,
      items: priced.items.map(i => ({ productId: i.item?.productId ?? '', quantity: i.item?.quantity ?? 0, unitCost: i.cost })),
      shippingCost: priced.shippingCost,
      total: priced.total,
      createdAt: new Date(now),
      expiresAt: new Date(now + deps.paymentWindowMs),
      idempotencyKey: key.clientKey ?? '',
    };
    // From here the order id is in use. A definite end (refused, declined, paid) spends it, so the
    // next identical cart gets a new id; an unknown end keeps it, so a retry meets its own order.
    const spend = () => deps.epochs.advance(order.userId).catch((err: unknown) => log.warn({ err }, 'order epoch not advanced'));
    const reserved = await clients.reserve(draft);
    try {
      requireReserved(reserved, orderId);
    } catch (err) {
      if (!(err instanceof UnavailableError)) await spend();
      throw err;
    }

    let transactionId: string;
    try {
      transactionId = await chargeReserved(
        {
          clients,
          logger: log,
          onDeclined: (id, reason) => deps.statusEvents.cancelled({ orderId: id, userId: order.userId, reason: `payment declined: ${reason}`, traceContext }),
        },
        { orderId, total: priced.total, card: order.card },
      );
    } catch (err) {
      if (!(err instanceof PaymentOutcomeUnknownError)) await spend();
      throw err;
    }
    await spend();
    await deps.statusEvents.paid({ orderId, userId: order.userId, transactionId, traceContext });
    // Like upstream: a cart that could not be emptied does not undo a paid order.
    await clients.emptyCart(order.userId).catch((err: unknown) => log.warn({ err }, 'EmptyCart failed; ignored'));
    orderPlaced.inc({ source: 'checkout' });
    log.info({ transactionId, total: formatMoney(priced.total) }, 'order placed');
    return {
      order: {
        orderId,
        shippingTrackingId: '',
        shippingCost: priced.shippingCost,
        shippingAddress: order.address,
        items: priced.items,
      },
    };
  }

  return async (req, ctx) => {
    const order = checkPlaceOrderRequest(req, new Date(clock.now()));
    await deps.currencies.require(order.currency);
    const clientKey = clientKeyOf(ctx.metadata);
    const requestBytes = PlaceOrderRequest.encode(req).finish();
    // Without a client key the cart and the user's order epoch are part of the request's identity
    // (same request + same cart + no order since = a double submit), so they are read first.
    const [prefetched, epoch] =
      clientKey === undefined ? await Promise.all([clients.getCart(order.userId), deps.epochs.current(order.userId)]) : [undefined, ''];
    const key = idempotencyKey({ method: ctx.method, user: order.userId }, clientKey, [requestBytes, cartFingerprintText(prefetched ?? []), epoch]);
    const outcome = await deps.idempotency.run(
      { key, fingerprint: fingerprint(requestBytes), codec: REPLY_CODEC, signal: ctx.signal },
      async () => {
        await deps.limiter.enforce([
          { rule: deps.limits.user, subject: order.userId },
          { rule: deps.limits.ip, subject: clientAddress(ctx, deps.limits.trustForwardedFor) },
        ]);
        const cart = prefetched ?? (await clients.getCart(order.userId));
        return checkout(order, orderIdFor(key), cart, key, ctx);
      },
    );
    if (outcome.replayed) ctx.logger.info({ orderId: outcome.value.order?.orderId, keySource: key.source }, 'PlaceOrder replayed');
    return outcome.value;
  };
}
