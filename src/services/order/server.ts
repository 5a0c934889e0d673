// shop.v1.OrderService: the RPC boundary. Validates input (INVALID_ARGUMENT naming the field), checks
// ownership (a non-empty user_id that does not own the order → NOT_FOUND, so ids cannot be probed), and
// delegates to the use cases. Dead-letter admin RPCs live in dead-letter-handlers.ts.
import { ReleaseReason } from '../../gen/shop/v1/common';
import type { CreditCardInfo } from '../../gen/hipstershop/demo';
import type { OrderProgress, OrderServiceService } from '../../gen/shop/v1/order';
import type { Clock } from '../../platform/clock';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from '../../platform/errors';
import type { AsyncServiceImpl } from '../../platform/grpc-server';
import { cancelOrder, type CancelOrderDeps } from './cancel-order';
import type { DeadLetterHandlers } from './dead-letter-handlers';
import { decodeListToken, encodeListToken, progressFromRow, toOrderProto } from './order-proto';
import type { OrderRepo } from './order-repo';
import { payOrder, type PayOrderDeps } from './pay-order';
import type { ProgressRecord, ResultStore } from './result-store';
import type { OrderHeader } from './types';
import type { WatchHub } from './watch-hub';

export interface OrderHandlerDeps {
  readonly repo: OrderRepo;
  readonly results: ResultStore;
  readonly hub: WatchHub;
  readonly cancel: CancelOrderDeps;
  readonly pay: PayOrderDeps;
  readonly deadLetters: DeadLetterHandlers;
  readonly clock: Clock;
  readonly listPageSize: number;
  /** WatchOrder re-reads the state when nothing was published for this long (a lost write). Default 15 s. */
  readonly watchResyncMs?: number;
}

const MAX_PAGE_SIZE = 100;
const ID_PATTERN = /^[\x21-\x7e]{1,64}$/;

function orderIdOf(value: string): string {
  if (value === '') throw new InvalidArgumentError('order_id', 'must not be empty');
  if (!ID_PATTERN.test(value)) throw new InvalidArgumentError('order_id', 'must be 1-64 printable ASCII characters');
  return value;
}

function userIdOf(value: string, required: boolean): string {
  if (value === '' && required) throw new InvalidArgumentError('user_id', 'must not be empty');
  if (value !== '' && !ID_PATTERN.test(value)) throw new InvalidArgumentError('user_id', 'must be 1-64 printable ASCII characters');
  return value;
}

function cardOf(card: CreditCardInfo | undefined): CreditCardInfo {
  if (card === undefined) throw new InvalidArgumentError('credit_card', 'is required');
  if (card.creditCardNumber.trim() === '') throw new InvalidArgumentError('credit_card.credit_card_number', 'must not be empty');
  return card;
}

const notFound = (id: string) => new NotFoundError(`order ${id} not found`);

