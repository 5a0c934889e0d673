// Hostile and boundary scalar values. Strings mix the plausible (real ids, currency codes) with the
// hostile (empty, huge, NUL, lone surrogates, RTL overrides, injection-looking text) so random messages
// reach both validation and the code behind it.
import type { Rng } from './prng';

/** Real identifiers of the seeded world, so some random requests get past validation. */
export const PLAUSIBLE_STRINGS: readonly string[] = [
  'OLJCESPC7Z', '66VCHSJNUP', '1YMWWN1N4O', 'L9ECAV7KIM', '2ZYFJ3GM2N', '0PUK6V6EV0', 'LS4PSXUNUM', '9SIQT8TOJO', '6E92ZMYYFZ',
  'FLASH-SUNGLASSES-001', 'FLASH-WATCH-001',
  'USD', 'EUR', 'JPY', 'GBP', 'CAD', 'XXX',
  'fuzz-user-1', 'fuzz-user-2', 'someone@example.com', '4432-8015-6152-0454', '4111111111111111',
  'Mountain View', 'CA', 'United States', '1600 Amphitheatre Parkway',
];

const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\0',
  'a\0b',
  '\uD800', // lone high surrogate
  '\uDC00x', // lone low surrogate
  '\u202Egnp.exe', // RTL override
  '\u200F\u05D0\u05D1\u05D2', // RTL mark + Hebrew
  '😀'.repeat(5),
  'é'.normalize('NFD'),
  '\r\n\t',
  "' OR 1=1 --",
  '"; DROP TABLE orders; --',
  '%s%n%x',
  '../../../../etc/passwd',
  '{inv:0}',
  '*',
  '-1',
  '9'.repeat(40),
  '<script>alert(1)</script>',
  'Bearer x',
  '\uFEFF',
  '\u0000'.repeat(64),
];

export function randomString(rng: Rng): string {
  const r = rng.next();
  if (r < 0.3) return rng.pick(PLAUSIBLE_STRINGS);
  if (r < 0.6) return rng.pick(HOSTILE_STRINGS);
  if (r < 0.7) return 'x'.repeat(rng.pick([64, 65, 255, 256, 1024, 4096, 65_536]));
  if (r < 0.75) return rng.pick(PLAUSIBLE_STRINGS) + rng.pick(HOSTILE_STRINGS);
  // random code points, including astral, control and surrogate halves
  const n = rng.int(1, 40);
  let s = '';
  for (let i = 0; i < n; i++) {
    const kind = rng.int(0, 3);
    const cp = kind === 0 ? rng.int(0, 0x7f) : kind === 1 ? rng.int(0x80, 0xffff) : kind === 2 ? rng.int(0x10000, 0x10ffff) : rng.int(0xd800, 0xdfff);
    s += cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
  }
  return s;
}

const INT32_BOUNDS = [0, 1, -1, 2, 10, 99, 100, 1_000_000, 2_147_483_647, -2_147_483_648, 999_999_999, -999_999_999, 1_000_000_000];
const UINT32_BOUNDS = [0, 1, 2, 100, 4_294_967_295, 2_147_483_648];
const INT64_BOUNDS = [0n, 1n, -1n, 10n, 9_223_372_036_854_775_807n, -9_223_372_036_854_775_808n, 2n ** 53n, -(2n ** 53n), 1_000_000_000n, 1_700_000_000n];
const UINT64_BOUNDS = [0n, 1n, 18_446_744_073_709_551_615n, 2n ** 63n, 2n ** 53n + 1n];

export function randomInt32(rng: Rng, unsigned: boolean): number {
  if (rng.chance(0.6)) return rng.pick(unsigned ? UINT32_BOUNDS : INT32_BOUNDS);
  return unsigned ? rng.int(0, 4_294_967_295) : rng.int(-2_147_483_648, 2_147_483_647);
}

/** As a decimal string: protobufjs encodes 64-bit values from strings without precision loss. */
export function randomInt64(rng: Rng, unsigned: boolean): string {
  if (rng.chance(0.6)) return rng.pick(unsigned ? UINT64_BOUNDS : INT64_BOUNDS).toString();
  const v = BigInt(rng.int(0, 2 ** 31)) * BigInt(rng.int(0, 2 ** 31)) * (unsigned || rng.chance(0.5) ? 1n : -1n);
  return v.toString();
}

export function randomDouble(rng: Rng): number {
  return rng.pick([0, -0, 1.5, -1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MAX_VALUE, Number.MIN_VALUE, 1e308, rng.next() * 1e6]);
}
