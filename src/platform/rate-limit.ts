// Redis rate limits: a sliding-window counter per (rule, subject), e.g. ("place-order:user", "u-42").
// Two fixed-window counters, the previous one weighted by how much of it still overlaps the sliding
// window: O(1) memory and one Lua call per check, shared by every replica. Smooth enough for abuse
// control; not an exact log (a burst at a window edge can briefly reach ~limit more).
import type { Clock } from './clock';
import { ResourceExhaustedError, UnavailableError } from './errors';
import type { RedisClient } from './redis';

export interface RateRule {
  /** Shown to callers and used in keys, e.g. "place-order per user". Keep it short and stable. */
  readonly name: string;
  /** Requests allowed per window. */
  readonly limit: number;
  readonly windowMs: number;
}

export interface RateDecision {
  readonly allowed: boolean;
  /** Refused: roughly how long until this subject may try again. 0 when allowed. */
  readonly retryAfterMs: number;
}

export interface RateCheck {
  readonly rule: RateRule;
  readonly subject: string;
}

export interface RateLimiter {
  /** Counts `cost` requests of `subject` against `rule` unless that would exceed the limit. */
  take(rule: RateRule, subject: string, cost?: number): Promise<RateDecision>;
  /** Takes from every check in order; throws RateLimitedError for the first that refuses. */
  enforce(checks: readonly RateCheck[]): Promise<void>;
}

export interface RateLimiterDeps {
  readonly redis: RedisClient;
  readonly clock: Pick<Clock, 'now'>;
  /** Prepended to `rl:{...}` keys (tests use a unique one). */
  readonly prefix?: string;
}

/** RESOURCE_EXHAUSTED naming the rule (never the subject: it may be someone's address). */
export class RateLimitedError extends ResourceExhaustedError {
  constructor(
    readonly rule: string,
    readonly retryAfterMs: number,
  ) {
    super(`rate limit exceeded (${rule}); retry in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s`);
  }
}

/**
 * KEYS: 2   KEYS[1] counter of the current window   KEYS[2] counter of the previous window (same slot)
 * ARGV[1] limit   ARGV[2] cost   ARGV[3] weight of the previous window (0..1)   ARGV[4] ttl ms
 * Returns {allowed 0|1, current count, previous count}.
 */
const TAKE_LUA = `
local limit = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local prev = tonumber(redis.call('GET', KEYS[2]) or '0')
if prev * tonumber(ARGV[3]) + cur + cost > limit then return {0, cur, prev} end
redis.call('INCRBY', KEYS[1], cost)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {1, cur + cost, prev}
`;
const TAKE_COMMAND = 'rateLimitTake';

type TakeFn = (k1: string, k2: string, limit: number, cost: number, weight: string, ttl: number) => Promise<[number, number, number]>;

/** How long until `cur + cost` fits, given the previous window's weight decays linearly. */
function retryAfter(rule: RateRule, elapsedMs: number, cur: number, prev: number, cost: number): number {
  const rest = rule.windowMs - elapsedMs;
  const room = rule.limit - cur - cost;
  if (room < 0 || prev === 0) return rest; // only the next window helps
  // prev * (rest - t) / W <= room  →  t >= rest - room * W / prev
  return Math.max(1, Math.ceil(rest - (room * rule.windowMs) / prev));
}

export function createRateLimiter(deps: RateLimiterDeps): RateLimiter {
  const { redis, clock } = deps;
  const prefix = deps.prefix ?? '';
  if (!(TAKE_COMMAND in redis)) redis.defineCommand(TAKE_COMMAND, { numberOfKeys: 2, lua: TAKE_LUA });
  const takeCmd = (redis as unknown as Record<string, TakeFn>)[TAKE_COMMAND] as TakeFn;

  async function take(rule: RateRule, subject: string, cost = 1): Promise<RateDecision> {
    const now = clock.now();
    const index = Math.floor(now / rule.windowMs);
    const elapsed = now - index * rule.windowMs;
    const base = `${prefix}rl:{${rule.name}:${subject}}:`;
    const weight = ((rule.windowMs - elapsed) / rule.windowMs).toFixed(6);
    let reply: [number, number, number];
    try {
      reply = await takeCmd.call(redis, `${base}${index}`, `${base}${index - 1}`, rule.limit, cost, weight, rule.windowMs * 2);
    } catch (err) {
      throw new UnavailableError('rate limiter unavailable', { cause: err });
    }
    const [allowed, cur, prev] = reply.map(Number) as [number, number, number];
    return allowed === 1 ? { allowed: true, retryAfterMs: 0 } : { allowed: false, retryAfterMs: retryAfter(rule, elapsed, cur, prev, cost) };
  }

  return {
    take,
    async enforce(checks) {
      for (const { rule, subject } of checks) {
        const decision = await take(rule, subject);
        if (!decision.allowed) throw new RateLimitedError(rule.name, decision.retryAfterMs);
      }
    },
  };
}
