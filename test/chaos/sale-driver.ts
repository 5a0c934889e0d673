// A small sale for one fault: buyers go IssueToken → Buy (one idempotency key per buyer, so a retry after a
// transient error meets its first attempt), half of the accepted ones PayOrder, the rest stay unpaid until the
// timeout cancels them; shoppers go AddItem → PlaceOrder on a normal item. Every outcome is recorded, so
// the ledger check knows exactly which orders must exist.
import { status, type ServiceError } from '@grpc/grpc-js';
import { CartServiceClient, CheckoutServiceClient } from '../../src/gen/hipstershop/demo';
import { BuyResult, buyResultToJSON, FlashSaleServiceClient } from '../../src/gen/shop/v1/flashsale';
import { OrderServiceClient } from '../../src/gen/shop/v1/order';
import { createGrpcClient, unary } from '../../src/platform/grpc-client';
import { address } from './shop-processes';

export interface AcceptedOrder {
  readonly orderId: string;
  readonly userId: string;
  readonly productId: string;
  readonly quantity: number;
  readonly source: 'flash' | 'place';
}

/** What the clients learned. `unknown` = attempts whose outcome never came back (their order may exist). */
export interface SaleRecord {
  readonly accepted: Map<string, AcceptedOrder>;
  readonly unknown: Map<string, number>; // product id → attempts without a definite answer
  readonly refusals: Map<string, number>; // outcome → count
  readonly transientErrors: Map<string, number>; // gRPC code → count (retried)
  readonly paid: Set<string>;
  readonly payRefused: Set<string>;
}

export function newSaleRecord(): SaleRecord {
  return { accepted: new Map(), unknown: new Map(), refusals: new Map(), transientErrors: new Map(), paid: new Set(), payRefused: new Set() };
}

const bump = (m: Map<string, number>, k: string, by = 1) => m.set(k, (m.get(k) ?? 0) + by);

// Only documented transient codes are retried: INTERNAL/UNKNOWN during an outage fail the phase.
const TRANSIENT = new Set([
  status.UNAVAILABLE,
  status.DEADLINE_EXCEEDED,
  status.ABORTED,
  status.RESOURCE_EXHAUSTED,
  status.ALREADY_EXISTS, // idempotency: "request in progress"
  status.CANCELLED,
]);

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

class GaveUp extends Error {}

/** Retries transient failures with capped backoff until `budgetMs` has passed; definite errors propagate. */
async function retry<T>(rec: SaleRecord, budgetMs: number, fn: () => Promise<T>, retryAlso: readonly number[] = []): Promise<T> {
  const until = Date.now() + budgetMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1_500)) {
    try {
      return await fn();
    } catch (err) {
      const code = (err as Partial<ServiceError>).code;
      if (code === undefined || !(TRANSIENT.has(code) || retryAlso.includes(code))) throw err;
      bump(rec.transientErrors, status[code] ?? String(code));
      if (Date.now() + delay > until) throw new GaveUp(`gave up after ${budgetMs} ms: ${(err as Error).message}`);
      await sleep(delay);
    }
  }
}

const ADDRESS = { streetAddress: '1 Chaos Lane', city: 'Mountain View', state: 'CA', country: 'United States', zipCode: 94043 };
const CARD = { creditCardNumber: '4432-8015-6152-0454', creditCardCvv: 672, creditCardExpirationYear: new Date().getUTCFullYear() + 1, creditCardExpirationMonth: 1 };

export function createShopClients() {
  const o = { defaultDeadlineMs: 8_000 };
  const flash = createGrpcClient(FlashSaleServiceClient, address('checkout'));
  const order = createGrpcClient(OrderServiceClient, address('order'));
  const checkout = createGrpcClient(CheckoutServiceClient, address('checkout'));
  const cart = createGrpcClient(CartServiceClient, address('cart'));
  return {
    issueToken: unary(flash, 'issueToken', o),
    buy: unary(flash, 'buy', o),
    payOrder: unary(order, 'payOrder', o),
    addItem: unary(cart, 'addItem', o),
    placeOrder: unary(checkout, 'placeOrder', { defaultDeadlineMs: 15_000 }),
    close() {
      for (const c of [flash, order, checkout, cart]) c.close();
    },
  };
}
export type ShopClients = ReturnType<typeof createShopClients>;

