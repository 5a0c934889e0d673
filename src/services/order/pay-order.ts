// PayOrder and its race with cancellation (see state-machine.ts for the table).
//
//   1. PENDING_PAYMENT → PAYING (guarded UPDATE, only before expires_at). Cancel is allowed only from
//      PENDING_PAYMENT, so from here on no cancel can commit; and if a cancel committed first, this
//      UPDATE matches nothing and we refuse BEFORE any money moves.
//   2. Charge with idempotency-key = order id.
//   3. charged → PAYING → PAID (+ transaction id). declined → PAYING → PENDING_PAYMENT (lock released;
//      the buyer may retry with another card; past the deadline the timeout cancel takes it).
//      unknown outcome → stay PAYING until paying_until; then a PayOrder retry re-drives the charge
//      under the same key (replayed, never charged twice), or `recoverStalePaying` asks the payment
//      records and settles PAID / PENDING_PAYMENT.
// Exactly one of "paid" and "cancelled" can ever commit; a cancelled order is never charged.
import type { CreditCardInfo } from '../../gen/hipstershop/demo';
import type { Clock } from '../../platform/clock';
import { AbortedError, FailedPreconditionError, InvalidArgumentError, NotFoundError, UnavailableError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import type { ChargeLookup } from './clients/charge-lookup';
import type { PaymentCharger } from './clients/payment-charger';
import type { OrderRepo } from './order-repo';
import type { OrderHeader } from './types';

export interface PayOrderDeps {
  readonly repo: OrderRepo;
  readonly payment: PaymentCharger;
  readonly charges: ChargeLookup;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface PayResult {
  order: OrderHeader;
  transactionId: string;
  alreadyPaid: boolean;
}

const PAID_OR_LATER = new Set(['PAID', 'SHIPPED', 'SHIP_FAILED']);
const MAX_ROUNDS = 3;

function paidAlready(order: OrderHeader): PayResult {
  return { order, transactionId: order.transactionId ?? '', alreadyPaid: true };
}

export async function payOrder(deps: PayOrderDeps, orderId: string, userId: string, card: CreditCardInfo): Promise<PayResult> {
  const log = deps.logger.child({ orderId });
  // A few rounds: a concurrent call may move the order between our read and our UPDATE.
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const order = await deps.repo.getHeader(orderId);
    if (order === undefined || (userId !== '' && order.userId !== userId)) throw new NotFoundError(`order ${orderId} not found`);
    const now = new Date(deps.clock.now());
    if (PAID_OR_LATER.has(order.status)) return paidAlready(order);
    if (order.status === 'CANCELLED') throw new FailedPreconditionError(`order ${orderId} is cancelled${order.failureReason ? `: ${order.failureReason}` : ''}`);
    if (order.status === 'PAYING') {
      if (order.payingUntil !== null && order.payingUntil > now) throw new AbortedError(`a payment of order ${orderId} is in progress; retry later`);
      // The call that took the lock is gone: take it over and re-drive the charge under the same key.
      if (!(await deps.repo.takeOverStalePaying(orderId, now))) continue;
      log.warn('re-driving a payment whose PAYING lock expired');
      return charge(deps, order, card, log);
    }
    // PENDING_PAYMENT
    if (order.expiresAt <= now) throw new FailedPreconditionError(`the payment window of order ${orderId} closed at ${order.expiresAt.toISOString()}`);
    const locked = await deps.repo.transition(orderId, 'PAYING', { reason: 'PayOrder', onlyBeforeDeadline: true });
    if (locked.kind === 'applied') return charge(deps, locked.order, card, log);
  }
  throw new AbortedError(`order ${orderId} changed concurrently; retry`);
}

async function charge(deps: PayOrderDeps, order: OrderHeader, card: CreditCardInfo, log: Logger): Promise<PayResult> {
  const outcome = await deps.payment.charge(order.orderId, order.total, card);
  switch (outcome.kind) {
    case 'charged':
      return settlePaid(deps, order.orderId, outcome.transactionId, log);
    case 'declined': {
      const back = await deps.repo.transition(order.orderId, 'PENDING_PAYMENT', { reason: `payment declined: ${outcome.details}` });
      if (back.kind !== 'applied') log.warn({ result: back.kind }, 'declined payment: PAYING lock was not held any more');
      throw new InvalidArgumentError('credit_card', `payment declined: ${outcome.details}`);
    }
    case 'key-conflict': {
      // A charge under this order id exists (an earlier attempt with another card): the order is paid.
      const found = await deps.charges.find(order.orderId);
      if (found !== undefined && found !== 'unknown') return settlePaid(deps, order.orderId, found.transactionId, log);
      throw new UnavailableError(`order ${order.orderId}: payment outcome unknown; retry PayOrder later`);
    }
    case 'unknown':
      log.warn({ reason: outcome.reason }, 'payment outcome unknown: the order stays PAYING until its lock expires');
      throw new UnavailableError(`order ${order.orderId}: payment outcome unknown; retry PayOrder later`);
  }
}

async function settlePaid(deps: PayOrderDeps, orderId: string, transactionId: string, log: Logger): Promise<PayResult> {
  const r = await deps.repo.transition(orderId, 'PAID', { reason: 'PayOrder', transactionId });
  if (r.kind === 'applied') return { order: r.order, transactionId, alreadyPaid: false };
  if (r.kind === 'refused' && PAID_OR_LATER.has(r.current)) return paidAlready(r.order);
  // Only reachable if the PAYING lock expired mid-charge and the order was then cancelled: money taken
  // for a cancelled order. PaymentService has no refund RPC; this is logged for an operator.
  log.error({ transactionId, result: r.kind, current: r.kind === 'refused' ? r.current : undefined }, 'CHARGED BUT NOT PAYABLE: refund needed');
  throw new FailedPreconditionError(`order ${orderId} can no longer be paid; the charge ${transactionId} will be refunded`);
}

/**
 * Settles PAYING orders whose lock expired (the PayOrder that held it died): charged under the order id
 * → PAID; no charge → back to PENDING_PAYMENT (then payable again, or cancelled by the timeout);
 * cannot tell → left for the buyer's retry. Rows claimed with SKIP LOCKED: replicas share the work.
 */
export async function recoverStalePaying(deps: PayOrderDeps, limit: number): Promise<{ paid: number; reverted: number }> {
  const now = new Date(deps.clock.now());
  return deps.repo.transaction(async tx => {
    const stale = await tx.findStalePaying(now, limit);
    let paid = 0;
    let reverted = 0;
    for (const order of stale) {
      const found = await deps.charges.find(order.orderId);
      if (found === 'unknown') continue;
      if (found !== undefined) {
        if ((await tx.transition(order.orderId, 'PAID', { reason: 'payment recovered', transactionId: found.transactionId })).kind === 'applied') paid++;
      } else if ((await tx.transition(order.orderId, 'PENDING_PAYMENT', { reason: 'payment lock expired without a charge' })).kind === 'applied') {
        reverted++;
      }
    }
    if (paid + reverted > 0) deps.logger.warn({ paid, reverted }, 'stale PAYING locks settled');
    return { paid, reverted };
  });
}
