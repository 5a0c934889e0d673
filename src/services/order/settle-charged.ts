// Before an unpaid order is cancelled, ask the payment ledger whether it was charged after all.
// PlaceOrder charges in checkout and then announces PAID on the order-status topic; when that
// announcement is lost (broker down past the publisher's retries, checkout killed after the charge)
// the row stays PENDING_PAYMENT and its payment deadline would cancel it and put paid-for units back
// on sale (seckill.md §1.11 c). Found by the fault-injection suite (test/chaos, RocketMQ kill -9).
import type { ChargeLookup } from './clients/charge-lookup';
import type { OrderRepo } from './order-repo';
import type { OrderHeader } from './types';

export type SettleOutcome =
  /** A charge exists: the order is now PAID (or already was), so it must not be cancelled. */
  | { readonly kind: 'paid'; readonly order: OrderHeader }
  /** No charge, or no way to tell (upstream payment service): cancelling is the caller's call. */
  | { readonly kind: 'not-charged' };

/** `repo` may be a transaction (the scan settles inside its SKIP LOCKED transaction). */
export async function settleIfCharged(
  deps: { readonly repo: Pick<OrderRepo, 'transition'>; readonly charges?: ChargeLookup },
  orderId: string,
): Promise<SettleOutcome> {
  if (!deps.charges) return { kind: 'not-charged' };
  const found = await deps.charges.find(orderId);
  if (found === undefined || found === 'unknown') return { kind: 'not-charged' };
  const r = await deps.repo.transition(orderId, 'PAID', { reason: 'charge found before cancel (PAID event lost)', transactionId: found.transactionId });
  if (r.kind === 'applied' || (r.kind === 'refused' && r.current !== 'CANCELLED')) return { kind: 'paid', order: r.order };
  return { kind: 'not-charged' };
}
