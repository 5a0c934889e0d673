// The gRPC calls a simulated buyer or shopper makes, bound once per run: the flash-sale and checkout
// front door, the order service, the cart, the inventory (admin calls for staging) and currency (floor).
import { CartServiceClient, CheckoutServiceClient, CurrencyServiceClient } from '../../src/gen/hipstershop/demo';
import { FlashSaleServiceClient } from '../../src/gen/shop/v1/flashsale';
import { InventoryServiceClient } from '../../src/gen/shop/v1/inventory';
import { OrderServiceClient } from '../../src/gen/shop/v1/order';
import { createGrpcClient, unary, type CallOptions } from '../../src/platform/grpc-client';

export interface ShopAddresses {
  /** CheckoutService + FlashSaleService. */
  readonly checkout: string;
  readonly order: string;
  readonly cart: string;
  /** InventoryService (productcatalog). */
  readonly productCatalog: string;
  readonly currency: string;
}

function bind(a: ShopAddresses, deadlineMs: number) {
  const o = { defaultDeadlineMs: deadlineMs };
  const flash = createGrpcClient(FlashSaleServiceClient, a.checkout);
  const checkout = createGrpcClient(CheckoutServiceClient, a.checkout);
  const order = createGrpcClient(OrderServiceClient, a.order);
  const cart = createGrpcClient(CartServiceClient, a.cart);
  const inventory = createGrpcClient(InventoryServiceClient, a.productCatalog);
  const currency = createGrpcClient(CurrencyServiceClient, a.currency);
  return {
    all: [flash, checkout, order, cart, inventory, currency],
    issueToken: unary(flash, 'issueToken', o),
    buy: unary(flash, 'buy', o),
    placeOrder: unary(checkout, 'placeOrder', o),
    addItem: unary(cart, 'addItem', o),
    payOrder: unary(order, 'payOrder', o),
    cancelOrder: unary(order, 'cancelOrder', o),
    getOrderProgress: unary(order, 'getOrderProgress', o),
    /** Server stream: the caller consumes and cancels it. */
    watchOrder: (req: { orderId: string; userId: string }) => order.watchOrder(req),
    warmUp: unary(inventory, 'warmUp', o),
    configureItem: unary(inventory, 'configureItem', o),
    getStock: unary(inventory, 'getStock', o),
    getSupportedCurrencies: unary(currency, 'getSupportedCurrencies', o),
  };
}

export type ShopClients = Omit<ReturnType<typeof bind>, 'all'> & {
  readonly addresses: ShopAddresses;
  close(): void;
};

export function createShopClients(addresses: ShopAddresses, deadlineMs: number): ShopClients {
  const { all, ...calls } = bind(addresses, deadlineMs);
  return { ...calls, addresses, close: () => all.forEach(c => c.close()) };
}

/** Call options of an admin RPC. */
export function adminCall(token: string): CallOptions {
  return { metadata: { authorization: `Bearer ${token}` } };
}
