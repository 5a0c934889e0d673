// Redis read-through cache with one loader per key per process (single-flight): N concurrent misses
// on a key cost one source read. Redis trouble degrades to reading the source, never to an error,
// because the catalog must keep answering while the cache is down.
//
// Invalidation race: a load that started before invalidate(key) may return data older than the
// change. Its result is still given to the callers that were already waiting, but it is not written
// to Redis, so the stale value cannot outlive the call. (Another replica's in-flight load is bounded
// by the entry's TTL.)
import type { Logger } from '../../../platform/logger';
import type { RedisClient } from '../../../platform/redis';
import { createSingleFlight } from './single-flight';

export interface EntryCodec<T> {
  encode(value: T): string;
  /** Throws on text it cannot read; the entry is then treated as a miss and rewritten. */
  decode(text: string): T;
}

export interface CacheEntrySpec<T> {
  readonly key: string;
  readonly codec: EntryCodec<T>;
  /** Reads the source of truth. */
  load(): Promise<T>;
  /** TTL of the loaded value (e.g. shorter for "not found"). */
  ttlMs(value: T): number;
}

export interface ReadThroughCache {
  get<T>(spec: CacheEntrySpec<T>): Promise<T>;
  /** Deletes the entry in Redis and stops in-flight loads of it from writing back. */
  invalidate(key: string): Promise<void>;
}

interface Flight {
  stale: boolean;
}

export function createReadThroughCache(deps: { redis: RedisClient; logger: Logger }): ReadThroughCache {
  const { redis } = deps;
  const log = deps.logger.child({ component: 'catalog-cache' });
  const singleFlight = createSingleFlight<unknown>();
  const flights = new Map<string, Flight>();

  async function read(key: string): Promise<string | null> {
    try {
      return await redis.get(key);
    } catch (err) {
      log.warn({ err: { message: (err as Error).message }, key }, 'cache read failed; reading the source');
      return null;
    }
  }

  async function write(key: string, text: string, ttlMs: number): Promise<void> {
    try {
      await redis.set(key, text, 'PX', Math.max(1, Math.round(ttlMs)));
    } catch (err) {
      log.warn({ err: { message: (err as Error).message }, key }, 'cache write failed');
    }
  }

  async function fill<T>(spec: CacheEntrySpec<T>): Promise<T> {
    const cached = await read(spec.key);
    if (cached !== null) {
      try {
        return spec.codec.decode(cached);
      } catch (err) {
        log.warn({ err: { message: (err as Error).message }, key: spec.key }, 'unreadable cache entry; reloading');
      }
    }
    const flight: Flight = { stale: false };
    flights.set(spec.key, flight);
    try {
      const value = await spec.load();
      if (!flight.stale) await write(spec.key, spec.codec.encode(value), spec.ttlMs(value));
      return value;
    } finally {
      if (flights.get(spec.key) === flight) flights.delete(spec.key);
    }
  }

  return {
    get<T>(spec: CacheEntrySpec<T>) {
      return singleFlight.run(spec.key, () => fill(spec)) as Promise<T>;
    },
    async invalidate(key) {
      const flight = flights.get(key);
      if (flight) flight.stale = true;
      singleFlight.forget(key);
      await redis.del(key);
    },
  };
}
