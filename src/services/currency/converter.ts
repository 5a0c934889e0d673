import { type Money, assertValidMoney, fromNanos, toNanos } from '../../platform/money';
import { UnsupportedCurrencyError } from './errors';
import { EUR_RATES } from './rates';
import { type Rational, divRoundHalfEven, parseDecimal } from './rational';

export interface CurrencyConverter {
  /** Supported codes in table order (upstream returns them in the JSON's key order). */
  supportedCurrencies(): string[];
  /**
   * Converts `from` into `toCode`. Result = from × rate(to) / rate(from), computed exactly on nanos and
   * rounded once to the nearest nano, ties to even. Throws UnsupportedCurrencyError naming
   * `from.currency_code` or `to_code`, InvalidMoneyError naming `from`.
   */
  convert(from: Money, toCode: string): Money;
}

/** `rates` maps code → how many units of it one base unit buys (upstream: EUR-based). */
export function createCurrencyConverter(rates: Readonly<Record<string, string>> = EUR_RATES): CurrencyConverter {
  const table = new Map<string, Rational>();
  for (const [code, text] of Object.entries(rates)) {
    const rate = parseDecimal(text);
    if (rate.num === 0n) throw new RangeError(`rate for ${code} must be positive`);
    table.set(code, rate);
  }
  const codes = Object.freeze([...table.keys()]);

  const rateOf = (code: string, field: string): Rational => {
    const rate = table.get(code);
    if (rate === undefined) throw new UnsupportedCurrencyError(field, code);
    return rate;
  };

  return {
    supportedCurrencies: () => [...codes],
    convert(from, toCode) {
      assertValidMoney(from, 'from');
      const src = rateOf(from.currencyCode, 'from.currency_code');
      const dst = rateOf(toCode, 'to_code');
      const nanos = toNanos(from, 'from');
      if (from.currencyCode === toCode) return fromNanos(toCode, nanos);
      // nanos × (dst.num/dst.den) / (src.num/src.den), one rounding at the end.
      const converted = divRoundHalfEven(nanos * dst.num * src.den, dst.den * src.num);
      return fromNanos(toCode, converted);
    },
  };
}
