import type { RandomInt } from './random';
import type { ShippingAddress } from './types';

/**
 * Upstream's tracking id format: `LL-<len><3 digits>-<len/2><7 digits>`, letters A–Y (upstream draws
 * 65 + rand(25), so never Z), where len is the UTF-8 byte length (Go's len) of "street, city, state".
 * Example for "Muffin Man, London, " (20 bytes): `QK-20417-103895172` (18 characters).
 */
export function createTrackingId(address: ShippingAddress, random: RandomInt): string {
  const salt = `${address.streetAddress}, ${address.city}, ${address.state}`;
  const len = Buffer.byteLength(salt, 'utf8');
  const letter = (): string => String.fromCharCode(65 + random(25));
  const digits = (n: number): string => Array.from({ length: n }, () => String(random(10))).join('');
  return `${letter()}${letter()}-${len}${digits(3)}-${Math.floor(len / 2)}${digits(7)}`;
}
