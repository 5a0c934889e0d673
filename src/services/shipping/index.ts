import { ShippingServiceService } from '../../gen/hipstershop/demo';
import type { ServiceModule } from '../registry';
import { serveGrpc, service } from '../serve';
import { createFailurePolicy } from './failure-policy';
import { cryptoRandomInt } from './random';
import { createShippingHandlers } from './server';
import { createShipper } from './shipper';

export { createFailurePolicy, type ShippingFailurePolicy } from './failure-policy';
export { cryptoRandomInt, type RandomInt } from './random';
export { createShippingHandlers } from './server';
export { createShipper } from './shipper';

/** Failure injection starts off; SHIPPING_FAIL_RATE (proposed config key) will set the initial rate. */
const INITIAL_FAIL_RATE = 0;

export const shippingModule: ServiceModule = {
  name: 'shipping',
  summary: 'hipstershop.ShippingService: flat $8.99 quote, upstream-format tracking ids',
  port: (config) => config.ports.shipping,
  async start(rt) {
    const shipper = createShipper({ random: cryptoRandomInt, failures: createFailurePolicy(INITIAL_FAIL_RATE, cryptoRandomInt) });
    const { name, port } = await serveGrpc(rt, 'shipping', shippingModule.port(rt.config), [service(ShippingServiceService, createShippingHandlers(shipper))]);
    return { name, port };
  },
};