export interface DriverOptions {
  readonly clients: ShopClients;
  readonly record: SaleRecord;
  /** Unique per phase: user ids and idempotency keys derive from it. */
  readonly prefix: string;
  /** How long one buyer keeps retrying transient failures (must outlast an outage + restart). */
  readonly budgetMs: number;
  /** Payers keep trying until the order's window closed (plus a margin). */
  readonly payBudgetMs: number;
}

/** One buyer: token, Buy, and (payer) PayOrder. Resolves when the buyer is done. */
export async function runBuyer(d: DriverOptions, productId: string, i: number, payer: boolean): Promise<void> {
  const { clients, record } = d;
  const userId = `${d.prefix}-b${i}`;
  const quantity = 1 + (i % 2);
  let orderId: string;
  try {
    const { token } = await retry(record, d.budgetMs, () => clients.issueToken({ userId, productId }));
    const reply = await retry(record, d.budgetMs, () =>
      clients.buy(
        { userId, productId, quantity, token, userCurrency: 'USD', shippingAddress: ADDRESS, email: `${userId}@example.com` },
        { metadata: { 'idempotency-key': `${d.prefix}-buy-${i}` } },
      ),
    );
    if (reply.result !== BuyResult.BUY_RESULT_ACCEPTED) {
      bump(record.refusals, buyResultToJSON(reply.result));
      return;
    }
    orderId = reply.orderId;
    record.accepted.set(orderId, { orderId, userId, productId, quantity, source: 'flash' });
  } catch (err) {
    if (!(err instanceof GaveUp)) throw err;
    bump(record.unknown, productId);
    return;
  }
  if (payer) await pay(d, orderId, userId);
}

async function pay(d: DriverOptions, orderId: string, userId: string): Promise<void> {
  try {
    // NOT_FOUND: the row is still on its way through the pipeline.
    await retry(d.record, d.payBudgetMs, () => d.clients.payOrder({ orderId, userId, creditCard: CARD }), [status.NOT_FOUND]);
    d.record.paid.add(orderId);
  } catch (err) {
    const code = (err as Partial<ServiceError>).code;
    if (err instanceof GaveUp || code === status.FAILED_PRECONDITION) d.record.payRefused.add(orderId);
    else throw err;
  }
}

/** One shopper: AddItem then PlaceOrder (checkout charges; the order ends PAID). */
export async function runShopper(d: DriverOptions, productId: string, j: number): Promise<void> {
  const { clients, record } = d;
  const userId = `${d.prefix}-s${j}`;
  const quantity = 1 + (j % 2);
  try {
    await retry(record, d.budgetMs, () => clients.addItem({ userId, item: { productId, quantity } }, { metadata: { 'idempotency-key': `${d.prefix}-cart-${j}` } }));
    const res = await retry(record, d.budgetMs, () =>
      clients.placeOrder(
        { userId, userCurrency: 'USD', address: ADDRESS, email: `${userId}@example.com`, creditCard: CARD },
        { metadata: { 'idempotency-key': `${d.prefix}-place-${j}` } },
      ),
    );
    const orderId = res.order?.orderId ?? '';
    record.accepted.set(orderId, { orderId, userId, productId, quantity, source: 'place' });
    record.paid.add(orderId);
  } catch (err) {
    if (err instanceof GaveUp) {
      bump(record.unknown, productId);
      return;
    }
    const code = (err as Partial<ServiceError>).code;
    if (code === status.FAILED_PRECONDITION || code === status.INVALID_ARGUMENT) {
      bump(record.refusals, `PLACE_ORDER_${status[code]}`);
      return;
    }
    throw err;
  }
}

/** Runs `tasks` with at most `concurrency` in flight. */
export async function pool(concurrency: number, tasks: ReadonlyArray<() => Promise<void>>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, tasks.length) }, async () => {
    while (next < tasks.length) {
      const t = tasks[next++]!;
      await t();
    }
  });
  await Promise.all(workers);
}
