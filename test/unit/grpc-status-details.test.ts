// Status details quote request fields; a 4 MiB field must not come back as a 4 MiB status (found by fuzzing).
import { strict as assert } from 'node:assert';
import { status } from '@grpc/grpc-js';
import { InvalidArgumentError, NotFoundError } from '../../src/platform/errors';
import { MAX_DETAILS_CHARS, toGrpcStatus } from '../../src/platform/grpc-status';

describe('grpc-status: details length', () => {
  it('keeps short messages as they are', () => {
    assert.deepEqual(toGrpcStatus(new NotFoundError('product X not found')), { code: status.NOT_FOUND, details: 'product X not found', unexpected: false });
  });

  it(`caps long messages at ${MAX_DETAILS_CHARS} characters, ending in an ellipsis`, () => {
    const st = toGrpcStatus(new InvalidArgumentError('currency_code', `unsupported currency "${'x'.repeat(65_536)}"`));
    assert.equal(st.code, status.INVALID_ARGUMENT);
    assert.equal(st.details.length, MAX_DETAILS_CHARS);
    assert.ok(st.details.startsWith('currency_code: unsupported currency "xxx'));
    assert.ok(st.details.endsWith('…'));
  });
});
