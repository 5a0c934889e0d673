// A per-user counter of placed orders, part of the derived idempotency key (requests without
// `idempotency-key`). Same request + same cart + same epoch = a double submit, replayed; after an
// order succeeds the epoch moves on, so an identical cart bought again is a new order, never a replay
// of the old one. (Upstream's cart has no version we could use instead.)
import { UnavailableError } from '../../platform/errors';
import type { RedisClient } from '../../platform/redis';

export interface OrderEpochs {
  current(userId: string): Promise<string>;
  /** Called after an order was placed. */
  advance(userId: string): Promise<void>;
}

export interface OrderEpochDeps {
  readonly redis: RedisClient;
  readonly prefix: string;
  /** At least the derived-key replay window, so an epoch never resets under a live record. */
  readonly ttlMs: number;
}

export function createOrderEpochs({ redis, prefix, ttlMs }: OrderEpochDeps): OrderEpochs {
  const key = (userId: string) => `${prefix}co:epoch:{${userId}}`;
  return {
    async current(userId) {
      try {
        return (await redis.get(key(userId))) ?? '0';
      } catch (err) {
        throw new UnavailableError('idempotency store unavailable', { cause: err });
      }
    },
    async advance(userId) {
      const k = key(userId);
      await redis.multi().incr(k).pexpire(k, ttlMs).exec();
    },
  };
}
