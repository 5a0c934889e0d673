// Idempotent request execution backed by Redis (see idempotency.ts for the protocol).
export {
  createIdempotency,
  idempotencySettings,
  DEFAULT_STORED_CODES,
  IdempotencyKeyReusedError,
  RequestInProgressError,
  type Idempotency,
  type IdempotencyDeps,
  type IdempotencySettings,
  type IdempotentCall,
  type IdempotentOutcome,
  type ReplyCodec,
} from './idempotency';
export {
  IDEMPOTENCY_KEY_HEADER,
  MAX_CLIENT_KEY_LENGTH,
  clientKeyOf,
  fingerprint,
  idempotencyKey,
  type Canonical,
  type IdempotencyKey,
  type KeyScope,
} from './keys';
export { REPLAYABLE_CODES, replayedError } from './replay-error';
