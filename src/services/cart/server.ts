import { CartServiceService } from '../../gen/hipstershop/demo';
import { InvalidArgumentError } from '../../platform/errors';
import type { AsyncServiceImpl } from '../../platform/grpc-server';
import type { CartStore } from './cart-store';

/** hipstershop.CartService handlers. */
export function createCartHandlers(store: CartStore): AsyncServiceImpl<typeof CartServiceService> {
  return {
    async addItem(req) {
      if (req.item === undefined) throw new InvalidArgumentError('item', 'is required');
      await store.addItem(req.userId, req.item.productId, req.item.quantity);
      return {};
    },
    // Upstream answers a missing cart with an empty Cart() (user_id ""); echoing the id is more useful
    // and no client can rely on the empty string.
    getCart: async (req) => ({ userId: req.userId, items: await store.getCart(req.userId) }),
    async emptyCart(req) {
      await store.emptyCart(req.userId);
      return {};
    },
  };
}
