// Consumer-side idempotency: one marker per (consumer group, change event key), kept dedupeTtlMs.
// Replays come from a reader restarting at an older checkpoint (and from broker redelivery). The
// effects behind a marker are idempotent on their own (cache invalidation, warm-up, versioned result
// writes) or carry their own atomic marker (the stock delta), so "effect, then mark" never double-counts.
import type { RedisClient } from '../../platform/redis';

export interface Dedupe {
  seen(eventKey: string): Promise<boolean>;
  mark(eventKey: string): Promise<void>;
}

export function createDedupe(redis: RedisClient, opts: { prefix: string; group: string; ttlMs: number }): Dedupe {
  const key = (eventKey: string) => `${opts.prefix}cdc:done:${opts.group}:${eventKey}`;
  return {
    async seen(eventKey) {
      return (await redis.exists(key(eventKey))) === 1;
    },
    async mark(eventKey) {
      await redis.set(key(eventKey), '1', 'PX', opts.ttlMs);
    },
  };
}
