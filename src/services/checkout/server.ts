// hipstershop.CheckoutService handlers (the gRPC boundary; errors map to status in grpc-status.ts).
import type { CheckoutServiceService } from '../../gen/hipstershop/demo';
import type { AsyncServiceImpl } from '../../platform/grpc-server';
import type { PlaceOrder } from './place-order';

export function createCheckoutHandlers(placeOrder: PlaceOrder): AsyncServiceImpl<typeof CheckoutServiceService> {
  return { placeOrder };
}
