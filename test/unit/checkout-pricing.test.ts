// Order pricing with fake ports: upstream step order and exact totals (no float, no quantity-0 quirk,
// no zero-units Sum bug), conversions skipped when the currency already matches.
import assert from 'node:assert/strict';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import type { Address, CartItem, Money, Product } from '../../src/gen/hipstershop/demo';
import { FailedPreconditionError, InternalError } from '../../src/platform/errors';
import { cartFingerprintText, cartLines, EmptyCartError, MAX_LINE_QUANTITY } from '../../src/services/checkout/cart-lines';
import { priceOrder, type PricingPorts } from '../../src/services/checkout/pricing';

const ADDRESS: Address = { streetAddress: '1 Main St', city: 'Springfield', state: '', country: 'US', zipCode: 12345 };
const usd = (units: bigint, nanos: number): Money => ({ currencyCode: 'USD', units, nanos });

function ports(prices: Record<string, Money>, rate?: { code: string; times: bigint }): PricingPorts & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async getProduct(id) {
      calls.push(`GetProduct ${id}`);
      const price = prices[id];
      if (!price) throw Object.assign(new Error('not found'), { code: status.NOT_FOUND, details: 'no product', metadata: new Metadata() }) as ServiceError;
      return { id, name: id, description: '', picture: '', priceUsd: price, categories: [] } satisfies Product;
    },
    async convert(from, toCode) {
      calls.push(`Convert ${from.currencyCode}->${toCode}`);
      if (!rate) throw new Error('unexpected conversion');
      const nanos = (from.units * 1_000_000_000n + BigInt(from.nanos)) * rate.times;
      // answers in rate.code, whatever was asked (a broken converter when they differ)
      return { currencyCode: rate.code, units: nanos / 1_000_000_000n, nanos: Number(nanos % 1_000_000_000n) };
    },
    async getQuote(_address, items: readonly CartItem[]) {
      calls.push(`GetQuote ${items.length}`);
      return usd(8n, 990_000_000);
    },
  };
}

describe('checkout: pricing', () => {
  it('total = shipping + Σ unit × quantity, exact; OrderItem.cost is the unit price', async () => {
    const p = ports({ A: usd(19n, 990_000_000), B: usd(0n, 500_000_000) });
    const priced = await priceOrder(p, [{ productId: 'A', quantity: 3 }, { productId: 'B', quantity: 1 }], 'USD', ADDRESS);
    assert.deepEqual(priced.items.map(i => i.cost), [usd(19n, 990_000_000), usd(0n, 500_000_000)]);
    assert.deepEqual(priced.shippingCost, usd(8n, 990_000_000));
    // 3 × 19.99 + 0.50 + 8.99 = 69.46 (upstream's Sum would mishandle the 0-unit 0.50 line)
    assert.deepEqual(priced.total, usd(69n, 460_000_000));
    assert.deepEqual(p.calls.filter(c => c.startsWith('Convert')), [], 'USD → USD needs no conversion');
  });

  it('converts each unit price and the shipping quote into the buyer currency', async () => {
    const p = ports({ A: usd(1n, 100_000_000) }, { code: 'XTS', times: 2n });
    const priced = await priceOrder(p, [{ productId: 'A', quantity: 2 }], 'XTS', ADDRESS);
    assert.deepEqual(priced.items[0]?.cost, { currencyCode: 'XTS', units: 2n, nanos: 200_000_000 });
    assert.deepEqual(priced.shippingCost, { currencyCode: 'XTS', units: 17n, nanos: 980_000_000 });
    assert.deepEqual(priced.total, { currencyCode: 'XTS', units: 22n, nanos: 380_000_000 });
    assert.deepEqual(p.calls, ['GetProduct A', 'Convert USD->XTS', 'GetQuote 1', 'Convert USD->XTS']);
  });

  it('a product gone from the catalog is FAILED_PRECONDITION naming it', async () => {
    await assert.rejects(priceOrder(ports({}), [{ productId: 'GONE', quantity: 1 }], 'USD', ADDRESS),
      (err: unknown) => err instanceof FailedPreconditionError && /GONE/.test(err.message));
  });

  it('a converter answering in the wrong currency is an internal error, never a wrong charge', async () => {
    const p = ports({ A: usd(1n, 0) }, { code: 'EUR', times: 1n });
    await assert.rejects(priceOrder(p, [{ productId: 'A', quantity: 1 }], 'JPY', ADDRESS), InternalError);
  });
});

describe('checkout: cart lines', () => {
  it('merges repeated products, drops quantity ≤ 0 lines (upstream would charge them as 1)', () => {
    assert.deepEqual(cartLines([{ productId: 'A', quantity: 1 }, { productId: 'B', quantity: 0 }, { productId: 'A', quantity: 2 }, { productId: 'C', quantity: -1 }]),
      [{ productId: 'A', quantity: 3 }]);
  });

  it('nothing left to buy → FAILED_PRECONDITION "cart is empty"', () => {
    assert.throws(() => cartLines([]), EmptyCartError);
    assert.throws(() => cartLines([{ productId: 'A', quantity: 0 }]), (e: unknown) => e instanceof EmptyCartError && e.message === 'cart is empty');
  });

  it('more than Reserve accepts → FAILED_PRECONDITION saying why', () => {
    assert.throws(() => cartLines([{ productId: 'A', quantity: MAX_LINE_QUANTITY + 1 }]), /quantity 1001/);
    assert.throws(() => cartLines(Array.from({ length: 51 }, (_, i) => ({ productId: `P${i}`, quantity: 1 }))), /at most 50/);
  });

  it('cart fingerprint ignores line order', () => {
    const a = [{ productId: 'A', quantity: 1 }, { productId: 'B', quantity: 2 }];
    assert.equal(cartFingerprintText(a), cartFingerprintText([...a].reverse()));
    assert.notEqual(cartFingerprintText(a), cartFingerprintText([{ productId: 'A', quantity: 2 }, { productId: 'B', quantity: 2 }]));
  });
});
