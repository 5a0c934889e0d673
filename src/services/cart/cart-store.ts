import { AppError, InternalError, InvalidArgumentError, UnavailableError } from '../../platform/errors';
import type { RedisClient } from '../../platform/redis';
import { ADD_ITEM_COMMAND, ADD_ITEM_LUA } from './add-item-script';
import { MAX_LINE_QUANTITY, checkProductId, checkQuantity, checkUserId } from './validate';

export interface CartLine {
  productId: string;
  quantity: number;
}

export interface CartStore {
  /** Merges into an existing line (quantities add up); concurrent adds never lose an update. */
  addItem(userId: string, productId: string, quantity: number): Promise<void>;
  /** Lines of the cart; a missing (or expired) cart is empty, not an error. */
  getCart(userId: string): Promise<CartLine[]>;
  emptyCart(userId: string): Promise<void>;
}

export interface CartStoreOptions {
  /** Idle carts expire this long after their last AddItem. */
  ttlSeconds: number;
  /** Key prefix before the `{user}` hash tag (tests use a unique one). */
  keyPrefix?: string;
}

export const DEFAULT_CART_TTL_SECONDS = 7 * 24 * 3600;

type AddItemFn = (key: string, productId: string, qty: number, max: number, ttl: number) => Promise<number>;

/**
 * One Redis hash per user, `cart:{<user_id>}` (the hash tag keeps a cart on one Cluster slot), fields
 * product_id → quantity. AddItem is one Lua call (read-add-check-write + EXPIRE), so it is atomic.
 */
export function createRedisCartStore(redis: RedisClient, options: CartStoreOptions): CartStore {
  if (!Number.isInteger(options.ttlSeconds) || options.ttlSeconds <= 0) {
    throw new RangeError(`cart ttlSeconds must be a positive integer, got ${options.ttlSeconds}`);
  }
  const prefix = options.keyPrefix ?? 'cart:';
  const key = (userId: string): string => `${prefix}{${userId}}`;
  if (!(ADD_ITEM_COMMAND in redis)) redis.defineCommand(ADD_ITEM_COMMAND, { numberOfKeys: 1, lua: ADD_ITEM_LUA });
  const addItemCmd = (redis as unknown as Record<string, AddItemFn>)[ADD_ITEM_COMMAND] as AddItemFn;

  return {
    async addItem(userId, productId, quantity) {
      checkUserId(userId);
      checkProductId(productId);
      checkQuantity(quantity);
      const next = await storage(() => addItemCmd.call(redis, key(userId), productId, quantity, MAX_LINE_QUANTITY, options.ttlSeconds));
      if (next < 0) throw new InvalidArgumentError('item.quantity', `the cart line would exceed ${MAX_LINE_QUANTITY}`);
    },
    async getCart(userId) {
      checkUserId(userId);
      const fields = await storage(() => redis.hgetall(key(userId)));
      return Object.entries(fields).map(([productId, qty]) => ({ productId, quantity: Number(qty) }));
    },
    async emptyCart(userId) {
      checkUserId(userId);
      await storage(() => redis.del(key(userId)));
    },
  };
}

/** Redis trouble becomes UNAVAILABLE (upstream says FAILED_PRECONDITION "Can't access cart storage"). */
async function storage<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof AppError) throw err;
    // A ReplyError is Redis refusing our command (wrong type, script bug): ours to fix, not transient.
    if (err instanceof Error && err.name === 'ReplyError') throw new InternalError(`cart storage: ${err.message}`, { cause: err });
    throw new UnavailableError('cart storage unavailable', { cause: err });
  }
}
