import assert from 'node:assert/strict';
import { InvalidMoneyError, type Money, isValidMoney } from '../../src/platform/money';
import { createCurrencyConverter } from '../../src/services/currency/converter';
import { UnsupportedCurrencyError } from '../../src/services/currency/errors';
import { EUR_RATES } from '../../src/services/currency/rates';
import { divRoundHalfEven, parseDecimal } from '../../src/services/currency/rational';

const m = (currencyCode: string, units: bigint, nanos: number): Money => ({ currencyCode, units, nanos });

describe('currency converter', () => {
  const converter = createCurrencyConverter();

  it('lists the 33 upstream codes in upstream order', () => {
    const codes = converter.supportedCurrencies();
    assert.equal(codes.length, 33);
    assert.deepEqual(codes.slice(0, 3), ['EUR', 'USD', 'JPY']);
    assert.equal(codes.at(-1), 'ZAR');
    for (const c of ['USD', 'EUR', 'CAD', 'JPY', 'GBP', 'TRY']) assert.ok(codes.includes(c), c);
  });

  it('hands out a copy of the code list', () => {
    converter.supportedCurrencies().pop();
    assert.equal(converter.supportedCurrencies().length, 33);
  });

  it('8.99 USD → EUR = 7.952233525 (same as upstream)', () => {
    assert.deepEqual(converter.convert(m('USD', 8n, 990_000_000), 'EUR'), m('EUR', 7n, 952_233_525));
  });

  it('19.99 USD → JPY = 2235.060592658 (upstream 2235.060592707: it rounds in EUR first, then floors)', () => {
    assert.deepEqual(converter.convert(m('USD', 19n, 990_000_000), 'JPY'), m('JPY', 2235n, 60_592_658));
  });

  it('EUR → X is exactly the rate', () => {
    assert.deepEqual(converter.convert(m('EUR', 1n, 0), 'USD'), m('USD', 1n, 130_500_000));
    assert.deepEqual(converter.convert(m('EUR', 2n, 0), 'IDR'), m('IDR', 31998n, 800_000_000));
  });

  it('same currency is the identity', () => {
    assert.deepEqual(converter.convert(m('GBP', 3n, 1), 'GBP'), m('GBP', 3n, 1));
  });

  it('zero stays zero', () => {
    assert.deepEqual(converter.convert(m('USD', 0n, 0), 'JPY'), m('JPY', 0n, 0));
  });

  it('negative amounts round symmetrically', () => {
    const pos = converter.convert(m('USD', 19n, 990_000_000), 'JPY');
    const neg = converter.convert(m('USD', -19n, -990_000_000), 'JPY');
    assert.equal(neg.units, -pos.units);
    assert.equal(neg.nanos, -pos.nanos);
  });

  it('every pair yields valid Money in the target currency', () => {
    const codes = converter.supportedCurrencies();
    for (const a of codes) {
      for (const b of codes) {
        const out = converter.convert(m(a, 123n, 456_789_012), b);
        assert.equal(out.currencyCode, b);
        assert.ok(isValidMoney(out), `${a}->${b}`);
      }
    }
  });

  it('unknown target code → UnsupportedCurrencyError naming to_code (not a silent zero)', () => {
    assert.throws(
      () => converter.convert(m('USD', 1n, 0), 'XXX'),
      (e: unknown) => e instanceof UnsupportedCurrencyError && e.field === 'to_code' && e.code === 'XXX',
    );
    assert.throws(() => converter.convert(m('USD', 1n, 0), ''), UnsupportedCurrencyError);
    assert.throws(() => converter.convert(m('USD', 1n, 0), 'usd'), UnsupportedCurrencyError);
  });

  it('unknown source code → UnsupportedCurrencyError naming from.currency_code', () => {
    assert.throws(
      () => converter.convert(m('XXX', 1n, 0), 'USD'),
      (e: unknown) => e instanceof UnsupportedCurrencyError && e.field === 'from.currency_code',
    );
  });

  it('invalid Money → InvalidMoneyError naming from', () => {
    assert.throws(
      () => converter.convert(m('USD', 1n, -5), 'EUR'),
      (e: unknown) => e instanceof InvalidMoneyError && e.field === 'from',
    );
  });

  it('table is frozen', () => {
    assert.equal(Object.isFrozen(EUR_RATES), true);
  });

  it('accepts a custom table and refuses a zero rate', () => {
    const c = createCurrencyConverter({ AAA: '1', BBB: '3' });
    assert.deepEqual(c.convert(m('AAA', 1n, 0), 'BBB'), m('BBB', 3n, 0));
    assert.deepEqual(c.convert(m('BBB', 1n, 0), 'AAA'), m('AAA', 0n, 333_333_333));
    assert.throws(() => createCurrencyConverter({ AAA: '0.0' }), RangeError);
  });
});

describe('rational helpers', () => {
  it('parses plain decimals exactly', () => {
    assert.deepEqual(parseDecimal('1.1305'), { num: 11305n, den: 10000n });
    assert.deepEqual(parseDecimal('126.40'), { num: 12640n, den: 100n });
    assert.deepEqual(parseDecimal('7'), { num: 7n, den: 1n });
    for (const bad of ['', '1e3', '-1', '1.', '.5', 'abc']) assert.throws(() => parseDecimal(bad), RangeError, bad);
  });

  it('rounds half to even, symmetric around zero', () => {
    const cases: Array<[bigint, bigint, bigint]> = [
      [5n, 2n, 2n], [7n, 2n, 4n], [1n, 3n, 0n], [2n, 3n, 1n], [-5n, 2n, -2n], [-7n, 2n, -4n], [-2n, 3n, -1n],
      [5n, -2n, -2n], [0n, 5n, 0n], [10n, 5n, 2n],
    ];
    for (const [n, d, want] of cases) assert.equal(divRoundHalfEven(n, d), want, `${n}/${d}`);
    assert.throws(() => divRoundHalfEven(1n, 0n), RangeError);
  });
});
