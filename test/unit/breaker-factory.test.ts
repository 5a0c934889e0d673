// The breaker factory with fake calls: which errors trip it, fast UnavailableError naming the
// dependency while open, half-open trial, deadline cap, states and event counts for metrics.
import assert from 'node:assert/strict';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import {
  BreakerOpenError,
  BreakerTimeoutError,
  DependencyUnavailableError,
  createBreakers,
  isCallerFault,
  type BreakerSettings,
  type Breakers,
} from '../../src/platform/breaker';
import { registerBreakerMetrics } from '../../src/platform/breakers/metrics';
import { FailedPreconditionError, UnavailableError } from '../../src/platform/errors';
import type { CallOptions, UnaryFn } from '../../src/platform/grpc-client';
import { toGrpcStatus } from '../../src/platform/grpc-status';
import { testLogger } from '../support/test-logger';

const INFO = { method: '/test.Service/Method' };

const SETTINGS: BreakerSettings = {
  timeoutMs: 1_000,
  errorThresholdPercentage: 50,
  resetTimeoutMs: 30,
  volumeThreshold: 4,
  rollingWindowMs: 10_000,
};

function serviceError(code: number, details = 'boom'): ServiceError {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: new Metadata() }) as ServiceError;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}

/** Polls (no timing assertion) until the predicate holds. */
async function eventually(pred: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !pred(); i++) await new Promise(r => setTimeout(r, 5));
  assert.ok(pred(), 'condition never became true');
}

