// The flash-sale purchase: a one-time token, then Buy. ACCEPTED → 202 with the order id and payment
// deadline; every definite refusal → 409 with the Buy outcome as the error code (SOLD_OUT, DUPLICATE…).
// Buy needs an address and an email; the page may send them, otherwise the demo defaults below are used
// (like upstream's frontend, which pre-fills its checkout form with the same values).
import type { FastifyInstance } from 'fastify';
import type { Address } from '../../../gen/hipstershop/demo';
import { BuyResult } from '../../../gen/shop/v1/flashsale';
import { optionalInt, optionalObject, optionalString, requiredInt } from '../body-fields';
import type { GatewayClients } from '../clients';
import { GatewayError } from '../http-errors';
import { buyOutcomeName } from '../json-views';
import { bodyObject, callMeta, sessionUser } from '../request-state';

export const DEMO_ADDRESS: Address = {
  streetAddress: '1600 Amphitheatre Parkway',
  city: 'Mountain View',
  state: 'CA',
  country: 'United States',
  zipCode: 94043,
};
export const DEMO_EMAIL = 'someone@example.com';

const REFUSAL_TEXT: Readonly<Partial<Record<BuyResult, string>>> = {
  [BuyResult.BUY_RESULT_SOLD_OUT]: 'sold out',
  [BuyResult.BUY_RESULT_LIMIT_EXCEEDED]: 'per-customer limit reached',
  [BuyResult.BUY_RESULT_DUPLICATE]: 'you already hold an order for this item',
  [BuyResult.BUY_RESULT_INVALID_TOKEN]: 'purchase token missing, used or expired: get a new one',
  [BuyResult.BUY_RESULT_NOT_STARTED]: 'the sale has not started yet',
  [BuyResult.BUY_RESULT_ENDED]: 'the sale is over',
  [BuyResult.BUY_RESULT_UNPAID_ORDER_EXISTS]: 'pay or cancel your unpaid order for this item first',
  [BuyResult.BUY_RESULT_BLOCKED]: 'purchases are blocked for this account',
};

function addressOf(obj: Record<string, unknown> | undefined): Address {
  if (!obj) return DEMO_ADDRESS;
  const f = (name: string) => optionalString(obj, name, 512) ?? '';
  return {
    streetAddress: f('streetAddress'),
    city: f('city'),
    state: f('state'),
    country: f('country'),
    zipCode: optionalInt(obj, 'zipCode', 0, 999_999_999) ?? 0,
  };
}

export function registerPurchaseRoutes(app: FastifyInstance, clients: GatewayClients): void {
  const auth = { config: { auth: true } };

  app.post<{ Params: { productId: string } }>('/api/sale-items/:productId/token', auth, async req => {
    bodyObject(req);
    const t = await clients.issueToken(sessionUser(req), req.params.productId, callMeta(req));
    return { token: t.token, ...(t.expiresAt ? { expiresAt: t.expiresAt.toISOString() } : {}) };
  });

  app.post<{ Params: { productId: string } }>('/api/sale-items/:productId/buy', auth, async (req, reply) => {
    const body = bodyObject(req);
    const reply_ = await clients.buy(
      {
        userId: sessionUser(req),
        productId: req.params.productId,
        quantity: requiredInt(body, 'quantity', 1, 1000),
        token: optionalString(body, 'token', 256) ?? '',
        userCurrency: optionalString(body, 'currency', 3) ?? '',
        shippingAddress: addressOf(optionalObject(body, 'shippingAddress')),
        email: optionalString(body, 'email', 320) ?? DEMO_EMAIL,
      },
      callMeta(req),
    );
    if (reply_.result === BuyResult.BUY_RESULT_ACCEPTED) {
      return reply.code(202).send({
        outcome: 'ACCEPTED',
        orderId: reply_.orderId,
        ...(reply_.expiresAt ? { paymentDeadline: reply_.expiresAt.toISOString() } : {}),
      });
    }
    const code = buyOutcomeName(reply_.result);
    throw new GatewayError(409, code, reply_.reason || (REFUSAL_TEXT[reply_.result] ?? 'refused'), {
      ...(reply_.orderId ? { details: { orderId: reply_.orderId } } : {}),
    });
  });
}
