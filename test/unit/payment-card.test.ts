import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../src/platform/errors';
import { inspectCard } from '../../src/services/payment/card-inspector';
import {
  ExpiredCreditCardError,
  InvalidCreditCardError,
  UnacceptedCreditCardError,
} from '../../src/services/payment/errors';
import { luhnValid } from '../../src/services/payment/luhn';
import type { ChargeInput, CreditCard } from '../../src/services/payment/types';
import { validateCharge } from '../../src/services/payment/validate-charge';

/** Appends the Luhn check digit. */
function withLuhn(body: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable');
}

const VISA = '4432-8015-6152-0454'; // upstream's frontend default card
const MASTERCARD = '5555 5555 5555 4444';
const card = (creditCardNumber: string, creditCardExpirationMonth = 12, creditCardExpirationYear = 2031): CreditCard => ({
  creditCardNumber, creditCardCvv: 672, creditCardExpirationMonth, creditCardExpirationYear,
});
const request = (c: CreditCard | undefined, units = 10n, nanos = 0): ChargeInput => ({
  amount: { currencyCode: 'USD', units, nanos },
  creditCard: c,
});
const NOW = new Date('2026-11-21T12:00:00Z');

describe('luhn', () => {
  it('accepts known-good numbers and rejects a changed digit', () => {
    assert.equal(luhnValid('4432801561520454'), true);
    assert.equal(luhnValid('5555555555554444'), true);
    assert.equal(luhnValid('378282246310005'), true);
    assert.equal(luhnValid('4432801561520455'), false);
  });
});

describe('card inspection (upstream verdicts)', () => {
  const cases: Array<[string, string, boolean]> = [
    [VISA, 'visa', true],
    [MASTERCARD, 'mastercard', true],
    ['378282246310005', 'amex', true],
    ['30569309025904', 'diners_club_carte_blanche', true],
    [withLuhn('369309025904'.padEnd(13, '0')), 'diners_club_international', true],
    ['3530111333300000', 'jcb', true],
    ['6011111111111117', 'discover', true],
    [withLuhn('402600000000000'), 'visa_electron', true],
    [withLuhn('501800000000000'), 'maestro', true],
    [withLuhn('508500000000000'), 'rupay', true],
    [withLuhn('222100000000000'), 'unknown', false], // Mastercard 2-series: unknown upstream
    ['4432801561520455', 'visa', false], // bad Luhn
    [withLuhn('44328015615'), 'visa', false], // Luhn-valid but 12 digits
    [withLuhn('443280156152045'.padEnd(18, '1')), 'visa', false], // 19 digits
    ['4432 8015 6152 045a', 'unknown', false],
  ];
  for (const [number, brand, valid] of cases) {
    it(`${number} → ${brand} ${valid ? 'valid' : 'invalid'}`, () => {
      const got = inspectCard(number);
      assert.equal(got.brand, brand);
      assert.equal(got.valid, valid);
    });
  }

  it('strips spaces and dashes only', () => {
    assert.equal(inspectCard('4432-8015 6152-0454').digits, '4432801561520454');
    assert.equal(inspectCard('4432.8015.6152.0454').valid, false);
  });
});

describe('validateCharge', () => {
  it('accepts VISA and MasterCard, returning brand and last 4', () => {
    assert.deepEqual(validateCharge(request(card(VISA)), NOW), {
      amount: { currencyCode: 'USD', units: 10n, nanos: 0 }, cardBrand: 'visa', cardLast4: '0454',
    });
    assert.equal(validateCharge(request(card(MASTERCARD)), NOW).cardBrand, 'mastercard');
  });

  it('bad Luhn → InvalidCreditCardError on credit_card.credit_card_number with upstream message', () => {
    assert.throws(
      () => validateCharge(request(card('4432-8015-6152-0455')), NOW),
      (e: unknown) => e instanceof InvalidCreditCardError && e.field === 'credit_card.credit_card_number' &&
        e.message === 'credit_card.credit_card_number: Credit card info is invalid',
    );
  });

  it('unaccepted brands → UnacceptedCreditCardError with upstream message', () => {
    assert.throws(
      () => validateCharge(request(card('378282246310005')), NOW),
      (e: unknown) => e instanceof UnacceptedCreditCardError &&
        e.message === 'Sorry, we cannot process amex credit cards. Only VISA or MasterCard is accepted.',
    );
    assert.throws(() => validateCharge(request(card(withLuhn('402600000000000'))), NOW), UnacceptedCreditCardError);
    assert.throws(() => validateCharge(request(card('6011111111111117')), NOW), UnacceptedCreditCardError);
  });

  it('expired → ExpiredCreditCardError with upstream message; current month accepted', () => {
    assert.throws(
      () => validateCharge(request(card(VISA, 10, 2026)), NOW),
      (e: unknown) => e instanceof ExpiredCreditCardError && e.message === 'Your credit card (ending 0454) expired on 10/2026',
    );
    assert.throws(() => validateCharge(request(card(VISA, 12, 2025)), NOW), ExpiredCreditCardError);
    assert.equal(validateCharge(request(card(VISA, 11, 2026)), NOW).cardBrand, 'visa');
    assert.equal(validateCharge(request(card(VISA, 1, 2027)), NOW).cardBrand, 'visa');
  });

  it('uses the injected clock (UTC month boundaries)', () => {
    assert.equal(validateCharge(request(card(VISA, 11, 2026)), new Date('2026-11-30T23:59:59.999Z')).cardLast4, '0454');
    assert.throws(() => validateCharge(request(card(VISA, 11, 2026)), new Date('2026-12-01T00:00:00Z')), ExpiredCreditCardError);
  });

  it('CVV is not checked (upstream)', () => {
    assert.equal(validateCharge(request({ ...card(VISA), creditCardCvv: 0 }), NOW).cardBrand, 'visa');
  });

  const invalid: Array<[string, ChargeInput, string]> = [
    ['missing amount', { creditCard: card(VISA) }, 'amount'],
    ['negative amount', request(card(VISA), -1n, 0), 'amount'],
    ['bad nanos', request(card(VISA), 1n, -5), 'amount'],
    ['bad currency', { amount: { currencyCode: 'usd', units: 1n, nanos: 0 }, creditCard: card(VISA) }, 'amount.currency_code'],
    ['missing card', request(undefined), 'credit_card'],
    ['empty number', request(card('')), 'credit_card.credit_card_number'],
    ['month 13', request(card(VISA, 13, 2030)), 'credit_card.credit_card_expiration_month'],
    ['month 0', request(card(VISA, 0, 2030)), 'credit_card.credit_card_expiration_month'],
  ];
  for (const [name, req, field] of invalid) {
    it(`${name} → InvalidArgumentError on ${field}`, () => {
      assert.throws(() => validateCharge(req, NOW), (e: unknown) => e instanceof InvalidArgumentError && e.field === field);
    });
  }

  it('zero amount is allowed', () => {
    assert.equal(validateCharge(request(card(VISA), 0n, 0), NOW).cardLast4, '0454');
  });
});