describe('breakers (opossum factory)', () => {
  let breakers: Breakers;
  beforeEach(() => {
    breakers = createBreakers({ settings: SETTINGS, logger: testLogger('breaker') });
  });
  afterEach(() => breakers.shutdown());

  const failing = (err: unknown): UnaryFn<string, string> => async () => {
    throw err;
  };

  it('client errors (INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, …, upstream 400) never open it', async () => {
    const call = breakers.wrap('payment')(failing(serviceError(status.INVALID_ARGUMENT)), INFO);
    for (const code of [status.INVALID_ARGUMENT, status.NOT_FOUND, status.ALREADY_EXISTS, status.FAILED_PRECONDITION,
      status.PERMISSION_DENIED, status.UNAUTHENTICATED, status.OUT_OF_RANGE, 400]) {
      const fn = breakers.wrap('payment')(failing(serviceError(code)), INFO);
      for (let i = 0; i < 5; i++) assert.equal(((await rejection(fn('x'))) as ServiceError).code, code);
    }
    assert.equal(((await rejection(call('x'))) as ServiceError).code, status.INVALID_ARGUMENT);
    assert.deepEqual(breakers.breakerStates(), { payment: 'closed' });
    assert.equal(breakers.eventCounts().payment?.failure, 0);
  });

  it('opens after the volume threshold of failures, then fails fast with "payment unavailable" without calling', async () => {
    let calls = 0;
    const fn = breakers.wrap('payment')(async () => {
      calls++;
      throw serviceError(status.UNAVAILABLE, 'connect ECONNREFUSED');
    }, INFO);
    for (let i = 0; i < SETTINGS.volumeThreshold; i++) {
      const err = await rejection(fn('x'));
      assert.ok(err instanceof DependencyUnavailableError, String(err));
      assert.equal((err as Error).message, 'payment unavailable');
    }
    assert.equal(breakers.breakerStates().payment, 'open');
    assert.equal(breakers.isOpen('payment'), true);
    const before = calls;
    const err = await rejection(fn('x'));
    assert.ok(err instanceof BreakerOpenError && err instanceof UnavailableError);
    assert.equal((err as Error).message, 'payment unavailable');
    assert.deepEqual(toGrpcStatus(err), { code: status.UNAVAILABLE, details: 'payment unavailable', unexpected: false });
    assert.equal(calls, before, 'an open breaker must not call the dependency');
    const counts = breakers.eventCounts().payment!;
    assert.equal(counts.open, 1);
    assert.equal(counts.reject, 1);
    assert.equal(counts.failure, SETTINGS.volumeThreshold);
  });

  it('half-opens after resetTimeout; a successful trial closes it, a failed one re-opens it', async () => {
    let healthy = false;
    const fn = breakers.wrap('cart')(async (req: string) => {
      if (!healthy) throw serviceError(status.DEADLINE_EXCEEDED);
      return `ok ${req}`;
    }, INFO);
    for (let i = 0; i < SETTINGS.volumeThreshold; i++) await rejection(fn('x'));
    assert.equal(breakers.breakerStates().cart, 'open');
    await eventually(() => breakers.breakerStates().cart === 'halfOpen');
    assert.equal(breakers.isOpen('cart'), false, 'half-open lets the trial through');
    await rejection(fn('trial'));
    assert.equal(breakers.breakerStates().cart, 'open');
    await eventually(() => breakers.breakerStates().cart === 'halfOpen');
    healthy = true;
    assert.equal(await fn('trial'), 'ok trial');
    assert.equal(breakers.breakerStates().cart, 'closed');
    assert.equal(breakers.eventCounts().cart?.close, 1);
  });

  it('a call outliving the breaker timeout is a BreakerTimeoutError (UNAVAILABLE naming the dependency)', async () => {
    const slow = createBreakers({ settings: { ...SETTINGS, timeoutMs: 20 }, logger: testLogger('breaker') });
    try {
      const err = await slow.run('shipping', () => new Promise(resolve => setTimeout(resolve, 200)));
      assert.fail(`expected a timeout, got ${String(err)}`);
    } catch (err) {
      assert.ok(err instanceof BreakerTimeoutError, String(err));
      assert.match((err as Error).message, /^shipping unavailable/);
      assert.equal(slow.eventCounts().shipping?.timeout, 1);
    } finally {
      slow.shutdown();
    }
  });

  it('caps gRPC deadlines below the breaker timeout (explicit and default)', async () => {
    const seen: Array<number | undefined> = [];
    const opts = breakers.unaryOptions('currency', 5_000);
    assert.ok(opts.defaultDeadlineMs < SETTINGS.timeoutMs, `default ${opts.defaultDeadlineMs}`);
    assert.equal(breakers.unaryOptions('currency', 200).defaultDeadlineMs, 200);
    const fn = opts.wrap!(async (_req: string, o?: CallOptions) => {
      seen.push(o?.deadlineMs);
      return 'ok';
    }, { method: '/x' });
    await fn('a', { deadlineMs: 60_000 });
    await fn('b', { deadlineMs: 100 });
    await fn('c');
    assert.equal(seen[0], breakers.maxDeadlineMs);
    assert.ok(breakers.maxDeadlineMs < SETTINGS.timeoutMs);
    assert.equal(seen[1], 100);
    assert.equal(seen[2], undefined, 'no explicit deadline: the (capped) default applies');
  });

  it('run(): typed caller faults pass through without counting; infrastructure errors count', async () => {
    await rejection(breakers.run('redis', async () => { throw new FailedPreconditionError('nope'); }));
    await rejection(breakers.run('redis', async () => { throw new UnavailableError('down'); }));
    assert.equal(breakers.eventCounts().redis?.failure, 1);
    assert.equal(isCallerFault(new FailedPreconditionError('x')), true);
    assert.equal(isCallerFault(new Error('ECONNRESET')), false);
  });

  it('exports state and event counts to Prometheus', async () => {
    const registry = new Registry();
    registerBreakerMetrics(registry, breakers);
    const fn = breakers.wrap('payment')(failing(serviceError(status.UNAVAILABLE)), INFO);
    for (let i = 0; i < SETTINGS.volumeThreshold; i++) await rejection(fn('x'));
    const text = await registry.metrics();
    assert.match(text, /circuit_breaker_state\{name="payment"\} 2/);
    assert.match(text, /circuit_breaker_events_total\{name="payment",event="failure"\} 4/);
    assert.match(text, /circuit_breaker_events_total\{name="payment",event="open"\} 1/);
    await rejection(fn('x'));
    assert.match(await registry.metrics(), /circuit_breaker_events_total\{name="payment",event="reject"\} 1/);
  });
});
