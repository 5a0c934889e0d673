import { type Money, isCurrencyCode, isNegative, moneyProblem } from '../../platform/money';
import { ACCEPTED_BRANDS } from './card-types';
import { inspectCard } from './card-inspector';
import { InvalidArgumentError } from '../../platform/errors';
import { ExpiredCreditCardError, InvalidCreditCardError, UnacceptedCreditCardError } from './errors';
import type { ChargeInput } from './types';

export interface ValidCharge {
  amount: Money;
  cardBrand: string;
  cardLast4: string;
}

/**
 * Upstream's card rules, in upstream's order (number, brand, expiry; CVV is not checked), after
 * structural checks of the amount. Expiry compares year*12+month in UTC: the expiry month itself is
 * still accepted.
 */
export function validateCharge(req: ChargeInput, now: Date): ValidCharge {
  const amount = checkAmount(req.amount);
  const card = req.creditCard;
  if (card === undefined) throw new InvalidArgumentError('credit_card', 'is required');
  if (card.creditCardNumber.trim() === '') {
    throw new InvalidArgumentError('credit_card.credit_card_number', 'is required');
  }
  const { digits, brand, valid } = inspectCard(card.creditCardNumber);
  if (!valid) throw new InvalidCreditCardError();
  if (!ACCEPTED_BRANDS.has(brand)) throw new UnacceptedCreditCardError(brand);

  const month = card.creditCardExpirationMonth;
  const year = card.creditCardExpirationYear;
  if (!Number.isInteger(month) || month < 1 || month > 12) {
    throw new InvalidArgumentError('credit_card.credit_card_expiration_month', 'must be 1-12');
  }
  const last4 = digits.slice(-4);
  if (now.getUTCFullYear() * 12 + (now.getUTCMonth() + 1) > year * 12 + month) {
    throw new ExpiredCreditCardError(last4, month, year);
  }
  return { amount, cardBrand: brand, cardLast4: last4 };
}

function checkAmount(amount: Money | undefined): Money {
  if (amount === undefined) throw new InvalidArgumentError('amount', 'is required');
  const problem = moneyProblem(amount);
  if (problem !== undefined) throw new InvalidArgumentError('amount', problem);
  if (!isCurrencyCode(amount.currencyCode)) throw new InvalidArgumentError('amount.currency_code', 'must be a 3-letter ISO 4217 code');
  if (isNegative(amount)) throw new InvalidArgumentError('amount', 'must not be negative');
  return amount;
}
