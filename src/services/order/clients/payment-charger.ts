// hipstershop.PaymentService.Charge as PayOrder needs it: `idempotency-key` metadata = order id, so a
// retried or re-driven charge of one order never takes money twice (our payment service replays the
// first charge for a known key). Errors are sorted into a definite refusal (the card, the amount: no
// money moved) and an unknown outcome (money may have moved).
import { status, type ServiceError } from '@grpc/grpc-js';
import type { CreditCardInfo, PaymentServiceClient } from '../../../gen/hipstershop/demo';
import { unary, type UnaryOptions } from '../../../platform/grpc-client';
import { isServiceError } from '../../../platform/grpc-status';
import type { Money } from '../../../platform/money';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

export type ChargeOutcome =
  | { kind: 'charged'; transactionId: string }
  /** Refused for good (invalid card, expired, unaccepted type…): no charge exists. */
  | { kind: 'declined'; code: status; details: string }
  /** A charge with this key exists already, with another card or amount. */
  | { kind: 'key-conflict'; details: string }
  /** Timeout, unavailable, internal: the charge may or may not have happened. */
  | { kind: 'unknown'; reason: string };

export interface PaymentCharger {
  charge(orderId: string, amount: Money, card: CreditCardInfo): Promise<ChargeOutcome>;
}

const DECLINE_CODES = new Set<status>([status.INVALID_ARGUMENT, status.FAILED_PRECONDITION, status.OUT_OF_RANGE]);

export function classifyChargeError(err: unknown): Exclude<ChargeOutcome, { kind: 'charged' }> {
  if (isServiceError(err)) {
    const e = err as ServiceError;
    if (DECLINE_CODES.has(e.code)) return { kind: 'declined', code: e.code, details: e.details };
    if (e.code === status.ALREADY_EXISTS) return { kind: 'key-conflict', details: e.details };
    return { kind: 'unknown', reason: `${status[e.code]}: ${e.details}` };
  }
  return { kind: 'unknown', reason: err instanceof Error ? err.message : String(err) };
}

export function createPaymentCharger(client: PaymentServiceClient, options: UnaryOptions): PaymentCharger {
  const call = unary(client, 'charge', options);
  return {
    async charge(orderId, amount, card) {
      try {
        const res = await call({ amount, creditCard: card }, { metadata: { [IDEMPOTENCY_KEY_HEADER]: orderId } });
        return { kind: 'charged', transactionId: res.transactionId };
      } catch (err) {
        return classifyChargeError(err);
      }
    },
  };
}
