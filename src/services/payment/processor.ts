import { randomUUID } from 'node:crypto';
import { equals, moneyProblem } from '../../platform/money';
import { inspectCard } from './card-inspector';
import type { ChargeRepo } from './charge-repo';
import { InternalError, InvalidArgumentError } from '../../platform/errors';
import { IdempotencyConflictError } from './errors';
import type { ChargeInput, ChargeRecord } from './types';
import { validateCharge } from './validate-charge';

export interface ChargeResult {
  transactionId: string;
  /** True when an earlier charge with the same idempotency key was returned instead of charging again. */
  replayed: boolean;
}

export interface PaymentProcessor {
  charge(req: ChargeInput, idempotencyKey?: string): Promise<ChargeResult>;
}

export interface PaymentProcessorDeps {
  repo: ChargeRepo;
  now: () => Date;
  newTransactionId?: () => string;
}

const MAX_KEY_LENGTH = 128;

/**
 * Validates like upstream, then records the charge durably before answering. With an idempotency key
 * the first charge wins: retries (sequential or concurrent) get its transaction id, and one row exists.
 */
export function createPaymentProcessor({ repo, now, newTransactionId = randomUUID }: PaymentProcessorDeps): PaymentProcessor {
  return {
    async charge(req, idempotencyKey) {
      const key = normaliseKey(idempotencyKey);
      if (key !== null) {
        const existing = await repo.findByIdempotencyKey(key);
        if (existing !== undefined) return replay(existing, req, key);
      }
      const valid = validateCharge(req, now());
      const record: ChargeRecord = {
        transactionId: newTransactionId(),
        idempotencyKey: key,
        amount: valid.amount,
        cardBrand: valid.cardBrand,
        cardLast4: valid.cardLast4,
        createdAt: now(),
        refundedAt: null,
      };
      if ((await repo.insert(record)) === 'inserted') return { transactionId: record.transactionId, replayed: false };
      // Lost a race with a concurrent charge under the same key: answer with the winner.
      const winner = key === null ? undefined : await repo.findByIdempotencyKey(key);
      if (winner === undefined) throw new InternalError(`charge ${record.transactionId} collided but no row holds its key`);
      return replay(winner, req, key as string);
    },
  };
}

function normaliseKey(key: string | undefined): string | null {
  if (key === undefined || key === '') return null;
  if (key.length > MAX_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key)) {
    throw new InvalidArgumentError('idempotency-key', `must be 1-${MAX_KEY_LENGTH} printable ASCII characters`);
  }
  return key;
}

/** Same key must mean the same charge: same amount and same card (by last 4 digits). */
function replay(existing: ChargeRecord, req: ChargeInput, key: string): ChargeResult {
  const amount = req.amount;
  const sameAmount = amount !== undefined && moneyProblem(amount) === undefined && equals(amount, existing.amount);
  const sameCard = req.creditCard !== undefined && inspectCard(req.creditCard.creditCardNumber).digits.slice(-4) === existing.cardLast4;
  if (!sameAmount || !sameCard) throw new IdempotencyConflictError(key);
  return { transactionId: existing.transactionId, replayed: true };
}