export function createOrderHandlers(deps: OrderHandlerDeps): AsyncServiceImpl<typeof OrderServiceService> {
  const { repo, results, hub } = deps;
  const resyncMs = deps.watchResyncMs ?? 15_000;

  async function owned(orderId: string, userId: string): Promise<OrderHeader> {
    const header = await repo.getHeader(orderId);
    if (header === undefined || (userId !== '' && header.userId !== userId)) throw notFound(orderId);
    return header;
  }

  async function full(orderId: string) {
    const order = await repo.get(orderId);
    if (order === undefined) throw notFound(orderId);
    return toOrderProto(order);
  }

  /** Redis first; a missing key (expired, or its write failed) is rebuilt from the row and written back. */
  async function current(orderId: string): Promise<ProgressRecord | undefined> {
    const cached = await results.get(orderId);
    if (cached !== undefined) return cached;
    const row = await repo.getHeader(orderId);
    if (row === undefined) return undefined;
    await results.record([{
      orderId,
      userId: row.userId,
      from: row.previousStatus,
      to: row.status,
      version: row.version,
      reason: row.failureReason ?? '',
      trackingId: row.trackingId,
      transactionId: row.transactionId,
      expiresAt: row.expiresAt,
      at: row.updatedAt,
    }]);
    return { progress: progressFromRow(row), userId: row.userId, version: row.version };
  }

  return {
    ...deps.deadLetters,

    async getOrder(req) {
      const orderId = orderIdOf(req.orderId);
      const userId = userIdOf(req.userId, false);
      const order = await full(orderId);
      if (userId !== '' && order.userId !== userId) throw notFound(orderId);
      return order;
    },

    async listOrders(req) {
      const userId = userIdOf(req.userId, true);
      if (!Number.isInteger(req.pageSize) || req.pageSize < 0 || req.pageSize > MAX_PAGE_SIZE) {
        throw new InvalidArgumentError('page_size', `must be within 0..${MAX_PAGE_SIZE} (0 = ${deps.listPageSize})`);
      }
      const limit = req.pageSize === 0 ? deps.listPageSize : req.pageSize;
      const page = await repo.listByUser(userId, limit, decodeListToken(req.pageToken));
      return { orders: page.orders.map(toOrderProto), nextPageToken: page.next ? encodeListToken(page.next) : '' };
    },

    async getOrderProgress(req) {
      const orderId = orderIdOf(req.orderId);
      const userId = userIdOf(req.userId, false);
      // Redis only: this is the polling target (a missing key means unknown or older than the result TTL).
      const record = await results.get(orderId);
      if (record === undefined || (userId !== '' && record.userId !== userId)) throw notFound(orderId);
      return record.progress;
    },

    async *watchOrder(req, ctx): AsyncIterable<OrderProgress> {
      const orderId = orderIdOf(req.orderId);
      const userId = userIdOf(req.userId, false);
      const watch = hub.watch(orderId);
      try {
        await watch.ready; // subscribed first, read second: a change in between is in the queue
        const first = await current(orderId);
        if (first === undefined || (userId !== '' && first.userId !== userId)) throw notFound(orderId);
        let version = first.version;
        yield first.progress;
        if (first.progress.terminal) return;
        for (;;) {
          const next = await watch.next(ctx.signal, resyncMs);
          if (next === undefined) return; // client gone or server stopping
          const record = next === 'timeout' ? await current(orderId) : next;
          if (record === undefined || record.version <= version) continue;
          version = record.version;
          yield record.progress;
          if (record.progress.terminal) return;
        }
      } finally {
        watch.close();
      }
    },

    async payOrder(req) {
      const orderId = orderIdOf(req.orderId);
      const userId = userIdOf(req.userId, false);
      const card = cardOf(req.creditCard);
      const r = await payOrder(deps.pay, orderId, userId, card);
      return { order: await full(orderId), transactionId: r.transactionId, alreadyPaid: r.alreadyPaid };
    },

    async cancelOrder(req) {
      const orderId = orderIdOf(req.orderId);
      const userId = userIdOf(req.userId, false);
      if (req.reason.length > 512) throw new InvalidArgumentError('reason', 'must be at most 512 characters');
      await owned(orderId, userId);
      const r = await cancelOrder(deps.cancel, orderId, {
        reason: req.reason === '' ? 'cancelled by the buyer' : req.reason,
        releaseReason: ReleaseReason.RELEASE_REASON_USER_CANCELLED,
      });
      switch (r.kind) {
        case 'not-found':
          throw notFound(orderId);
        case 'refused':
          throw new FailedPreconditionError(
            r.current === 'PAYING' ? `order ${orderId} is being paid; it cannot be cancelled` : `order ${orderId} is ${r.current}; only an unpaid order can be cancelled`,
          );
        case 'cancelled':
        case 'already-cancelled':
          return { order: await full(orderId), alreadyCancelled: r.kind === 'already-cancelled' };
      }
    },
  };
}
