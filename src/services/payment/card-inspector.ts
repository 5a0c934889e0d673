import { CARD_BRANDS } from './card-types';
import { luhnValid } from './luhn';

export interface CardInspection {
  /** Digits only (spaces and dashes removed). */
  digits: string;
  /** Upstream brand name, or `unknown`. */
  brand: string;
  /** Known brand, right length for it, and Luhn-valid. */
  valid: boolean;
}

/** Same verdicts as upstream's validator: strip spaces/dashes, detect brand by prefix, then length + Luhn. */
export function inspectCard(number: string): CardInspection {
  const digits = number.replace(/[ -]/g, '');
  if (!/^\d+$/.test(digits)) return { digits, brand: 'unknown', valid: false };
  const brand = CARD_BRANDS.find((b) => b.matches(digits));
  if (brand === undefined) return { digits, brand: 'unknown', valid: false };
  return { digits, brand: brand.name, valid: brand.lengths.includes(digits.length) && luhnValid(digits) };
}
