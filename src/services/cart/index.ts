import { CartServiceService } from '../../gen/hipstershop/demo';
import type { ServiceModule } from '../registry';
import { serveGrpc, service } from '../serve';
import { createRedisCartStore } from './cart-store';
import { createCartHandlers } from './server';

export { DEFAULT_CART_TTL_SECONDS, createRedisCartStore, type CartStore } from './cart-store';
export { createCartHandlers } from './server';

export const cartModule: ServiceModule = {
  name: 'cart',
  summary: 'hipstershop.CartService: one Redis hash per user, atomic merges, 7-day idle TTL',
  port: (config) => config.ports.cart,
  async start(rt) {
    const store = createRedisCartStore(await rt.redis(), { ttlSeconds: rt.config.cart.ttlSeconds });
    const { name, port } = await serveGrpc(rt, 'cart', cartModule.port(rt.config), [service(CartServiceService, createCartHandlers(store))]);
    return { name, port };
  },
};
