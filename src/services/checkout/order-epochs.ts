// A per-user order epoch: a random token, part of the derived idempotency key (requests without
// `idempotency-key`) and so of the derived order id. While it stands, a retry of the same request
// with the same cart is the same order (a double submit is replayed; a retry after "payment outcome
// unknown" meets its own reservation and charge, never a second one). Once an order id is spent —
// placed, declined, refused by the inventory — the epoch is replaced, so the next identical cart is a
// new order with a new id. Random rather than a counter: an epoch that expired is replaced by a fresh
// value, never by an old one, so an old order id can never come back. (Upstream's cart has no version
// we could use instead.)
import { randomBytes } from 'node:crypto';
import { UnavailableError } from '../../platform/errors';
import type { RedisClient } from '../../platform/redis';

export interface OrderEpochs {
  current(userId: string): Promise<string>;
  /** Called once an order id was spent (placed, declined, refused). */
  advance(userId: string): Promise<void>;
}

export interface OrderEpochDeps {
  readonly redis: RedisClient;
  readonly prefix: string;
  /** Lifetime of an idle epoch (at least the derived-key replay window). */
  readonly ttlMs: number;
}

const fresh = (): string => randomBytes(9).toString('base64url');

export function createOrderEpochs({ redis, prefix, ttlMs }: OrderEpochDeps): OrderEpochs {
  const key = (userId: string) => `${prefix}co:epoch:{${userId}}`;
  return {
    async current(userId) {
      const k = key(userId);
      try {
        const existing = await redis.get(k);
        if (existing !== null) return existing;
        // First order (or expired): concurrent requests agree on whichever token was set first.
        await redis.set(k, fresh(), 'PX', ttlMs, 'NX');
        return (await redis.get(k)) ?? fresh();
      } catch (err) {
        throw new UnavailableError('idempotency store unavailable', { cause: err });
      }
    },
    async advance(userId) {
      await redis.set(key(userId), fresh(), 'PX', ttlMs);
    },
  };
}
