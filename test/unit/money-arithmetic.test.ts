import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../src/platform/errors';
import {
  CurrencyMismatchError,
  InvalidMoneyError,
  type Money,
  assertValidMoney,
  compare,
  equals,
  formatMoney,
  fromNanos,
  isCurrencyCode,
  isNegative,
  isValidMoney,
  isZero,
  multiply,
  negate,
  sum,
  sumAll,
  toDecimalString,
  toNanos,
  zero,
} from '../../src/platform/money';

const usd = (units: bigint, nanos: number): Money => ({ currencyCode: 'USD', units, nanos });

describe('money', () => {
  describe('validation', () => {
    it('accepts the proto range and matching signs', () => {
      for (const m of [usd(0n, 0), usd(0n, 999_999_999), usd(0n, -999_999_999), usd(5n, 1), usd(-5n, -1), usd(-5n, 0)]) {
        assert.equal(isValidMoney(m), true, JSON.stringify(m, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
      }
    });

    it('rejects nanos out of range, fractional nanos, mixed signs and int64 overflow', () => {
      const bad = [usd(0n, 1_000_000_000), usd(0n, -1_000_000_000), usd(0n, 0.5), usd(1n, -1), usd(-1n, 1), usd(2n ** 63n, 0)];
      for (const m of bad) assert.equal(isValidMoney(m), false);
    });

    it('names the field in InvalidMoneyError', () => {
      assert.throws(
        () => assertValidMoney(usd(1n, -1), 'amount'),
        (e: unknown) => e instanceof InvalidMoneyError && e.field === 'amount' && e.message === 'amount: units and nanos must have the same sign',
      );
    });
  });

  describe('sum', () => {
    it('fixes upstream zero-units bug: {0,5e8}+{0,0} = {0,5e8}', () => {
      assert.deepEqual(sum(usd(0n, 500_000_000), usd(0n, 0)), usd(0n, 500_000_000));
      assert.deepEqual(sum(usd(0n, 0), usd(0n, 500_000_000)), usd(0n, 500_000_000));
    });

    it('carries and borrows across the unit boundary', () => {
      assert.deepEqual(sum(usd(8n, 990_000_000), usd(5n, 490_000_000)), usd(14n, 480_000_000));
      assert.deepEqual(sum(usd(1n, 0), usd(0n, -500_000_000)), usd(0n, 500_000_000));
      assert.deepEqual(sum(usd(0n, 500_000_000), usd(-1n, 0)), usd(0n, -500_000_000));
      assert.deepEqual(sum(usd(-1n, -600_000_000), usd(-2n, -600_000_000)), usd(-4n, -200_000_000));
    });

    it('always yields a normalised value', () => {
      const values = [usd(0n, 1), usd(0n, -1), usd(3n, 999_999_999), usd(-3n, -999_999_999), usd(0n, 0), usd(7n, 0)];
      for (const a of values) for (const b of values) assert.equal(isValidMoney(sum(a, b)), true);
    });

    it('rejects mixing currencies with a typed error', () => {
      assert.throws(
        () => sum(usd(1n, 0), { currencyCode: 'EUR', units: 1n, nanos: 0 }),
        (e: unknown) => e instanceof CurrencyMismatchError && e instanceof InvalidArgumentError && e.field === 'currency_code',
      );
    });

    it('rejects invalid operands', () => {
      assert.throws(() => sum(usd(1n, -1), usd(0n, 0)), InvalidMoneyError);
    });

    it('sumAll of nothing is zero', () => {
      assert.deepEqual(sumAll('JPY', []), zero('JPY'));
      assert.deepEqual(sumAll('USD', [usd(1n, 500_000_000), usd(2n, 600_000_000), usd(0n, 0)]), usd(4n, 100_000_000));
    });

    it('detects int64 overflow instead of wrapping', () => {
      assert.throws(() => sum(usd(2n ** 63n - 1n, 999_999_999), usd(0n, 1)), InvalidMoneyError);
    });
  });

  describe('multiply', () => {
    it('quantity 0 gives zero (upstream MultiplySlow gives m)', () => {
      assert.deepEqual(multiply(usd(19n, 990_000_000), 0), usd(0n, 0));
    });

    it('multiplies exactly', () => {
      assert.deepEqual(multiply(usd(19n, 990_000_000), 3), usd(59n, 970_000_000));
      assert.deepEqual(multiply(usd(0n, 333_333_333), 3n), usd(0n, 999_999_999));
      assert.deepEqual(multiply(usd(-1n, -500_000_000), 2), usd(-3n, 0));
    });

    it('rejects negative or fractional quantities', () => {
      const quantityError = (e: unknown) => e instanceof InvalidArgumentError && e.field === 'quantity';
      assert.throws(() => multiply(usd(1n, 0), -1), quantityError);
      assert.throws(() => multiply(usd(1n, 0), 1.5), quantityError);
      assert.throws(() => multiply(usd(1n, 0), -1n), quantityError);
    });
  });

  describe('negate / compare / predicates', () => {
    it('negates both parts', () => {
      assert.deepEqual(negate(usd(8n, 990_000_000)), usd(-8n, -990_000_000));
      assert.deepEqual(negate(usd(0n, 0)), usd(0n, 0));
    });

    it('compares by value', () => {
      assert.equal(compare(usd(1n, 0), usd(0n, 999_999_999)), 1);
      assert.equal(compare(usd(0n, -1), usd(0n, 0)), -1);
      assert.equal(compare(usd(2n, 5), usd(2n, 5)), 0);
      assert.throws(() => compare(usd(1n, 0), { currencyCode: 'EUR', units: 1n, nanos: 0 }), CurrencyMismatchError);
    });

    it('equals needs same currency and value', () => {
      assert.equal(equals(usd(1n, 0), usd(1n, 0)), true);
      assert.equal(equals(usd(1n, 0), { currencyCode: 'EUR', units: 1n, nanos: 0 }), false);
    });

    it('isZero / isNegative', () => {
      assert.equal(isZero(usd(0n, 0)), true);
      assert.equal(isZero(usd(0n, 1)), false);
      assert.equal(isNegative(usd(0n, -1)), true);
      assert.equal(isNegative(usd(0n, 0)), false);
    });
  });

  describe('nanos conversion', () => {
    it('round-trips through total nanos', () => {
      for (const m of [usd(0n, 0), usd(8n, 990_000_000), usd(-8n, -990_000_000), usd(0n, -1), usd(2n ** 62n, 123)]) {
        assert.deepEqual(fromNanos('USD', toNanos(m)), m);
      }
      assert.equal(toNanos(usd(-1n, -1)), -1_000_000_001n);
      assert.deepEqual(fromNanos('USD', -1_000_000_001n), usd(-1n, -1));
    });
  });

  describe('formatting', () => {
    it('renders decimals without floats', () => {
      assert.equal(toDecimalString(usd(8n, 990_000_000)), '8.99');
      assert.equal(toDecimalString(usd(0n, 0)), '0.00');
      assert.equal(toDecimalString(usd(7n, 952_233_525)), '7.952233525');
      assert.equal(toDecimalString(usd(0n, -50_000_000)), '-0.05');
      assert.equal(toDecimalString(usd(12n, 0), 0), '12');
      assert.equal(formatMoney(usd(8n, 990_000_000)), '8.99 USD');
    });

    it('recognises currency-code shape', () => {
      assert.equal(isCurrencyCode('USD'), true);
      assert.equal(isCurrencyCode('usd'), false);
      assert.equal(isCurrencyCode(''), false);
    });
  });
});
