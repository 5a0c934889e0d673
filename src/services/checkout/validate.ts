// Shape checks of a PlaceOrderRequest, before anything else runs: a bad request touches nothing.
// Field names are the proto paths (`address.zip_code`), as upstream clients wrote them.
import type { Address, CreditCardInfo, PlaceOrderRequest } from '../../gen/hipstershop/demo';
import { InvalidArgumentError } from '../../platform/errors';
import { isCurrencyCode } from '../../platform/money';

export interface CheckedOrderRequest {
  readonly userId: string;
  readonly currency: string;
  readonly address: Address;
  readonly email: string;
  readonly card: CreditCardInfo;
}

/** user ids become Redis keys, order rows (VARCHAR 64) and log fields. */
export const MAX_USER_ID_LENGTH = 64;
const PRINTABLE = /^[\x21-\x7e]+$/;
// Deliberately loose (one @, a dot in the domain, no spaces): the mail server is the real judge.
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_EMAIL_LENGTH = 254;

function text(field: string, value: string, max: number, required = true): string {
  const trimmed = value.trim();
  if (required && trimmed === '') throw new InvalidArgumentError(field, 'must not be empty');
  if (value.length > max) throw new InvalidArgumentError(field, `must be at most ${max} characters`);
  return value;
}

function checkAddress(address: Address | undefined): Address {
  if (!address) throw new InvalidArgumentError('address', 'must be set');
  text('address.street_address', address.streetAddress, 512);
  text('address.city', address.city, 128);
  text('address.state', address.state, 128, false);
  text('address.country', address.country, 128);
  if (!Number.isInteger(address.zipCode) || address.zipCode <= 0) {
    throw new InvalidArgumentError('address.zip_code', `must be a positive number, got ${address.zipCode}`);
  }
  return address;
}

function luhnOk(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Number shape, Luhn and expiry; which brands are accepted is the payment service's policy. */
function checkCard(card: CreditCardInfo | undefined, now: Date): CreditCardInfo {
  if (!card) throw new InvalidArgumentError('credit_card', 'must be set');
  const digits = card.creditCardNumber.replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(digits)) {
    throw new InvalidArgumentError('credit_card.credit_card_number', 'must be 12-19 digits (spaces and dashes allowed)');
  }
  if (!luhnOk(digits)) throw new InvalidArgumentError('credit_card.credit_card_number', 'is not a valid card number');
  const { creditCardExpirationMonth: month, creditCardExpirationYear: year, creditCardCvv: cvv } = card;
  if (!Number.isInteger(month) || month < 1 || month > 12) {
    throw new InvalidArgumentError('credit_card.credit_card_expiration_month', `must be 1-12, got ${month}`);
  }
  if (!Number.isInteger(year) || year < 1000 || year > 9999) {
    throw new InvalidArgumentError('credit_card.credit_card_expiration_year', `must be a four-digit year, got ${year}`);
  }
  // Valid through the end of its expiry month (like upstream's payment service), in UTC.
  if (year * 12 + month < now.getUTCFullYear() * 12 + now.getUTCMonth() + 1) {
    throw new InvalidArgumentError('credit_card.credit_card_expiration_year', `the card expired on ${month}/${year}`);
  }
  if (!Number.isInteger(cvv) || cvv < 0 || cvv > 9999) {
    throw new InvalidArgumentError('credit_card.credit_card_cvv', 'must be 0-9999');
  }
  return card;
}

export function checkPlaceOrderRequest(req: PlaceOrderRequest, now: Date): CheckedOrderRequest {
  const userId = req.userId;
  if (userId === '') throw new InvalidArgumentError('user_id', 'must not be empty');
  if (userId.length > MAX_USER_ID_LENGTH || !PRINTABLE.test(userId)) {
    throw new InvalidArgumentError('user_id', `must be 1-${MAX_USER_ID_LENGTH} printable ASCII characters without spaces`);
  }
  if (!isCurrencyCode(req.userCurrency)) {
    throw new InvalidArgumentError('user_currency', `must be a three-letter ISO 4217 code, got ${JSON.stringify(req.userCurrency.slice(0, 16))}`);
  }
  const address = checkAddress(req.address);
  const email = req.email.trim();
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL_RE.test(email)) throw new InvalidArgumentError('email', 'must be an email address');
  return { userId, currency: req.userCurrency, address, email, card: checkCard(req.creditCard, now) };
}
