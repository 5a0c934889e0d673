import { ShippingServiceService } from '../../gen/hipstershop/demo';
import type { AsyncServiceImpl } from '../../platform/grpc-server';
import type { Shipper } from './shipper';

/** hipstershop.ShippingService handlers. */
export function createShippingHandlers(shipper: Shipper): AsyncServiceImpl<typeof ShippingServiceService> {
  return {
    getQuote: (req) => ({ costUsd: shipper.getQuote(req.items) }),
    shipOrder: (req, ctx) => {
      const trackingId = shipper.shipOrder(req.address, req.items);
      ctx.logger.info({ trackingId, items: req.items.length }, 'order shipped');
      return { trackingId };
    },
  };
}
