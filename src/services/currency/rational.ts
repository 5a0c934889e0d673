/** A positive-denominator fraction of bigints; enough exact arithmetic for rate conversion. */
export interface Rational {
  num: bigint;
  den: bigint;
}

/** Parses a plain decimal such as "1.1305" or "126.40" exactly (no exponent, no sign). */
export function parseDecimal(text: string): Rational {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (match === null) throw new RangeError(`not a plain decimal: ${JSON.stringify(text)}`);
  const frac = match[2] ?? '';
  return { num: BigInt(match[1] + frac), den: 10n ** BigInt(frac.length) };
}

/**
 * num/den rounded to the nearest integer, ties to even (banker's rounding), symmetric around zero,
 * so repeated conversions carry no systematic bias in either direction.
 */
export function divRoundHalfEven(num: bigint, den: bigint): bigint {
  if (den === 0n) throw new RangeError('division by zero');
  if (den < 0n) return divRoundHalfEven(-num, -den);
  const negative = num < 0n;
  const abs = negative ? -num : num;
  let q = abs / den;
  const twiceRem = (abs % den) * 2n;
  if (twiceRem > den || (twiceRem === den && q % 2n === 1n)) q += 1n;
  return negative ? -q : q;
}
