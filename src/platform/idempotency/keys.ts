// Idempotency keys: the client's `idempotency-key` metadata, scoped to method and user (two users'
// keys never meet), or, without one, a hash of method, user and the canonical request. Either way
// the stored id is a fixed-length hash, so any client string is a safe Redis key.
import { createHash } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { InvalidArgumentError } from '../errors';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const MAX_CLIENT_KEY_LENGTH = 128;
const CLIENT_KEY_RE = /^[\x21-\x7e]+$/;

export interface IdempotencyKey {
  /** base64url SHA-256 of the scoped key: what Redis stores under `idem:{<id>}`. */
  readonly id: string;
  /** 'client' when the caller sent `idempotency-key`; 'derived' when we hashed the request. */
  readonly source: 'client' | 'derived';
  /** The caller's own key (audit trails), when it sent one. */
  readonly clientKey?: string;
}

export interface KeyScope {
  /** e.g. "/hipstershop.CheckoutService/PlaceOrder" */
  readonly method: string;
  readonly user: string;
}

export type Canonical = Uint8Array | string;

/** The caller's `idempotency-key` (first value); undefined when absent or empty. */
export function clientKeyOf(metadata: Metadata): string | undefined {
  const value = metadata.get(IDEMPOTENCY_KEY_HEADER)[0];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > MAX_CLIENT_KEY_LENGTH || !CLIENT_KEY_RE.test(value)) {
    throw new InvalidArgumentError(IDEMPOTENCY_KEY_HEADER, `must be 1-${MAX_CLIENT_KEY_LENGTH} printable ASCII characters`);
  }
  return value;
}

/** base64url SHA-256 over length-prefixed parts, so ("ab","c") and ("a","bc") differ. */
export function fingerprint(...parts: readonly Canonical[]): string {
  const h = createHash('sha256');
  for (const part of parts) {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    h.update(len).update(bytes);
  }
  return h.digest('base64url');
}

/** The key of one request: the client's when given, else derived from the canonical request. */
export function idempotencyKey(scope: KeyScope, clientKey: string | undefined, canonical: readonly Canonical[]): IdempotencyKey {
  if (clientKey !== undefined) {
    return { id: fingerprint('client', scope.method, scope.user, clientKey), source: 'client', clientKey };
  }
  return { id: fingerprint('derived', scope.method, scope.user, ...canonical), source: 'derived' };
}
