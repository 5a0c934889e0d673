// Checkout's view of the services it calls, one breaker per dependency. Addresses come from the
// `*_SERVICE_ADDR` settings, so any upstream-compatible peer can stand in for ours.
import {
  CartServiceClient,
  CurrencyServiceClient,
  PaymentServiceClient,
  ProductCatalogServiceClient,
  ShippingServiceClient,
  type Address,
  type CartItem,
  type CreditCardInfo,
  type Money,
  type Product,
} from '../../gen/hipstershop/demo';
import type { OrderDraft, ReleaseReason } from '../../gen/shop/v1/common';
import { InventoryServiceClient, type ReleaseResponse, type ReserveResponse } from '../../gen/shop/v1/inventory';
import type { Breakers } from '../../platform/breaker';
import { createGrpcClient, unary } from '../../platform/grpc-client';
import { IDEMPOTENCY_KEY_HEADER } from '../../platform/idempotency';

export interface CheckoutAddresses {
  readonly cart: string;
  /** productcatalog serves both ProductCatalogService and InventoryService. */
  readonly productCatalog: string;
  readonly currency: string;
  readonly shipping: string;
  readonly payment: string;
}

/** Breaker names, also the dependency named in "… unavailable" errors. */
export const DEPENDENCIES = {
  cart: 'cart',
  catalog: 'productcatalog',
  inventory: 'inventory',
  currency: 'currency',
  shipping: 'shipping',
  payment: 'payment',
} as const;

export interface CheckoutClients {
  getCart(userId: string): Promise<CartItem[]>;
  emptyCart(userId: string): Promise<void>;
  getProduct(id: string): Promise<Product>;
  convert(from: Money, toCode: string): Promise<Money>;
  supportedCurrencies(): Promise<string[]>;
  getQuote(address: Address, items: readonly CartItem[]): Promise<Money | undefined>;
  /** Charges with `idempotency-key` = order id, so a retried charge never charges twice. */
  charge(amount: Money, card: CreditCardInfo, orderId: string): Promise<string>;
  reserve(order: OrderDraft): Promise<ReserveResponse>;
  /** Admin call (bearer ADMIN_TOKEN); idempotent per order id. */
  release(orderId: string, reason: ReleaseReason, note: string): Promise<ReleaseResponse>;
  close(): void;
}

export interface CheckoutClientDeps {
  readonly addresses: CheckoutAddresses;
  readonly breakers: Pick<Breakers, 'unaryOptions'>;
  /** Deadline of each outgoing call (capped below the breaker timeout). */
  readonly deadlineMs: number;
  readonly adminToken: string;
}

export function createCheckoutClients({ addresses, breakers, deadlineMs, adminToken }: CheckoutClientDeps): CheckoutClients {
  const cart = createGrpcClient(CartServiceClient, addresses.cart);
  const catalog = createGrpcClient(ProductCatalogServiceClient, addresses.productCatalog);
  const inventory = createGrpcClient(InventoryServiceClient, addresses.productCatalog);
  const currency = createGrpcClient(CurrencyServiceClient, addresses.currency);
  const shipping = createGrpcClient(ShippingServiceClient, addresses.shipping);
  const payment = createGrpcClient(PaymentServiceClient, addresses.payment);
  const opts = (dependency: string) => breakers.unaryOptions(dependency, deadlineMs);

  const rpc = {
    getCart: unary(cart, 'getCart', opts(DEPENDENCIES.cart)),
    emptyCart: unary(cart, 'emptyCart', opts(DEPENDENCIES.cart)),
    getProduct: unary(catalog, 'getProduct', opts(DEPENDENCIES.catalog)),
    convert: unary(currency, 'convert', opts(DEPENDENCIES.currency)),
    supportedCurrencies: unary(currency, 'getSupportedCurrencies', opts(DEPENDENCIES.currency)),
    getQuote: unary(shipping, 'getQuote', opts(DEPENDENCIES.shipping)),
    charge: unary(payment, 'charge', opts(DEPENDENCIES.payment)),
    reserve: unary(inventory, 'reserve', opts(DEPENDENCIES.inventory)),
    release: unary(inventory, 'release', opts(DEPENDENCIES.inventory)),
  };

  return {
    getCart: async userId => (await rpc.getCart({ userId })).items,
    emptyCart: async userId => void (await rpc.emptyCart({ userId })),
    getProduct: id => rpc.getProduct({ id }),
    convert: (from, toCode) => rpc.convert({ from, toCode }),
    supportedCurrencies: async () => (await rpc.supportedCurrencies({})).currencyCodes,
    getQuote: async (address, items) => (await rpc.getQuote({ address, items: [...items] })).costUsd,
    charge: async (amount, creditCard, orderId) =>
      (await rpc.charge({ amount, creditCard }, { metadata: { [IDEMPOTENCY_KEY_HEADER]: orderId } })).transactionId,
    reserve: order => rpc.reserve({ order }),
    release: (orderId, reason, note) =>
      rpc.release({ orderId, reason, note }, { metadata: { authorization: `Bearer ${adminToken}` } }),
    close() {
      for (const c of [cart, catalog, inventory, currency, shipping, payment]) c.close();
    },
  };
}
