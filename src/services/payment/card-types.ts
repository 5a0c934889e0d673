/**
 * Card brands the upstream payment service recognises (via simple-card-validator 1.1.0), in the order it
 * tries them: the first brand whose prefix matches wins, so Visa Electron BINs are detected before the
 * generic `^4` Visa rule and end up refused like upstream. Names are upstream's, since they appear in
 * the refusal message ("Sorry, we cannot process amex credit cards…").
 */
export interface CardBrand {
  name: string;
  matches(digits: string): boolean;
  lengths: readonly number[];
}

const prefix = (re: RegExp) => (digits: string): boolean => re.test(digits);

/** 6-digit BIN ranges (inclusive) for RuPay. */
const RUPAY_BINS: ReadonlyArray<readonly [number, number]> = [
  [508500, 508999], [606985, 607984], [608001, 608500], [652150, 653149], [817200, 820199],
];

const inRanges = (ranges: ReadonlyArray<readonly [number, number]>) => (digits: string): boolean => {
  if (digits.length < 6) return false;
  const bin = Number(digits.slice(0, 6));
  return ranges.some(([lo, hi]) => lo <= bin && bin <= hi);
};

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

export const CARD_BRANDS: readonly CardBrand[] = [
  { name: 'amex', matches: prefix(/^3[47]/), lengths: [15] },
  { name: 'diners_club_carte_blanche', matches: prefix(/^30[0-5]/), lengths: [14] },
  { name: 'diners_club_international', matches: prefix(/^3(?:[689]|09)/), lengths: [14] },
  { name: 'jcb', matches: prefix(/^35(?:2[89]|[3-8]\d)/), lengths: [16] },
  { name: 'laser', matches: prefix(/^(?:6304|670[69]|6771)/), lengths: [16, 17, 18, 19] },
  { name: 'visa_electron', matches: prefix(/^(?:4026|417500|4508|4844|491[37])/), lengths: [16] },
  { name: 'visa', matches: prefix(/^4/), lengths: [16] },
  { name: 'mastercard', matches: prefix(/^5[1-5]/), lengths: [16] },
  {
    name: 'maestro',
    matches: prefix(/^(?:5018|5081|5044|5020|5038|603845|6304|6759|676[1-3]|6220|504834|504817|504645)/),
    lengths: range(12, 19),
  },
  { name: 'rupay', matches: inRanges(RUPAY_BINS), lengths: [16] },
  {
    name: 'discover',
    matches: prefix(/^(?:6011|622(?:12[6-9]|1[3-9]\d|[2-8]\d{2}|9[01]\d|92[0-5]|64[4-9])|65)/),
    lengths: [16],
  },
];

/** Brands this shop charges (upstream: "Only VISA or MasterCard is accepted."). */
export const ACCEPTED_BRANDS: ReadonlySet<string> = new Set(['visa', 'mastercard']);
