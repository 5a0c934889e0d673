import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../src/platform/errors';
import { ShippingUnavailableError } from '../../src/services/shipping/errors';
import { createFailurePolicy } from '../../src/services/shipping/failure-policy';
import { FLAT_RATE_USD, quoteShipping } from '../../src/services/shipping/quote';
import { type RandomInt, cryptoRandomInt } from '../../src/services/shipping/random';
import { createShipper } from '../../src/services/shipping/shipper';
import { createTrackingId } from '../../src/services/shipping/tracking-id';
import type { ShippingAddress } from '../../src/services/shipping/types';

const address = (streetAddress: string, city: string, state: string): ShippingAddress => ({
  streetAddress, city, state, country: 'United Kingdom', zipCode: 0,
});

/** Plays back the given draws in order (each must be < the bound asked for). */
const scripted = (draws: number[]): RandomInt => {
  let i = 0;
  return (max) => {
    const v = draws[i++ % draws.length];
    assert.ok(v < max, `draw ${v} not below ${max}`);
    return v;
  };
};

describe('shipping quote', () => {
  it('0 items → $0.00', () => {
    assert.deepEqual(quoteShipping([]), { currencyCode: 'USD', units: 0n, nanos: 0 });
    assert.deepEqual(quoteShipping([{ productId: 'A', quantity: 0 }]), { currencyCode: 'USD', units: 0n, nanos: 0 });
  });

  it('any items → flat $8.99 = {USD, 8, 990000000}', () => {
    assert.deepEqual(quoteShipping([{ productId: 'A', quantity: 1 }]), { currencyCode: 'USD', units: 8n, nanos: 990_000_000 });
    assert.deepEqual(quoteShipping([{ productId: 'A', quantity: 1 }, { productId: 'B', quantity: 3 }]), { ...FLAT_RATE_USD });
  });

  it('returns a fresh object (the constant cannot be mutated through a reply)', () => {
    const q = quoteShipping([{ productId: 'A', quantity: 2 }]);
    q.units = 99n;
    assert.equal(FLAT_RATE_USD.units, 8n);
  });

  it('refuses negative or fractional quantities naming the item', () => {
    assert.throws(
      () => quoteShipping([{ productId: 'A', quantity: 1 }, { productId: 'B', quantity: -2 }]),
      (e: unknown) => e instanceof InvalidArgumentError && e.field === 'items[1].quantity',
    );
    assert.throws(() => quoteShipping([{ productId: 'A', quantity: 0.5 }]), InvalidArgumentError);
  });
});

describe('tracking id', () => {
  it('matches upstream format; length 18 for "Muffin Man, London, "', () => {
    const id = createTrackingId(address('Muffin Man', 'London', ''), scripted([16, 10, 4, 1, 7, 3, 8, 9, 5, 1, 7, 2]));
    assert.equal(id, 'QK-20417-103895172');
    assert.equal(id.length, 18);
  });

  it('uses the random source for letters A–Y and digits 0–9', () => {
    const asked: number[] = [];
    const id = createTrackingId(address('1600 Amphitheatre Parkway', 'Mountain View', 'CA'), (max) => {
      asked.push(max);
      return max - 1;
    });
    assert.deepEqual(asked, [25, 25, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10]);
    // salt = "1600 Amphitheatre Parkway, Mountain View, CA" = 44 bytes
    assert.equal(id, 'YY-44999-229999999');
  });

  it('always matches the pattern with real randomness, never Z', () => {
    const addr = address('Muffin Man', 'London', '');
    for (let i = 0; i < 500; i++) assert.match(createTrackingId(addr, cryptoRandomInt), /^[A-Y]{2}-20\d{3}-10\d{7}$/);
  });

  it('measures the salt in UTF-8 bytes like Go len()', () => {
    const id = createTrackingId(address('Straße', 'Köln', ''), () => 0);
    // "Straße, Köln, " = 16 bytes (ß and ö are two bytes each)
    assert.equal(id, 'AA-16000-80000000');
  });
});

describe('shipper', () => {
  const items = [{ productId: 'OLJCESPC7Z', quantity: 2 }];

  it('ships and returns a tracking id', () => {
    const shipper = createShipper({ random: () => 0, failures: createFailurePolicy(0, () => 0) });
    assert.equal(shipper.shipOrder(address('Muffin Man', 'London', ''), items), 'AA-20000-100000000');
    assert.deepEqual(shipper.getQuote(items), { ...FLAT_RATE_USD });
  });

  it('requires an address', () => {
    const shipper = createShipper({ random: () => 0, failures: createFailurePolicy(0, () => 0) });
    assert.throws(() => shipper.shipOrder(undefined, items), (e: unknown) => e instanceof InvalidArgumentError && e.field === 'address');
  });

  it('fails with ShippingUnavailableError when the policy says so, and recovers when toggled off', () => {
    const failures = createFailurePolicy(1, cryptoRandomInt);
    const shipper = createShipper({ random: () => 0, failures });
    assert.throws(() => shipper.shipOrder(address('a', 'b', 'c'), items), ShippingUnavailableError);
    failures.setRate(0);
    assert.match(shipper.shipOrder(address('a', 'b', 'c'), items), /^AA-/);
  });
});

describe('failure policy', () => {
  it('rate 0 never fails, rate 1 always fails', () => {
    const never = createFailurePolicy(0, () => 0);
    const always = createFailurePolicy(1, () => 999_999);
    for (let i = 0; i < 100; i++) {
      assert.equal(never.shouldFail(), false);
      assert.equal(always.shouldFail(), true);
    }
  });

  it('fractional rate compares the draw against the rate', () => {
    const p = createFailurePolicy(0.25, scripted([0, 249_999, 250_000, 999_999]));
    assert.deepEqual([p.shouldFail(), p.shouldFail(), p.shouldFail(), p.shouldFail()], [true, true, false, false]);
  });

  it('rejects rates outside [0, 1]', () => {
    assert.throws(() => createFailurePolicy(1.5, () => 0), RangeError);
    assert.throws(() => createFailurePolicy(Number.NaN, () => 0), RangeError);
    const p = createFailurePolicy(0, () => 0);
    assert.throws(() => p.setRate(-0.1), RangeError);
    assert.equal(p.rate(), 0);
  });
});
