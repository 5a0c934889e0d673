// What a payment-deadline timer does with the order it names. Pure: the consumer supplies the row and
// the time. Cancelling is only ever attempted through the shared cancel use case, whose guarded UPDATE
// (PENDING_PAYMENT → CANCELLED) is what actually decides a race with PayOrder.
import type { OrderHeader } from '../types';

export type DeadlineDecision =
  /** Unpaid and past its deadline: cancel. */
  | { readonly kind: 'cancel' }
  /** Fired before expires_at (early timer slot, capped delay): wait `inMs` more. */
  | { readonly kind: 'not-due'; readonly inMs: number }
  /** PayOrder holds the PAYING lock: look again once it must have ended. */
  | { readonly kind: 'paying'; readonly inMs: number }
  /** Paid, cancelled, shipped…: nothing to do. */
  | { readonly kind: 'settled' }
  /** No row (yet): the timer outran the creation, or the order never existed. */
  | { readonly kind: 'missing' };

/** Slack after a PAYING lock's end before we look again (its holder may still be committing). */
export const PAYING_SLACK_MS = 500;

export function decideDeadline(order: OrderHeader | undefined, now: number): DeadlineDecision {
  if (order === undefined) return { kind: 'missing' };
  switch (order.status) {
    case 'PENDING_PAYMENT': {
      const inMs = order.expiresAt.getTime() - now;
      return inMs > 0 ? { kind: 'not-due', inMs } : { kind: 'cancel' };
    }
    case 'PAYING': {
      const until = order.payingUntil?.getTime() ?? now;
      return { kind: 'paying', inMs: Math.max(until - now, 0) + PAYING_SLACK_MS };
    }
    default:
      return { kind: 'settled' };
  }
}
