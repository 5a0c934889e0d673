// Pure parts of the idempotency module: key scoping and derivation, metadata parsing, and replayed
// errors that map to exactly the stored status.
import assert from 'node:assert/strict';
import { Metadata, status } from '@grpc/grpc-js';
import { InvalidArgumentError } from '../../src/platform/errors';
import { toGrpcStatus } from '../../src/platform/grpc-status';
import {
  REPLAYABLE_CODES,
  clientKeyOf,
  fingerprint,
  idempotencyKey,
  replayedError,
} from '../../src/platform/idempotency';

const SCOPE = { method: '/hipstershop.CheckoutService/PlaceOrder', user: 'u-1' };

describe('idempotency keys', () => {
  it('a client key is scoped to method and user: two users never share a record', () => {
    const a = idempotencyKey(SCOPE, 'k-1', []);
    const b = idempotencyKey({ ...SCOPE, user: 'u-2' }, 'k-1', []);
    const c = idempotencyKey({ ...SCOPE, method: '/shop.v1.FlashSaleService/Buy' }, 'k-1', []);
    assert.equal(a.source, 'client');
    assert.equal(a.clientKey, 'k-1');
    assert.notEqual(a.id, b.id);
    assert.notEqual(a.id, c.id);
    assert.equal(a.id, idempotencyKey(SCOPE, 'k-1', ['ignored when a client key exists']).id);
  });

  it('without a client key the id is a hash of method, user and the canonical request', () => {
    const a = idempotencyKey(SCOPE, undefined, [Buffer.from([1, 2, 3]), 'cart A']);
    assert.equal(a.source, 'derived');
    assert.equal(a.clientKey, undefined);
    assert.equal(a.id, idempotencyKey(SCOPE, undefined, [Buffer.from([1, 2, 3]), 'cart A']).id);
    assert.notEqual(a.id, idempotencyKey(SCOPE, undefined, [Buffer.from([1, 2, 3]), 'cart B']).id);
    // a client key equal to the derived text is still a different record
    assert.notEqual(a.id, idempotencyKey(SCOPE, 'cart A', []).id);
  });

  it('ids are fixed-length url-safe hashes whatever the client sent (safe inside idem:{…})', () => {
    const k = idempotencyKey(SCOPE, '}{:weird/key*', []);
    assert.match(k.id, /^[A-Za-z0-9_-]{43}$/);
  });

  it('fingerprint separates parts (length-prefixed)', () => {
    assert.notEqual(fingerprint('ab', 'c'), fingerprint('a', 'bc'));
    assert.equal(fingerprint(Buffer.from('x')), fingerprint('x'));
  });

  it('reads idempotency-key metadata; empty is absent; a bad one is INVALID_ARGUMENT naming it', () => {
    const md = (v?: string) => {
      const m = new Metadata();
      if (v !== undefined) m.set('idempotency-key', v);
      return m;
    };
    assert.equal(clientKeyOf(md()), undefined);
    assert.equal(clientKeyOf(md('')), undefined);
    assert.equal(clientKeyOf(md('order-7f3a')), 'order-7f3a');
    for (const bad of ['x'.repeat(129), 'has space']) {
      assert.throws(() => clientKeyOf(md(bad)), (err: unknown) => err instanceof InvalidArgumentError && /^idempotency-key: /.test(err.message));
    }
  });

  it('replayed errors map back to the stored code and details exactly', () => {
    const samples: Array<[status, string]> = [
      [status.INVALID_ARGUMENT, 'address.zip_code: must be a positive number, got 0'],
      [status.INVALID_ARGUMENT, 'no field prefix here'],
      [status.FAILED_PRECONDITION, 'product OLJCESPC7Z is sold out (requested 3, 1 left)'],
      [status.NOT_FOUND, 'no such order'],
      [status.ALREADY_EXISTS, 'idempotency-key was already used for a different request'],
      [status.PERMISSION_DENIED, 'nope'],
      [status.UNAUTHENTICATED, 'who are you'],
    ];
    for (const [code, details] of samples) {
      assert.ok(REPLAYABLE_CODES.has(code));
      const err = replayedError(code, details);
      assert.deepEqual(toGrpcStatus(err), { code, details, unexpected: false });
    }
    assert.equal(replayedError(status.UNAVAILABLE, 'x'), undefined, 'transient replies are never stored, so never rebuilt');
  });
});
