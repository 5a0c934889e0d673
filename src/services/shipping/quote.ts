import type { Money } from '../../platform/money';
import { InvalidArgumentError } from '../../platform/errors';
import type { ShippingItem } from './types';

/** Upstream's flat rate: $8.99 whenever anything ships (address ignored). */
export const FLAT_RATE_USD: Readonly<Money> = Object.freeze({ currencyCode: 'USD', units: 8n, nanos: 990_000_000 });

/** Quote in USD: 0 items → $0.00, otherwise the flat rate. */
export function quoteShipping(items: readonly ShippingItem[]): Money {
  return totalQuantity(items) === 0 ? { currencyCode: 'USD', units: 0n, nanos: 0 } : { ...FLAT_RATE_USD };
}

/** Sum of quantities; a negative or fractional quantity is a caller bug, not something to ship. */
export function totalQuantity(items: readonly ShippingItem[]): number {
  let count = 0;
  items.forEach((item, i) => {
    if (!Number.isInteger(item.quantity) || item.quantity < 0) {
      throw new InvalidArgumentError(`items[${i}].quantity`, 'must be a non-negative integer');
    }
    count += item.quantity;
  });
  return count;
}
