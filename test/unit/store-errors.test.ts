import { strict as assert } from 'node:assert';
import { status } from '@grpc/grpc-js';
import { toGrpcStatus } from '../../src/platform/grpc-status';
import { isStoreUnavailable } from '../../src/platform/store-errors';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('store-unavailable errors', () => {
  it('recognises a MySQL connection loss wrapped by drizzle (cause chain)', () => {
    const driver = Object.assign(new Error("Can't add new command when connection is in closed state"), { fatal: true });
    const wrapped = new Error('Failed query: select 1', { cause: driver });
    assert.equal(isStoreUnavailable(wrapped), true);
    assert.equal(isStoreUnavailable(new Error('Failed query', { cause: withCode('gone', 'PROTOCOL_CONNECTION_LOST') })), true);
    assert.equal(isStoreUnavailable(withCode('connect ECONNREFUSED 127.0.0.1:3316', 'ECONNREFUSED')), true);
  });

  it('recognises ioredis giving up while reconnecting', () => {
    const e = new Error('Reached the max retries per request limit (which is 3).');
    e.name = 'MaxRetriesPerRequestError';
    assert.equal(isStoreUnavailable(e), true);
    assert.equal(isStoreUnavailable(new Error('Connection is closed.')), true);
  });

  it('leaves data errors and bugs alone', () => {
    assert.equal(isStoreUnavailable(withCode('Duplicate entry', 'ER_DUP_ENTRY')), false);
    assert.equal(isStoreUnavailable(new TypeError("Cannot read properties of undefined (reading 'x')")), false);
    assert.equal(isStoreUnavailable('ECONNREFUSED'), false);
  });

  it('maps to UNAVAILABLE with a generic text at the gRPC boundary (no internals)', () => {
    const st = toGrpcStatus(new Error('Failed query: select `secret` from t', { cause: withCode('x', 'ECONNREFUSED') }));
    assert.deepEqual(st, { code: status.UNAVAILABLE, details: 'a dependency is unavailable', unexpected: false });
    assert.equal(toGrpcStatus(new Error('boom')).code, status.INTERNAL);
  });
});
