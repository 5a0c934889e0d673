// The two hipstershop services a PAID order needs: ShippingService.ShipOrder (tracking id) and
// EmailService.SendOrderConfirmation. `options.wrap` is the breaker seam (platform/breaker.ts
// `breakers.unaryOptions('shipping', deadlineMs)`); errors are the raw gRPC ones, classified by
// retry-policy.ts. Both can point at the upstream services by address.
import { EmailServiceClient, ShippingServiceClient, type OrderResult } from '../../../gen/hipstershop/demo';
import { createGrpcClient, unary, type UnaryOptions } from '../../../platform/grpc-client';
import type { OrderRecord } from '../types';

export interface Shipper {
  /** Returns the carrier's tracking id. */
  shipOrder(order: OrderRecord): Promise<string>;
}

export interface ConfirmationSender {
  sendConfirmation(order: OrderRecord): Promise<void>;
}

export interface FulfilmentClients extends Shipper, ConfirmationSender {
  close(): void;
}

/** The hipstershop OrderResult of a stored order (what the confirmation renders). Unit costs, as upstream. */
export function orderResultOf(order: OrderRecord): OrderResult {
  return {
    orderId: order.orderId,
    shippingTrackingId: order.trackingId ?? '',
    shippingCost: { ...order.shippingCost },
    shippingAddress: { ...order.address },
    items: order.items.map(line => ({ item: { productId: line.productId, quantity: line.quantity }, cost: { ...line.unitCost } })),
  };
}

export function createShipper(client: ShippingServiceClient, options: UnaryOptions): Shipper {
  const ship = unary(client, 'shipOrder', options);
  return {
    async shipOrder(order) {
      const res = await ship({
        address: { ...order.address },
        items: order.items.map(line => ({ productId: line.productId, quantity: line.quantity })),
      });
      if (res.trackingId === '') throw new Error('ShipOrder answered an empty tracking id');
      return res.trackingId;
    },
  };
}

export function createConfirmationSender(client: EmailServiceClient, options: UnaryOptions): ConfirmationSender {
  const send = unary(client, 'sendOrderConfirmation', options);
  return {
    async sendConfirmation(order) {
      await send({ email: order.email, order: orderResultOf(order) });
    },
  };
}

export interface FulfilmentClientOptions {
  readonly shippingAddr: string;
  readonly emailAddr: string;
  readonly shipping: UnaryOptions;
  readonly email: UnaryOptions;
}

export function createFulfilmentClients(opts: FulfilmentClientOptions): FulfilmentClients {
  const shippingClient = createGrpcClient(ShippingServiceClient, opts.shippingAddr);
  const emailClient = createGrpcClient(EmailServiceClient, opts.emailAddr);
  return {
    ...createShipper(shippingClient, opts.shipping),
    ...createConfirmationSender(emailClient, opts.email),
    close() {
      shippingClient.close();
      emailClient.close();
    },
  };
}
