// One simulated buyer: IssueToken → Buy (retried under the same idempotency key while the answer is
// undecided); an accepted order then follows WatchOrder and is paid with PayOrder, or — for the share
// that never pays — left to the payment-timeout cancel (or cancelled by the buyer when the window is
// longer than the simulator may wait). Every outcome lands in the tally.
import type { Metadata } from '@grpc/grpc-js';
import { buyResultToJSON, BuyResult } from '../../src/gen/shop/v1/flashsale';
import { OrderStatus } from '../../src/gen/shop/v1/common';
import { ProgressState, type OrderProgress } from '../../src/gen/shop/v1/order';
import type { Histogram } from '../lib/histogram';
import { followOrder } from './follow-order';
import { codeName, isUndecided, withRetries } from './grpc-outcome';
import type { ShopClients } from './shop-clients';
import { isNonPayer, type AcceptedOrder, type SaleTally } from './tally';

export const SHIPPING_ADDRESS = { streetAddress: '1600 Amphitheatre Parkway', city: 'Mountain View', state: 'CA', country: 'United States', zipCode: 94043 };
export const CARD = {
  creditCardNumber: '4432801561520454',
  creditCardCvv: 672,
  creditCardExpirationYear: new Date().getUTCFullYear() + 2,
  creditCardExpirationMonth: 1,
};
const RETRIES = 3;

export interface BuyerDeps {
  readonly shop: ShopClients;
  readonly tally: SaleTally;
  readonly runId: string;
  readonly skus: readonly string[];
  /** Units of all items together: the units-th ACCEPTED marks the first sell-out. */
  readonly unitsTotal: number;
  readonly nonPayerPct: number;
  readonly repeatPct: number;
  /** Buy latency (µs) of answered Buys, retries included. */
  readonly buyLatencyUs: Histogram;
  /** Metadata naming the buyer's client address (x-forwarded-for), or none. */
  readonly clientAddress: (userIndex: number) => Record<string, string>;
  /** Non-payers wait this long for the timeout cancel; a longer window → they cancel themselves. */
  readonly maxTimeoutWaitMs: number;
  /** Extra wait after an order's deadline for its cancel to show. */
  readonly settleGraceMs: number;
  /** How late the order's row may reach MySQL (the drain timeout): the journey waits that much longer. */
  readonly rowWaitMs: number;
  readonly random: () => number;
  /** Detached post-acceptance journeys; awaited by the caller once the attempts are done. */
  readonly journeys: Array<Promise<void>>;
}

const resultName = (r: BuyResult) => buyResultToJSON(r).replace(/^BUY_RESULT_/, '');

/** Attempt i (0-based). Resolves when Buy was answered; the order's journey continues detached. */
export async function attemptPurchase(deps: BuyerDeps, i: number): Promise<void> {
  const { shop, tally, runId } = deps;
  tally.attempts += 1;
  const repeat = i > 0 && deps.random() * 100 < deps.repeatPct;
  const userIndex = repeat ? Math.floor(deps.random() * i) : i;
  const userId = `buyer-${runId}-${userIndex}`;
  const productId = deps.skus[userIndex % deps.skus.length]!;
  const address = deps.clientAddress(userIndex);

  let token: string;
  try {
    token = (await withRetries(() => shop.issueToken({ userId, productId }, { metadata: address }), RETRIES)).token;
  } catch (err) {
    tally.tokenRefusals.add(codeName(err));
    return;
  }

  const metadata: Record<string, string> = { ...address, 'idempotency-key': `sale-${runId}-${i}` };
  const request = { userId, productId, quantity: 1, token, userCurrency: '', shippingAddress: SHIPPING_ADDRESS, email: `${userId}@example.com` };
  const t0 = process.hrtime.bigint();
  let reply;
  try {
    reply = await withRetries(() => shop.buy(request, { metadata }), RETRIES);
  } catch (err) {
    tally.buyAnswers.add(isUndecided(err) ? 'UNKNOWN' : `error:${codeName(err)}`);
    if (isUndecided(err)) tally.settleNotes.add(`buy:${codeName(err)}`);
    tally.lastBuyAnsweredMs = Date.now();
    return;
  }
  deps.buyLatencyUs.record(Number(process.hrtime.bigint() - t0) / 1000);
  tally.lastBuyAnsweredMs = Date.now();
  tally.buyAnswers.add(resultName(reply.result));
  if (reply.result !== BuyResult.BUY_RESULT_ACCEPTED) return;

  const order: AcceptedOrder = { orderId: reply.orderId, userId, sku: productId, payer: !isNonPayer(tally.accepted.length, deps.nonPayerPct), acceptedAtMs: Date.now() };
  tally.accepted.push(order);
  if (tally.accepted.length === deps.unitsTotal) tally.soldOutAtMs = order.acceptedAtMs;
  const expiresAtMs = reply.expiresAt?.getTime() ?? Date.now();
  if (Number.isNaN(tally.observedWindowMs)) tally.observedWindowMs = expiresAtMs - order.acceptedAtMs;
  deps.journeys.push(settleOrder(deps, order, expiresAtMs));
}

/** Follows an accepted order until it is paid or cancelled (or the wait runs out: 'unsettled'). */
function settleOrder(deps: BuyerDeps, order: AcceptedOrder, expiresAtMs: number): Promise<void> {
  const { shop, tally } = deps;
  const selfCancel = !order.payer && expiresAtMs - Date.now() > deps.maxTimeoutWaitMs;
  // A row that lands after the deadline is created and cancelled at once: wait for that too.
  const deadline = (selfCancel ? Date.now() : Math.max(expiresAtMs, Date.now())) + deps.rowWaitMs + deps.settleGraceMs;
  const req = { orderId: order.orderId, userId: order.userId };
  let acted = false;
  let payRefused = false;

  const following = followOrder(
    shop.watchOrder,
    req,
    deadline,
    (p: OrderProgress) => {
      if (p.state === ProgressState.PROGRESS_STATE_FAIL) {
        order.settlement = 'creation-failed';
        following.stop();
      } else if (p.status === OrderStatus.ORDER_STATUS_CANCELLED) {
        order.settlement = payRefused ? 'pay-refused' : selfCancel ? 'cancelled-by-buyer' : 'cancelled-by-timeout';
        following.stop();
      } else if (p.state === ProgressState.PROGRESS_STATE_SUCCESS && p.status === OrderStatus.ORDER_STATUS_PENDING_PAYMENT && !acted) {
        // The row exists: now PayOrder / CancelOrder can find it.
        acted = true;
        if (order.payer) void pay();
        else if (selfCancel) void cancel();
      }
    },
    code => tally.settleNotes.add(`watch:${code}`),
  );

  async function pay(): Promise<void> {
    try {
      await withRetries(() => shop.payOrder({ ...req, creditCard: CARD }), RETRIES);
      order.settlement = 'paid';
      following.stop();
    } catch (err) {
      // Refused (e.g. past the deadline): the order stays unpaid and the timeout cancels it.
      payRefused = true;
      tally.settleNotes.add(`pay:${codeName(err)}`);
    }
  }

  async function cancel(): Promise<void> {
    try {
      await withRetries(() => shop.cancelOrder({ ...req, reason: 'sale simulator: buyer gave up' }), RETRIES);
    } catch (err) {
      tally.settleNotes.add(`cancel:${codeName(err)}`);
    }
  }

  return following.done.then(how => {
    if (how === 'timeout' && order.settlement === undefined) order.settlement = 'unsettled';
  });
}
