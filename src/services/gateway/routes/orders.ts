// The buyer's order: read, long poll, pay. The user id always comes from the session, so another
// user's order is NOT_FOUND (the order service checks ownership; ids cannot be probed).
import { status } from '@grpc/grpc-js';
import type { FastifyInstance } from 'fastify';
import type { PayOrderRequest } from '../../../gen/shop/v1/order';
import { isServiceError } from '../../../platform/grpc-status';
import { requiredInt, requiredObject, requiredString } from '../body-fields';
import type { GatewayClients } from '../clients';
import { badRequest } from '../http-errors';
import { orderJson } from '../json-views';
import { awaitPersisted, longPoll, readOrder } from '../order-feed';
import { bodyObject, callMeta, sessionUser } from '../request-state';

type OrderParams = { Params: { orderId: string } };

export function registerOrderRoutes(app: FastifyInstance, clients: GatewayClients, longPollMaxMs: number, stopping: AbortSignal): void {
  const auth = { config: { auth: true } };

  app.get<OrderParams>('/api/orders/:orderId', auth, async req => readOrder(clients, req.params.orderId, sessionUser(req), callMeta(req)));

  app.get<OrderParams & { Querystring: { after?: string; timeoutMs?: string } }>('/api/orders/:orderId/poll', auth, async (req, reply) => {
    const raw = req.query.timeoutMs;
    const asked = raw === undefined || raw === '' ? longPollMaxMs : /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(asked)) throw badRequest('timeoutMs', `must be an integer 0-${longPollMaxMs}`);
    // The poll ends early when the client goes away or the gateway stops.
    const gone = new AbortController();
    reply.raw.on('close', () => gone.abort());
    return longPoll(
      clients,
      { orderId: req.params.orderId, userId: sessionUser(req), after: req.query.after, timeoutMs: Math.min(asked, longPollMaxMs) },
      callMeta(req),
      AbortSignal.any([gone.signal, stopping]),
    );
  });

  app.post<OrderParams>('/api/orders/:orderId/pay', auth, async req => {
    const card = requiredObject(bodyObject(req), 'creditCard');
    const field = (name: string) => `creditCard.${name}`;
    const named = Object.fromEntries(Object.entries(card).map(([k, v]) => [field(k), v]));
    const request: PayOrderRequest = {
      orderId: req.params.orderId,
      userId: sessionUser(req),
      creditCard: {
        creditCardNumber: requiredString(named, field('number'), 32),
        creditCardCvv: requiredInt(named, field('cvv'), 0, 9999),
        creditCardExpirationYear: requiredInt(named, field('expirationYear'), 0, 9999),
        creditCardExpirationMonth: requiredInt(named, field('expirationMonth'), 1, 12),
      },
    };
    const meta = callMeta(req);
    let res;
    try {
      res = await clients.payOrder(request, meta);
    } catch (err) {
      // Paid right after Buy: the row may still be on its way to MySQL. Wait for it once, then retry.
      if (!(isServiceError(err) && err.code === status.NOT_FOUND)) throw err;
      // Bounded like a long poll (normally milliseconds; seconds when the pipeline is backed up).
      if (!(await awaitPersisted(clients, request.orderId, request.userId, meta, longPollMaxMs))) throw err;
      res = await clients.payOrder(request, meta);
    }
    if (!res.order) throw new Error('PayOrder answered without an order');
    return orderJson(res.order);
  });
}
