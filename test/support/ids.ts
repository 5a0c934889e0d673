// Unique names so concurrent tests (and reruns) never share keys, databases, topics or groups.
import { randomBytes } from 'node:crypto';

/** e.g. uniqueId('order') → "order-lz3k9a-5f2c1e"; letters, digits and dashes only. */
export function uniqueId(prefix = 't'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** A Redis key prefix ending in ':' (e.g. "test:order-lz3k9a-5f2c1e:"). */
export function uniquePrefix(name = 't'): string {
  return `test:${uniqueId(name)}:`;
}

/** A MySQL identifier-safe name, e.g. "shop_test_lz3k9a_5f2c1e". */
export function uniqueDbName(prefix = 'shop_test'): string {
  return uniqueId(prefix).replace(/-/g, '_');
}
