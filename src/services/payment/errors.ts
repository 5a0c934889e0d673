import { AlreadyExistsError, FailedPreconditionError, InvalidArgumentError } from '../../platform/errors';

/*
 * Card refusals, classified for the one gRPC boundary (upstream sends a non-standard status 400 for all):
 * - malformed number (Luhn, length, unknown brand) → INVALID_ARGUMENT on credit_card.credit_card_number:
 *   no state of the world makes that number chargeable;
 * - a well-formed card this shop will not charge (brand policy; expired as of today's date) →
 *   FAILED_PRECONDITION: the request is well-formed, the merchant's conditions are not met;
 * - an idempotency key reused for a different charge → ALREADY_EXISTS.
 * Messages keep upstream's wording so either implementation reads the same to a buyer.
 */

export class InvalidCreditCardError extends InvalidArgumentError {
  constructor() {
    super('credit_card.credit_card_number', 'Credit card info is invalid');
  }
}

export class UnacceptedCreditCardError extends FailedPreconditionError {
  constructor(readonly brand: string) {
    super(`Sorry, we cannot process ${brand} credit cards. Only VISA or MasterCard is accepted.`);
  }
}

export class ExpiredCreditCardError extends FailedPreconditionError {
  constructor(
    readonly last4: string,
    readonly month: number,
    readonly year: number,
  ) {
    super(`Your credit card (ending ${last4}) expired on ${month}/${year}`);
  }
}

export class IdempotencyConflictError extends AlreadyExistsError {
  constructor(readonly key: string) {
    super(`idempotency key ${JSON.stringify(key)} was already used for a different charge`);
  }
}
