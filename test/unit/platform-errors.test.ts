import assert from 'node:assert/strict';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import {
  AbortedError,
  AlreadyExistsError,
  DeadlineExceededError,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnauthenticatedError,
  UnavailableError,
} from '../../src/platform/errors';
import { INTERNAL_DETAILS, isCallerFaultCode, isRetryableCode, toGrpcStatus } from '../../src/platform/grpc-status';

function serviceError(code: status, details: string): ServiceError {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: new Metadata() });
}

describe('platform errors → gRPC status', () => {
  const cases: Array<[Error, status, string]> = [
    [new InvalidArgumentError('user_id', 'must not be empty'), status.INVALID_ARGUMENT, 'user_id: must not be empty'],
    [new NotFoundError('no product with ID X'), status.NOT_FOUND, 'no product with ID X'],
    [new FailedPreconditionError('cart is empty'), status.FAILED_PRECONDITION, 'cart is empty'],
    [new AlreadyExistsError('request in progress'), status.ALREADY_EXISTS, 'request in progress'],
    [new ResourceExhaustedError('rate limited'), status.RESOURCE_EXHAUSTED, 'rate limited'],
    [new UnavailableError('payment unavailable'), status.UNAVAILABLE, 'payment unavailable'],
    [new UnauthenticatedError('token required'), status.UNAUTHENTICATED, 'token required'],
    [new PermissionDeniedError('admin only'), status.PERMISSION_DENIED, 'admin only'],
    [new AbortedError('lost a race'), status.ABORTED, 'lost a race'],
    [new DeadlineExceededError('too slow'), status.DEADLINE_EXCEEDED, 'too slow'],
  ];
  for (const [err, code, details] of cases) {
    it(`${err.name} → ${status[code]} with its message`, () => {
      assert.deepEqual(toGrpcStatus(err), { code, details, unexpected: false });
    });
  }

  it('keeps the field and class name on InvalidArgumentError', () => {
    const e = new InvalidArgumentError('quantity', 'must be positive');
    assert.equal(e.field, 'quantity');
    assert.equal(e.name, 'InvalidArgumentError');
    assert.ok(e instanceof Error);
  });

  it('InternalError → INTERNAL without its message', () => {
    const st = toGrpcStatus(new InternalError('invariant broken: stock -1 for sku 42'));
    assert.deepEqual(st, { code: status.INTERNAL, details: INTERNAL_DETAILS, unexpected: true });
  });

  it('unknown errors → INTERNAL "internal error", never their text or stack', () => {
    const leaks = [
      new Error("ER_NO_SUCH_TABLE: Table 'shop.orders' doesn't exist"),
      new TypeError("Cannot read properties of undefined (reading 'units')"),
      'a thrown string',
      { message: 'a thrown object' },
      undefined,
      null,
      // (an unreachable store is UNAVAILABLE with a generic text: test/unit/store-errors.test.ts)
    ];
    for (const e of leaks) {
      const st = toGrpcStatus(e);
      assert.equal(st.code, status.INTERNAL);
      assert.equal(st.details, 'internal error');
      assert.equal(st.unexpected, true);
    }
  });

  it('downstream transient failures keep their class, not their text', () => {
    assert.deepEqual(toGrpcStatus(serviceError(status.UNAVAILABLE, 'connect ECONNREFUSED 10.0.0.9:50051')), {
      code: status.UNAVAILABLE,
      details: 'a dependency is unavailable',
      unexpected: false,
    });
    assert.equal(toGrpcStatus(serviceError(status.DEADLINE_EXCEEDED, 'Deadline exceeded')).code, status.DEADLINE_EXCEEDED);
    const other = toGrpcStatus(serviceError(status.NOT_FOUND, 'no product with ID X'));
    assert.deepEqual(other, { code: status.INTERNAL, details: 'internal error', unexpected: true });
  });

  it('an AbortError (cancelled work) → CANCELLED', () => {
    const e = new Error('aborted');
    e.name = 'AbortError';
    assert.equal(toGrpcStatus(e).code, status.CANCELLED);
  });

  it('classifies codes for breakers and retries', () => {
    assert.ok(isCallerFaultCode(status.INVALID_ARGUMENT));
    assert.ok(isCallerFaultCode(status.NOT_FOUND));
    assert.ok(!isCallerFaultCode(status.UNAVAILABLE));
    assert.ok(!isCallerFaultCode(status.INTERNAL));
    assert.ok(isRetryableCode(status.UNAVAILABLE));
    assert.ok(!isRetryableCode(status.INVALID_ARGUMENT));
  });
});
