/**
 * Exact arithmetic on hipstershop `Money` ({currency_code, units int64, nanos int32}).
 *
 * Every operation goes through one signed bigint of nanos (1 unit = 1e9 nanos), so there is no
 * carry/borrow logic to get wrong (upstream's Go `Sum` mishandles a zero `units`, and its
 * `MultiplySlow` charges quantity 0 as 1). No floats anywhere.
 */
import { InvalidArgumentError } from './errors';

export interface Money {
  currencyCode: string;
  units: bigint;
  nanos: number;
}

export const NANOS_PER_UNIT = 1_000_000_000n;
const MAX_NANOS = 999_999_999;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A Money value that breaks the proto contract (nanos range, sign rule, int64 units) → INVALID_ARGUMENT. */
export class InvalidMoneyError extends InvalidArgumentError {
  constructor(
    /** Request field the value came from, e.g. `amount` or `from`. */
    field: string,
    readonly reason: string,
  ) {
    super(field, reason);
  }
}

/** Two amounts in different currencies were combined → INVALID_ARGUMENT on `currency_code`. */
export class CurrencyMismatchError extends InvalidArgumentError {
  constructor(
    readonly left: string,
    readonly right: string,
  ) {
    super('currency_code', `currency mismatch: ${JSON.stringify(left)} vs ${JSON.stringify(right)}`);
  }
}

/** Why `m` is not a valid Money, or undefined when it is. */
export function moneyProblem(m: Money): string | undefined {
  if (typeof m.units !== 'bigint') return 'units must be an integer';
  if (!Number.isInteger(m.nanos)) return 'nanos must be an integer';
  if (m.nanos < -MAX_NANOS || m.nanos > MAX_NANOS) return 'nanos must be within ±999999999';
  if (m.units < INT64_MIN || m.units > INT64_MAX) return 'units out of int64 range';
  if ((m.units > 0n && m.nanos < 0) || (m.units < 0n && m.nanos > 0)) {
    return 'units and nanos must have the same sign';
  }
  return undefined;
}

export function isValidMoney(m: Money): boolean {
  return moneyProblem(m) === undefined;
}

/** Throws InvalidMoneyError naming `field` unless `m` is valid. */
export function assertValidMoney(m: Money, field: string): void {
  const problem = moneyProblem(m);
  if (problem !== undefined) throw new InvalidMoneyError(field, problem);
}

export function zero(currencyCode: string): Money {
  return { currencyCode, units: 0n, nanos: 0 };
}

/** The amount as one signed count of nanos. */
export function toNanos(m: Money, field = 'money'): bigint {
  assertValidMoney(m, field);
  return m.units * NANOS_PER_UNIT + BigInt(m.nanos);
}

/** Normalised Money from a count of nanos; bigint division truncates, so units and nanos share a sign. */
export function fromNanos(currencyCode: string, total: bigint): Money {
  const units = total / NANOS_PER_UNIT;
  if (units < INT64_MIN || units > INT64_MAX) {
    throw new InvalidMoneyError('result', 'units out of int64 range');
  }
  return { currencyCode, units, nanos: Number(total % NANOS_PER_UNIT) };
}

function sameCurrency(a: Money, b: Money): string {
  if (a.currencyCode !== b.currencyCode) throw new CurrencyMismatchError(a.currencyCode, b.currencyCode);
  return a.currencyCode;
}

export function sum(a: Money, b: Money): Money {
  const code = sameCurrency(a, b);
  return fromNanos(code, toNanos(a, 'left') + toNanos(b, 'right'));
}

/** Sum of `items` in `currencyCode` (zero when empty). */
export function sumAll(currencyCode: string, items: readonly Money[]): Money {
  return items.reduce((acc, m) => sum(acc, m), zero(currencyCode));
}

/** `m × quantity` for a non-negative integer quantity; quantity 0 gives zero. */
export function multiply(m: Money, quantity: number | bigint): Money {
  const q = typeof quantity === 'bigint' ? quantity : toQuantity(quantity);
  if (q < 0n) throw badQuantity(quantity);
  return fromNanos(m.currencyCode, toNanos(m) * q);
}

function toQuantity(n: number): bigint {
  if (!Number.isSafeInteger(n)) throw badQuantity(n);
  return BigInt(n);
}

const badQuantity = (q: number | bigint): InvalidArgumentError =>
  new InvalidArgumentError('quantity', `must be a non-negative integer, got ${q}`);

export function negate(m: Money): Money {
  return fromNanos(m.currencyCode, -toNanos(m));
}

/** -1, 0 or 1; throws CurrencyMismatchError across currencies. */
export function compare(a: Money, b: Money): -1 | 0 | 1 {
  sameCurrency(a, b);
  const d = toNanos(a, 'left') - toNanos(b, 'right');
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

export function equals(a: Money, b: Money): boolean {
  return a.currencyCode === b.currencyCode && toNanos(a) === toNanos(b);
}

export function isZero(m: Money): boolean {
  return toNanos(m) === 0n;
}

export function isNegative(m: Money): boolean {
  return toNanos(m) < 0n;
}

/** ISO-4217-shaped code (three upper-case letters); says nothing about whether we support it. */
export function isCurrencyCode(code: string): boolean {
  return /^[A-Z]{3}$/.test(code);
}

/**
 * Decimal text with at least `minFractionDigits` digits and trailing zeros trimmed beyond that,
 * e.g. `{USD, 8, 990000000}` → `"8.99"`, `{EUR, 7, 952233525}` → `"7.952233525"`.
 */
export function toDecimalString(m: Money, minFractionDigits = 2): string {
  const total = toNanos(m);
  const abs = total < 0n ? -total : total;
  const whole = (abs / NANOS_PER_UNIT).toString();
  let frac = (abs % NANOS_PER_UNIT).toString().padStart(9, '0');
  while (frac.length > minFractionDigits && frac.endsWith('0')) frac = frac.slice(0, -1);
  return `${total < 0n ? '-' : ''}${whole}${frac.length > 0 ? `.${frac}` : ''}`;
}

/** Human form for receipts and logs: `"8.99 USD"`. */
export function formatMoney(m: Money): string {
  return `${toDecimalString(m)} ${m.currencyCode}`;
}
