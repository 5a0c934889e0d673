import type { Money } from '../../platform/money';
import { InvalidArgumentError } from '../../platform/errors';
import { ShippingUnavailableError } from './errors';
import type { ShippingFailurePolicy } from './failure-policy';
import { quoteShipping, totalQuantity } from './quote';
import type { RandomInt } from './random';
import { createTrackingId } from './tracking-id';
import type { ShippingAddress, ShippingItem } from './types';

export interface Shipper {
  getQuote(items: readonly ShippingItem[]): Money;
  /** Returns a tracking id; throws ShippingUnavailableError when the failure policy says so. */
  shipOrder(address: ShippingAddress | undefined, items: readonly ShippingItem[]): string;
}

export interface ShipperDeps {
  random: RandomInt;
  failures: ShippingFailurePolicy;
}

export function createShipper({ random, failures }: ShipperDeps): Shipper {
  return {
    getQuote: (items) => quoteShipping(items),
    shipOrder(address, items) {
      // Upstream dereferences the address unconditionally (a nil one panics); we refuse it instead.
      if (address === undefined) throw new InvalidArgumentError('address', 'is required');
      totalQuantity(items);
      if (failures.shouldFail()) throw new ShippingUnavailableError();
      return createTrackingId(address, random);
    },
  };
}
