// Order ids: a UUID named after the request's idempotency key, so every retry of one key (a client
// `idempotency-key`, or the derived key: user + request + cart + order epoch) meets its own
// reservation and its own charge downstream (both keyed by order id) instead of creating new ones.
// A spent id never comes back for a new order: client keys are the client's promise, and derived
// keys change with the order epoch (order-epochs.ts).
import { createHash } from 'node:crypto';
import type { IdempotencyKey } from '../../platform/idempotency';

/** Fixed namespace of checkout's name-based UUIDs (random, chosen once). */
const NAMESPACE = Buffer.from('6f1c2a4e9b0d4c7a8e3f5d2b1a09c8e7', 'hex');

/** RFC 9562 version 5 (SHA-1, name-based) UUID of `name` in our namespace. */
export function uuidV5(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  const b = Buffer.from(hash.subarray(0, 16));
  b[6] = ((b[6] as number) & 0x0f) | 0x50;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function orderIdFor(key: IdempotencyKey): string {
  return uuidV5(`${key.source}:${key.id}`);
}
