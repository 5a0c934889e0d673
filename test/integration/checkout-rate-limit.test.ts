// The Redis sliding-window rate limiter (platform/rate-limit.ts) on a real Redis with a manual clock,
// plus the client-address rule used for per-IP limits.
import assert from 'node:assert/strict';
import { Metadata, status } from '@grpc/grpc-js';
import { ManualClock } from '../../src/platform/clock';
import { toGrpcStatus } from '../../src/platform/grpc-status';
import { clientAddress } from '../../src/platform/client-address';
import { createRateLimiter, RateLimitedError, type RateLimiter, type RateRule } from '../../src/platform/rate-limit';
import type { RedisClient } from '../../src/platform/redis';
import { uniqueId, uniquePrefix } from '../support/ids';
import { closeRedis, deleteKeys } from '../support/test-redis';
import { connectStockRedis, redisMode } from './stock-fixtures';

const RULE: RateRule = { name: 'test per user', limit: 3, windowMs: 1_000 };

describe(`rate limiter (Redis ${redisMode}, sliding window)`, () => {
  let redis: RedisClient;
  let prefix: string;
  let clock: ManualClock;
  let limiter: RateLimiter;

  before(async () => {
    redis = await connectStockRedis('rate-limit-test');
    prefix = uniquePrefix('rl');
  });
  beforeEach(() => {
    clock = new ManualClock(1_800_000_000_000); // a window boundary
    limiter = createRateLimiter({ redis, clock, prefix: `${prefix}${uniqueId('t')}:` });
  });
  after(async () => {
    if (redis) {
      await deleteKeys(redis, prefix);
      await closeRedis(redis);
    }
  });

  it('allows `limit` calls per window per subject, refuses the next; other subjects are unaffected', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await limiter.take(RULE, 'alice')).allowed, true);
    const refused = await limiter.take(RULE, 'alice');
    assert.equal(refused.allowed, false);
    assert.ok(refused.retryAfterMs > 0);
    assert.equal((await limiter.take(RULE, 'bob')).allowed, true);
  });

  it('the window slides: the previous window still counts, fading out; retryAfterMs is enough', async () => {
    for (let i = 0; i < 3; i++) await limiter.take(RULE, 'alice');
    clock.advance(1_000); // next window, but the last one still overlaps fully
    const refused = await limiter.take(RULE, 'alice');
    assert.equal(refused.allowed, false);
    clock.advance(refused.retryAfterMs);
    assert.equal((await limiter.take(RULE, 'alice')).allowed, true);
    clock.advance(2_000); // two windows later nothing counts
    for (let i = 0; i < 3; i++) assert.equal((await limiter.take(RULE, 'alice')).allowed, true);
  });

  it('refusals do not count (a client hammering while limited recovers on schedule)', async () => {
    for (let i = 0; i < 3; i++) await limiter.take(RULE, 'alice');
    for (let i = 0; i < 20; i++) assert.equal((await limiter.take(RULE, 'alice')).allowed, false);
    clock.advance(2_000);
    assert.equal((await limiter.take(RULE, 'alice')).allowed, true);
  });

  it('is atomic under concurrency: 50 parallel calls, limit 10 → exactly 10 allowed', async () => {
    const rule = { ...RULE, limit: 10 };
    const results = await Promise.all(Array.from({ length: 50 }, () => limiter.take(rule, 'crowd')));
    assert.equal(results.filter(r => r.allowed).length, 10);
  });

  it('enforce() throws RESOURCE_EXHAUSTED naming the rule (never the subject)', async () => {
    const ip: RateRule = { name: 'test per address', limit: 1, windowMs: 1_000 };
    await limiter.enforce([{ rule: RULE, subject: 'alice' }, { rule: ip, subject: '10.0.0.7' }]);
    const err = await limiter.enforce([{ rule: RULE, subject: 'alice' }, { rule: ip, subject: '10.0.0.7' }]).catch((e: unknown) => e);
    assert.ok(err instanceof RateLimitedError);
    assert.equal(err.rule, 'test per address');
    const st = toGrpcStatus(err);
    assert.equal(st.code, status.RESOURCE_EXHAUSTED);
    assert.match(st.details, /^rate limit exceeded \(test per address\); retry in \d+ s$/);
    assert.ok(!st.details.includes('10.0.0.7'));
  });
});

describe('client address for per-IP limits', () => {
  const md = (xff?: string) => {
    const m = new Metadata();
    if (xff !== undefined) m.set('x-forwarded-for', xff);
    return m;
  };
  it('takes the TCP peer without its port (IPv4, IPv6 bracketed or not, grpc "ipv4:" form, v4-mapped)', () => {
    assert.equal(clientAddress({ peer: '127.0.0.1:53122', metadata: md() }, false), '127.0.0.1');
    assert.equal(clientAddress({ peer: '[::1]:53122', metadata: md() }, false), '::1');
    assert.equal(clientAddress({ peer: '::1:53122', metadata: md() }, false), '::1');
    assert.equal(clientAddress({ peer: '2001:DB8::7:443', metadata: md() }, false), '2001:db8::7');
    assert.equal(clientAddress({ peer: 'ipv4:10.1.2.3:443', metadata: md() }, false), '10.1.2.3');
    assert.equal(clientAddress({ peer: '::ffff:127.0.0.1:5000', metadata: md() }, false), '127.0.0.1');
  });
  it('behind a trusted gateway: the last x-forwarded-for hop (the one the gateway appended)', () => {
    assert.equal(clientAddress({ peer: '10.0.0.1:1', metadata: md('198.51.100.7, 203.0.113.9') }, true), '203.0.113.9');
    assert.equal(clientAddress({ peer: '10.0.0.1:1', metadata: md('203.0.113.9:4711') }, true), '203.0.113.9');
    assert.equal(clientAddress({ peer: '10.0.0.1:1', metadata: md('not-an-ip') }, true), '10.0.0.1');
    assert.equal(clientAddress({ peer: '10.0.0.1:1', metadata: md('203.0.113.9') }, false), '10.0.0.1');
    assert.equal(clientAddress({ peer: '10.0.0.1:1', metadata: md() }, true), '10.0.0.1');
  });
});
