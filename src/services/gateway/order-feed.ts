// Following one order for the browser: a WatchOrder stream turned into OrderJson frames (the WebSocket
// feeds on it), the long poll built on the same stream, and the single read behind GET /api/orders/:id.
import { status } from '@grpc/grpc-js';
import { ProgressState, type OrderProgress } from '../../gen/shop/v1/order';
import { isServiceError } from '../../platform/grpc-status';
import type { CallMeta, GatewayClients } from './clients';
import { orderJson, progressJson, type OrderJson } from './json-views';

export type WatchEnd =
  | { readonly kind: 'terminal' }
  /** The upstream stream ended without a terminal state (the order service is stopping). */
  | { readonly kind: 'ended' }
  | { readonly kind: 'error'; readonly error: unknown };

export interface WatchHandlers {
  frame(order: OrderJson): void;
  end(how: WatchEnd): void;
}

export interface OrderWatch {
  /** Stops following (cancels the upstream stream); no handler runs after it. */
  cancel(): void;
}

export type OrderReader = Pick<GatewayClients, 'watchOrder' | 'getOrderProgress' | 'getOrder'>;

/** One upstream WatchOrder stream. Throws (BreakerOpenError) when it cannot even be opened. */
export function watchOrder(clients: OrderReader, orderId: string, userId: string, meta: CallMeta, h: WatchHandlers): OrderWatch {
  const stream = clients.watchOrder(orderId, userId, meta);
  let done = false;
  let terminal = false;
  stream.on('data', (p: OrderProgress) => {
    if (done) return;
    const order = progressJson(p);
    terminal = order.terminal;
    h.frame(order);
  });
  stream.on('error', (error: unknown) => {
    if (done) return;
    done = true;
    h.end({ kind: 'error', error });
  });
  stream.on('end', () => {
    if (done) return;
    done = true;
    h.end(terminal ? { kind: 'terminal' } : { kind: 'ended' });
  });
  return {
    cancel() {
      if (done) return;
      done = true;
      stream.cancel();
    },
  };
}

/** The buyer's view now: the Redis progress record, else the MySQL row (older orders). */
export async function readOrder(clients: OrderReader, orderId: string, userId: string, meta: CallMeta): Promise<OrderJson> {
  try {
    return progressJson(await clients.getOrderProgress(orderId, userId, meta));
  } catch (err) {
    if (!(isServiceError(err) && err.code === status.NOT_FOUND)) throw err;
    return orderJson(await clients.getOrder(orderId, userId, meta));
  }
}

/** `after` is a status name or a version; anything else about the order counts as a change. */
export function differs(order: OrderJson, after: string | undefined): boolean {
  return after === undefined || after === '' || (order.status !== after && order.version !== after);
}

/**
 * Resolves with the order as soon as it differs from `after`, or with its latest state when
 * `timeoutMs` passes or `signal` aborts (client gone, gateway stopping).
 */
export function longPoll(
  clients: OrderReader,
  req: { orderId: string; userId: string; after: string | undefined; timeoutMs: number },
  meta: CallMeta,
  signal: AbortSignal,
): Promise<OrderJson> {
  return new Promise<OrderJson>((resolve, reject) => {
    let last: OrderJson | undefined;
    let settled = false;
    let watch: OrderWatch | undefined;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', giveUp);
      watch?.cancel();
      settle();
    };
    const current = () => (last ? resolve(last) : readOrder(clients, req.orderId, req.userId, meta).then(resolve, reject));
    function giveUp() {
      finish(current);
    }
    const timer = setTimeout(giveUp, req.timeoutMs);
    signal.addEventListener('abort', giveUp, { once: true });
    try {
      watch = watchOrder(clients, req.orderId, req.userId, meta, {
        frame(order) {
          last = order;
          if (differs(order, req.after)) finish(() => resolve(order));
        },
        end(how) {
          if (how.kind === 'error') finish(() => reject(how.error));
          else finish(current);
        },
      });
    } catch (err) {
      finish(() => reject(err));
    }
    if (signal.aborted) giveUp();
  });
}

/**
 * Waits until an accepted order's row exists (its progress leaves IN_PROGRESS), so a payment made
 * right after Buy does not fail only because the write-behind is a few milliseconds behind.
 * Resolves false on timeout, when the order is unknown to this user, or when the stream ends.
 */
export function awaitPersisted(clients: OrderReader, orderId: string, userId: string, meta: CallMeta, timeoutMs: number): Promise<boolean> {
  return new Promise<boolean>(resolve => {
    let stream: ReturnType<OrderReader['watchOrder']>;
    let done = false;
    const finish = (value: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stream?.cancel();
      resolve(value);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    try {
      stream = clients.watchOrder(orderId, userId, meta);
    } catch {
      return finish(false);
    }
    stream.on('data', (p: OrderProgress) => {
      if (p.state !== ProgressState.PROGRESS_STATE_IN_PROGRESS) finish(p.state === ProgressState.PROGRESS_STATE_SUCCESS);
    });
    stream.on('error', () => finish(false));
    stream.on('end', () => finish(false));
  });
}
