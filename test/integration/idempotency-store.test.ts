// The Redis idempotency store on a real Redis (single node; the 3-master Cluster with
// STOCK_TEST_REDIS=cluster): run once, replay the exact reply, concurrent duplicates wait, bounded
// wait, definite vs transient errors, key reuse, and crash recovery through the lock TTL.
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { systemClock } from '../../src/platform/clock';
import { FailedPreconditionError, InvalidArgumentError, UnavailableError } from '../../src/platform/errors';
import { toGrpcStatus } from '../../src/platform/grpc-status';
import {
  createIdempotency,
  idempotencyKey,
  IdempotencyKeyReusedError,
  RequestInProgressError,
  type Idempotency,
  type IdempotencySettings,
  type ReplyCodec,
} from '../../src/platform/idempotency';
import type { RedisClient } from '../../src/platform/redis';
import { uniqueId, uniquePrefix } from '../support/ids';
import { testLogger } from '../support/test-logger';
import { closeRedis, deleteKeys } from '../support/test-redis';
import { connectStockRedis, redisMode } from './stock-fixtures';

const TEXT: ReplyCodec<string> = { encode: s => Buffer.from(s, 'utf8'), decode: b => Buffer.from(b).toString('utf8') };
const SETTINGS: IdempotencySettings = { lockTtlMs: 10_000, resultTtlMs: 60_000, derivedTtlMs: 5_000, waitMs: 5_000 };
const SCOPE = { method: '/test.Idem/Run', user: 'u-1' };

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>(r => (resolve = r));
  return { promise, resolve };
}

