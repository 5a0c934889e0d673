// Per-address token bucket, in this process's memory: cheap enough to run before anything else on every
// request, so a flood is refused without a Redis or gRPC round trip. Each gateway replica counts on its
// own (N replicas behind a balancer allow up to N × the rate); checkout's Redis limits stay the shared,
// exact ones.
import type { Clock } from '../../platform/clock';

export interface RateDecision {
  readonly allowed: boolean;
  /** Refused: milliseconds until one token is back. */
  readonly retryAfterMs: number;
}

export interface IpRateLimiter {
  take(address: string): RateDecision;
  /** Buckets held (tests, metrics). */
  size(): number;
}

export interface RateLimiterOptions {
  /** Tokens added per second. */
  readonly ratePerSecond: number;
  /** Bucket size. */
  readonly burst: number;
  readonly clock: Pick<Clock, 'now'>;
  /** Above this many buckets, full (idle) ones are dropped. */
  readonly maxBuckets?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createIpRateLimiter({ ratePerSecond, burst, clock, maxBuckets = 100_000 }: RateLimiterOptions): IpRateLimiter {
  const buckets = new Map<string, Bucket>();
  const perMs = ratePerSecond / 1000;

  const refill = (b: Bucket, now: number) => {
    b.tokens = Math.min(burst, b.tokens + (now - b.at) * perMs);
    b.at = now;
  };

  function evictIdle(now: number): void {
    for (const [key, b] of buckets) {
      refill(b, now);
      if (b.tokens >= burst) buckets.delete(key);
    }
  }

  return {
    take(address) {
      const now = clock.now();
      let b = buckets.get(address);
      if (!b) {
        if (buckets.size >= maxBuckets) evictIdle(now);
        b = { tokens: burst, at: now };
        buckets.set(address, b);
      } else {
        refill(b, now);
      }
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return { allowed: true, retryAfterMs: 0 };
      }
      return { allowed: false, retryAfterMs: Math.ceil((1 - b.tokens) / perMs) };
    },
    size: () => buckets.size,
  };
}
