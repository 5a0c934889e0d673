// Prices an order the upstream way — per line GetProduct then Convert (unit price in the buyer's
// currency), then GetQuote and Convert of the shipping cost — but with exact arithmetic: total =
// shipping + Σ unit × quantity on one bigint of nanos (platform/money.ts), no float, no quantity-0 quirk.
import { status } from '@grpc/grpc-js';
import type { Address, CartItem, Money, OrderItem, Product } from '../../gen/hipstershop/demo';
import { FailedPreconditionError, InternalError } from '../../platform/errors';
import { isServiceError } from '../../platform/grpc-status';
import { moneyProblem, multiply, sumAll } from '../../platform/money';

export interface PricingPorts {
  getProduct(id: string): Promise<Product>;
  convert(from: Money, toCode: string): Promise<Money>;
  getQuote(address: Address, items: readonly CartItem[]): Promise<Money | undefined>;
}

export interface PricedOrder {
  /** Lines with their per-unit cost in the buyer's currency (like upstream's OrderItem.cost). */
  readonly items: OrderItem[];
  readonly shippingCost: Money;
  readonly total: Money;
}

function checked(m: Money | undefined, what: string, currency?: string): Money {
  if (!m) throw new InternalError(`${what}: no amount`);
  const problem = moneyProblem(m);
  if (problem !== undefined) throw new InternalError(`${what}: invalid money (${problem})`);
  if (currency !== undefined && m.currencyCode !== currency) throw new InternalError(`${what}: got ${m.currencyCode}, wanted ${currency}`);
  return m;
}

export async function priceOrder(ports: PricingPorts, lines: readonly CartItem[], currency: string, address: Address): Promise<PricedOrder> {
  /** Same currency needs no conversion (any rate table maps X→X to itself). */
  const toLocal = async (m: Money, what: string): Promise<Money> =>
    m.currencyCode === currency ? m : checked(await ports.convert(m, currency), `${what} converted`, currency);

  const items = await Promise.all(
    lines.map(async (item): Promise<OrderItem> => {
      let product: Product;
      try {
        product = await ports.getProduct(item.productId);
      } catch (err) {
        if (isServiceError(err) && err.code === status.NOT_FOUND) {
          throw new FailedPreconditionError(`cart item ${item.productId}: no such product`);
        }
        throw err;
      }
      const price = checked(product.priceUsd, `price of ${item.productId}`);
      return { item, cost: await toLocal(price, `price of ${item.productId}`) };
    }),
  );
  const quote = checked(await ports.getQuote(address, lines), 'shipping quote');
  const shippingCost = await toLocal(quote, 'shipping quote');
  const total = sumAll(currency, [shippingCost, ...items.map(i => multiply(i.cost as Money, (i.item as CartItem).quantity))]);
  return { items, shippingCost, total };
}