describe(`idempotency store (Redis ${redisMode})`, () => {
  let redis: RedisClient;
  let prefix: string;
  let idem: Idempotency;

  const make = (settings: Partial<IdempotencySettings> = {}) =>
    createIdempotency({ redis, clock: systemClock, settings: { ...SETTINGS, ...settings }, logger: testLogger('idem'), prefix });
  const call = (clientKey: string | undefined = uniqueId('k'), fp = 'fp-1') => ({
    key: idempotencyKey(SCOPE, clientKey, ['canonical']),
    fingerprint: fp,
    codec: TEXT,
  });

  before(async () => {
    redis = await connectStockRedis('idempotency-test');
    prefix = uniquePrefix('idem');
    idem = make();
  });
  after(async () => {
    if (redis) {
      await deleteKeys(redis, prefix);
      await closeRedis(redis);
    }
  });

  it('runs once; a retry gets the stored reply without running again', async () => {
    const c = call();
    let runs = 0;
    const first = await idem.run(c, async () => `reply #${++runs}`);
    const again = await idem.run(c, async () => `reply #${++runs}`);
    assert.deepEqual(first, { value: 'reply #1', replayed: false });
    assert.deepEqual(again, { value: 'reply #1', replayed: true });
    assert.equal(runs, 1);
    assert.match(idem.redisKey(c.key), /^test:.*idem:\{[A-Za-z0-9_-]{43}\}$/);
    const ttl = await redis.pttl(idem.redisKey(c.key));
    assert.ok(ttl > SETTINGS.lockTtlMs && ttl <= SETTINGS.resultTtlMs, `result TTL ${ttl}`);
  });

  it('five concurrent duplicates: one run, five identical replies (four waited)', async () => {
    const c = call();
    const gate = deferred<void>();
    let runs = 0;
    const calls = Array.from({ length: 5 }, () =>
      idem.run(c, async () => {
        runs++;
        await gate.promise;
        return `order-${uniqueId('o')}`;
      }),
    );
    await new Promise(r => setTimeout(r, 50));
    gate.resolve();
    const results = await Promise.all(calls);
    assert.equal(runs, 1);
    assert.equal(new Set(results.map(r => r.value)).size, 1);
    assert.equal(results.filter(r => r.replayed).length, 4);
  });

  it('a definite error (FAILED_PRECONDITION, INVALID_ARGUMENT) is stored and replayed with the same code and details', async () => {
    for (const err of [new FailedPreconditionError('cart is empty'), new InvalidArgumentError('address.zip_code', 'must be positive')]) {
      const c = call();
      let runs = 0;
      const first = await idem.run(c, async () => { runs++; throw err; }).catch((e: unknown) => e);
      const again = await idem.run(c, async () => { runs++; return 'never'; }).catch((e: unknown) => e);
      assert.equal(runs, 1);
      assert.deepEqual(toGrpcStatus(again), toGrpcStatus(first));
      assert.equal(toGrpcStatus(again).details, err.message);
    }
  });

  it('a transient error (UNAVAILABLE) is not stored: the retry runs again', async () => {
    const c = call();
    let runs = 0;
    await assert.rejects(idem.run(c, async () => { runs++; throw new UnavailableError('payment unavailable'); }), UnavailableError);
    assert.equal(await redis.exists(idem.redisKey(c.key)), 0, 'the in-flight record is dropped');
    assert.deepEqual(await idem.run(c, async () => `ok after ${++runs}`), { value: 'ok after 2', replayed: false });
  });

  it('the same key with a different request → ALREADY_EXISTS, in flight or finished', async () => {
    const key = uniqueId('k');
    const gate = deferred<void>();
    const first = idem.run(call(key, 'fp-A'), async () => { await gate.promise; return 'A'; });
    await new Promise(r => setTimeout(r, 20));
    const clash = await idem.run(call(key, 'fp-B'), async () => 'B').catch((e: unknown) => e);
    assert.ok(clash instanceof IdempotencyKeyReusedError);
    assert.equal(toGrpcStatus(clash).code, status.ALREADY_EXISTS);
    gate.resolve();
    await first;
    await assert.rejects(idem.run(call(key, 'fp-B'), async () => 'B'), IdempotencyKeyReusedError);
  });

  it('a duplicate waits at most waitMs, then ALREADY_EXISTS "request in progress"; the first still completes', async () => {
    const impatient = make({ waitMs: 50 });
    const c = call();
    const gate = deferred<void>();
    const first = impatient.run(c, async () => { await gate.promise; return 'first'; });
    await new Promise(r => setTimeout(r, 20));
    const err = await impatient.run(c, async () => 'second').catch((e: unknown) => e);
    assert.ok(err instanceof RequestInProgressError);
    assert.deepEqual(toGrpcStatus(err), { code: status.ALREADY_EXISTS, details: 'request in progress', unexpected: false });
    gate.resolve();
    assert.equal((await first).value, 'first');
    assert.deepEqual(await impatient.run(c, async () => 'third'), { value: 'first', replayed: true });
  });

  it('crash while in flight: the lock expires and a retry runs again; the late finisher cannot overwrite it', async () => {
    const short = make({ lockTtlMs: 300, waitMs: 10_000 });
    const c = call();
    const crashed = deferred<void>();
    // "Process A" takes the lock and never finishes in time.
    const zombie = short.run(c, async () => { await crashed.promise; return 'zombie'; });
    await new Promise(r => setTimeout(r, 20));
    let retries = 0;
    const retry = await short.run(c, async () => `retried ${++retries}`);
    assert.deepEqual(retry, { value: 'retried 1', replayed: false });
    crashed.resolve();
    assert.equal((await zombie).value, 'zombie', 'the zombie still answers its own caller');
    assert.deepEqual(await short.run(c, async () => 'x'), { value: 'retried 1', replayed: true }, 'the stored reply is the retry\'s');
  });

  it('derived keys (no client key) store successes only: an error reply is re-checked on retry', async () => {
    const c = { key: idempotencyKey(SCOPE, undefined, [uniqueId('req')]), fingerprint: 'fp', codec: TEXT };
    let runs = 0;
    await assert.rejects(idem.run(c, async () => { runs++; throw new FailedPreconditionError('product X is sold out'); }), FailedPreconditionError);
    assert.deepEqual(await idem.run(c, async () => `restocked ${++runs}`), { value: 'restocked 2', replayed: false });
  });

  it('derived keys (no client key) keep their reply for the shorter derived TTL', async () => {
    const c = { key: idempotencyKey(SCOPE, undefined, [uniqueId('req')]), fingerprint: 'fp', codec: TEXT };
    await idem.run(c, async () => 'derived');
    const ttl = await redis.pttl(idem.redisKey(c.key));
    assert.ok(ttl > 0 && ttl <= SETTINGS.derivedTtlMs, `derived TTL ${ttl}`);
  });
});
