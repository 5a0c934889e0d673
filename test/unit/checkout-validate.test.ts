// PlaceOrderRequest shape checks: every bad field is INVALID_ARGUMENT naming its proto path.
import assert from 'node:assert/strict';
import type { PlaceOrderRequest } from '../../src/gen/hipstershop/demo';
import { InvalidArgumentError } from '../../src/platform/errors';
import { checkPlaceOrderRequest } from '../../src/services/checkout/validate';

const NOW = new Date('2026-11-21T10:00:00Z');

export function goodRequest(overrides: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest {
  return {
    userId: 'u-1',
    userCurrency: 'USD',
    address: { streetAddress: '1600 Amphitheatre Parkway', city: 'Mountain View', state: 'CA', country: 'United States', zipCode: 94043 },
    email: 'someone@example.com',
    creditCard: { creditCardNumber: '4432-8015-6152-0454', creditCardCvv: 672, creditCardExpirationYear: 2030, creditCardExpirationMonth: 1 },
    ...overrides,
  };
}

const address = (o: Partial<NonNullable<PlaceOrderRequest['address']>>) => ({ address: { ...goodRequest().address!, ...o } });
const card = (o: Partial<NonNullable<PlaceOrderRequest['creditCard']>>) => ({ creditCard: { ...goodRequest().creditCard!, ...o } });

describe('checkout: PlaceOrder request validation', () => {
  it('accepts upstream frontend defaults (card valid through its expiry month)', () => {
    const checked = checkPlaceOrderRequest(goodRequest(), NOW);
    assert.equal(checked.userId, 'u-1');
    assert.equal(checked.currency, 'USD');
    checkPlaceOrderRequest(goodRequest(card({ creditCardExpirationYear: 2026, creditCardExpirationMonth: 11 })), NOW);
    checkPlaceOrderRequest(goodRequest(address({ state: '' })), NOW);
  });

  const cases: Array<[string, Partial<PlaceOrderRequest>, string]> = [
    ['empty user_id', { userId: '' }, 'user_id'],
    ['user_id with a space', { userId: 'a b' }, 'user_id'],
    ['65-character user_id', { userId: 'u'.repeat(65) }, 'user_id'],
    ['lower-case currency', { userCurrency: 'usd' }, 'user_currency'],
    ['empty currency', { userCurrency: '' }, 'user_currency'],
    ['no address', { address: undefined }, 'address'],
    ['empty street', address({ streetAddress: '  ' }), 'address.street_address'],
    ['long street', address({ streetAddress: 'x'.repeat(513) }), 'address.street_address'],
    ['empty city', address({ city: '' }), 'address.city'],
    ['empty country', address({ country: '' }), 'address.country'],
    ['zip 0', address({ zipCode: 0 }), 'address.zip_code'],
    ['negative zip', address({ zipCode: -5 }), 'address.zip_code'],
    ['no email', { email: '' }, 'email'],
    ['email without domain dot', { email: 'someone@example' }, 'email'],
    ['no card', { creditCard: undefined }, 'credit_card'],
    ['card number letters', card({ creditCardNumber: '4432-abcd-6152-0454' }), 'credit_card.credit_card_number'],
    ['card number bad Luhn', card({ creditCardNumber: '4432801561520455' }), 'credit_card.credit_card_number'],
    ['card number too short', card({ creditCardNumber: '42424242' }), 'credit_card.credit_card_number'],
    ['month 13', card({ creditCardExpirationMonth: 13 }), 'credit_card.credit_card_expiration_month'],
    ['month 0', card({ creditCardExpirationMonth: 0 }), 'credit_card.credit_card_expiration_month'],
    ['two-digit year', card({ creditCardExpirationYear: 30 }), 'credit_card.credit_card_expiration_year'],
    ['expired last month', card({ creditCardExpirationYear: 2026, creditCardExpirationMonth: 10 }), 'credit_card.credit_card_expiration_year'],
    ['negative cvv', card({ creditCardCvv: -1 }), 'credit_card.credit_card_cvv'],
  ];
  for (const [name, overrides, field] of cases) {
    it(`${name} → INVALID_ARGUMENT on ${field}`, () => {
      assert.throws(
        () => checkPlaceOrderRequest(goodRequest(overrides), NOW),
        (err: unknown) => err instanceof InvalidArgumentError && err.field === field && err.message.startsWith(`${field}: `),
      );
    });
  }
});
