// Normal shop traffic next to the sale: a shopper puts 1-2 of the 9 catalog items in the cart and
// checks out with upstream's PlaceOrder request (the frontend's form defaults).
import type { Histogram } from '../lib/histogram';
import { UPSTREAM_PRODUCTS } from '../../src/services/productcatalog/seed/seed-data';
import { CARD, SHIPPING_ADDRESS } from './buyer';
import { codeName, withRetries } from './grpc-outcome';
import type { ShopClients } from './shop-clients';
import type { SaleTally } from './tally';

export interface ShopperDeps {
  readonly shop: ShopClients;
  readonly tally: SaleTally;
  readonly runId: string;
  readonly placeLatencyUs: Histogram;
  readonly clientAddress: (shopperIndex: number) => Record<string, string>;
  readonly random: () => number;
}

const CURRENCIES = ['USD', 'EUR', 'JPY'];

export async function placeOrder(deps: ShopperDeps, i: number): Promise<void> {
  const { shop, tally } = deps;
  const userId = `shopper-${deps.runId}-${i}`;
  const lines = 1 + Math.floor(deps.random() * 2);
  const first = Math.floor(deps.random() * UPSTREAM_PRODUCTS.length);
  try {
    for (let k = 0; k < lines; k++) {
      const productId = UPSTREAM_PRODUCTS[(first + k) % UPSTREAM_PRODUCTS.length]!.id;
      await withRetries(() => shop.addItem({ userId, item: { productId, quantity: 1 } }), 3);
    }
  } catch (err) {
    tally.placeAnswers.add(`cart:${codeName(err)}`);
    return;
  }
  const t0 = process.hrtime.bigint();
  try {
    // No idempotency-key: checkout derives one from the cart, so a retry cannot order twice.
    const reply = await withRetries(
      () =>
        shop.placeOrder(
          { userId, userCurrency: CURRENCIES[i % CURRENCIES.length]!, address: SHIPPING_ADDRESS, email: `${userId}@example.com`, creditCard: CARD },
          { metadata: deps.clientAddress(i) },
        ),
      3,
    );
    deps.placeLatencyUs.record(Number(process.hrtime.bigint() - t0) / 1000);
    tally.placeAnswers.add('OK');
    if (reply.order?.orderId) tally.placed.push({ orderId: reply.order.orderId, userId });
  } catch (err) {
    tally.placeAnswers.add(codeName(err));
  }
}
