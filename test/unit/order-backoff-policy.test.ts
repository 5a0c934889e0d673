// The follow-up of a failed ShipOrder / SendOrderConfirmation: which failures are retried, how long the
// waits get, when the task gives up (order-side retry-policy.ts).
import assert from 'node:assert/strict';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { BreakerOpenError, BreakerTimeoutError } from '../../src/platform/breaker';
import { InvalidArgumentError, UnavailableError } from '../../src/platform/errors';
import { classifyCallError, nextStep, type RetryPolicy } from '../../src/services/order/shipping/retry-policy';

function grpcError(code: status, details: string): ServiceError {
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata: new Metadata() });
}

const policy: RetryPolicy = { maxAttempts: 4, backoff: { initialMs: 1_000, maxMs: 5_000, jitter: 0.5 } };
const NOW = 1_000_000;
const noJitter = () => 0;

describe('order fulfilment retry policy', () => {
  describe('classifyCallError', () => {
    it('peer trouble is transient: UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL, UNKNOWN, ABORTED', () => {
      for (const code of [status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.RESOURCE_EXHAUSTED, status.INTERNAL, status.UNKNOWN, status.ABORTED]) {
        assert.equal(classifyCallError(grpcError(code, 'x')).kind, 'transient', status[code]);
      }
    });

    it('a peer that answered "never" is permanent: INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, UNIMPLEMENTED, …', () => {
      for (const code of [status.INVALID_ARGUMENT, status.NOT_FOUND, status.FAILED_PRECONDITION, status.PERMISSION_DENIED, status.UNAUTHENTICATED, status.UNIMPLEMENTED, status.OUT_OF_RANGE]) {
        assert.equal(classifyCallError(grpcError(code, 'x')).kind, 'permanent', status[code]);
      }
    });

    it('the reason names the code and the peer\'s details', () => {
      assert.deepEqual(classifyCallError(grpcError(status.UNAVAILABLE, 'shipping carrier unavailable')), {
        kind: 'transient',
        reason: 'UNAVAILABLE: shipping carrier unavailable',
      });
    });

    it('an open breaker defers (the call was never made); a breaker timeout is transient', () => {
      assert.equal(classifyCallError(new BreakerOpenError('shipping')).kind, 'deferred');
      assert.equal(classifyCallError(new BreakerTimeoutError('shipping', 3_000)).kind, 'transient');
    });

    it('our own typed errors: infrastructure trouble is transient, a bad request permanent; unknown errors transient', () => {
      assert.equal(classifyCallError(new UnavailableError('down')).kind, 'transient');
      assert.equal(classifyCallError(new InvalidArgumentError('address', 'missing')).kind, 'permanent');
      assert.equal(classifyCallError(new Error('socket hang up')).kind, 'transient');
      assert.equal(classifyCallError('weird').kind, 'transient');
    });
  });

  describe('nextStep', () => {
    const transient = { kind: 'transient', reason: 'UNAVAILABLE: down' } as const;

    it('a transient failure counts an attempt and waits the capped, doubling backoff', () => {
      const waits = [0, 1, 2, 3].map(made => {
        const step = nextStep({ ...policy, maxAttempts: 100 }, made, transient, NOW, noJitter);
        assert.equal(step.kind, 'retry');
        assert.equal(step.attempts, made + 1);
        return step.kind === 'retry' ? step.dueAt - NOW : -1;
      });
      assert.deepEqual(waits, [1_000, 2_000, 4_000, 5_000]);
    });

    it('jitter only shortens the wait', () => {
      const step = nextStep(policy, 1, transient, NOW, () => 1);
      assert.equal(step.kind === 'retry' && step.dueAt - NOW, 1_000);
    });

    it('the last allowed attempt gives up with the count and the last reason', () => {
      assert.equal(nextStep(policy, 2, transient, NOW, noJitter).kind, 'retry');
      assert.deepEqual(nextStep(policy, 3, transient, NOW, noJitter), {
        kind: 'give-up',
        attempts: 4,
        reason: 'gave up after 4 attempts: UNAVAILABLE: down',
      });
    });

    it('maxAttempts 1 means no retry at all', () => {
      assert.equal(nextStep({ ...policy, maxAttempts: 1 }, 0, transient, NOW).kind, 'give-up');
    });

    it('a permanent failure gives up at once, with the peer\'s reason as is', () => {
      assert.deepEqual(nextStep(policy, 0, { kind: 'permanent', reason: 'INVALID_ARGUMENT: address: undeliverable' }, NOW), {
        kind: 'give-up',
        attempts: 1,
        reason: 'INVALID_ARGUMENT: address: undeliverable',
      });
    });

    it('a deferred call uses no attempt, however often it happens', () => {
      let attempts = 3;
      for (let i = 0; i < 50; i++) {
        const step = nextStep(policy, attempts, { kind: 'deferred', reason: 'shipping unavailable' }, NOW, noJitter);
        assert.equal(step.kind, 'retry');
        attempts = step.attempts;
        assert.equal(step.kind === 'retry' && step.dueAt - NOW, 4_000);
      }
      assert.equal(attempts, 3);
    });
  });
});
