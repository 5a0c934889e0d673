// At-most-once execution per idempotency key, with the finished reply replayed to retries.
//
//   first call       SET-if-absent {s:p, owner, fingerprint} with a lock TTL → runs → stores the reply
//                    (success bytes, or a definite gRPC error) for the result TTL
//   retry, finished  gets exactly the stored reply (same bytes / same code and details)
//   retry, in flight waits (bounded) for the first call's reply, then ALREADY_EXISTS "request in progress"
//   transient error  (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL, ...) is not stored:
//                    the record is dropped so a retry runs again
//   derived key      (no client key) stores successes only: an error reply to a request the client
//                    did not name may depend on state (sold out, declined) and a retry should re-check
//   crash            the lock expires after its TTL and a retry runs again: callers must make their
//                    downstream effects idempotent themselves (checkout keys them by order id)
import { randomBytes } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { AlreadyExistsError, AppError, InternalError, UnavailableError } from '../errors';
import { toGrpcStatus } from '../grpc-status';
import type { Logger } from '../logger';
import type { RedisClient } from '../redis';
import type { IdempotencyKey } from './keys';
import { REPLAYABLE_CODES, replayedError } from './replay-error';
import { idempotencyScripts, toRecord } from './scripts';

export interface ReplyCodec<T> {
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

export interface IdempotentCall<T> {
  readonly key: IdempotencyKey;
  /** Hash of the canonical request: the same key with another request is refused (ALREADY_EXISTS). */
  readonly fingerprint: string;
  readonly codec: ReplyCodec<T>;
  /** Stops a waiting duplicate (the caller went away). */
  readonly signal?: AbortSignal;
}

export interface IdempotentOutcome<T> {
  readonly value: T;
  /** True when this is a stored reply of an earlier call. */
  readonly replayed: boolean;
}

export interface Idempotency {
  /** Runs `fn` unless a call with the same key finished (replay) or is in flight (wait). */
  run<T>(call: IdempotentCall<T>, fn: () => Promise<T>): Promise<IdempotentOutcome<T>>;
  /** The Redis key of a record (tests, operators). */
  redisKey(key: IdempotencyKey): string;
}

export interface IdempotencySettings {
  /** In-flight lock lifetime: longer than the slowest call, short enough for crash recovery. */
  readonly lockTtlMs: number;
  /** Replay lifetime for client keys. */
  readonly resultTtlMs: number;
  /** Replay lifetime for derived keys (no client key: a later identical request may be a new intent). */
  readonly derivedTtlMs: number;
  /** How long a concurrent duplicate waits for the first call. */
  readonly waitMs: number;
}

export interface IdempotencyDeps {
  readonly redis: RedisClient;
  readonly clock: Clock;
  readonly settings: IdempotencySettings;
  readonly logger: Logger;
  /** Prepended to `idem:{<id>}` (tests use a unique one). */
  readonly prefix?: string;
  /** Error codes whose replies are stored for client keys; default INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION. */
  readonly storedCodes?: readonly status[];
  /** First and longest pause between checks while waiting for an in-flight duplicate. */
  readonly pollMs?: { readonly min: number; readonly max: number };
}

export const DEFAULT_STORED_CODES: readonly status[] = [
  status.INVALID_ARGUMENT,
  status.NOT_FOUND,
  status.ALREADY_EXISTS,
  status.FAILED_PRECONDITION,
];

/** Thrown to a duplicate that waited `waitMs` for the first call. */
export class RequestInProgressError extends AlreadyExistsError {
  constructor() {
    super('request in progress');
  }
}

/** The key came back with a different request. */
export class IdempotencyKeyReusedError extends AlreadyExistsError {
  constructor() {
    super('idempotency-key was already used for a different request');
  }
}

export function idempotencySettings(config: Pick<Config, 'idempotency'>): IdempotencySettings {
  return { ...config.idempotency };
}

const IN_FLIGHT = 'p';
const DONE = 'd';

function storeUnavailable(err: unknown): UnavailableError {
  return new UnavailableError('idempotency store unavailable', { cause: err });
}

export function createIdempotency(deps: IdempotencyDeps): Idempotency {
  const { redis, clock, settings, logger } = deps;
  const prefix = deps.prefix ?? '';
  const stored = new Set(deps.storedCodes ?? DEFAULT_STORED_CODES);
  for (const code of stored) {
    if (!REPLAYABLE_CODES.has(code)) throw new RangeError(`idempotency: replies with code ${status[code]} cannot be replayed`);
  }
  const poll = deps.pollMs ?? { min: 5, max: 100 };
  const scripts = idempotencyScripts(redis);
  const redisKey = (key: IdempotencyKey): string => `${prefix}idem:{${key.id}}`;

  async function store<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw storeUnavailable(err);
    }
  }

  /** The reply of a done record, or an error for a record that cannot be replayed. */
  function replay<T>(record: Record<string, string>, codec: ReplyCodec<T>): T {
    if (record.b !== undefined) return codec.decode(Buffer.from(record.b, 'base64'));
    const error = replayedError(Number(record.c) as status, record.m ?? '');
    if (error) throw error;
    throw new InternalError(`idempotency record holds unreplayable code ${record.c}`);
  }

  async function execute<T>(call: IdempotentCall<T>, key: string, owner: string, fn: () => Promise<T>): Promise<T> {
    const ttl = call.key.source === 'client' ? settings.resultTtlMs : settings.derivedTtlMs;
    const finish = async (fields: Record<string, string>): Promise<void> => {
      try {
        const kept = await scripts.finish(key, owner, ttl, { s: DONE, f: call.fingerprint, ...fields });
        if (!kept) logger.warn({ key }, 'idempotency lock expired before the call finished; reply not stored');
      } catch (err) {
        // The work is done; only its replay is lost (a retry runs again, idempotently downstream).
        logger.error({ key, err }, 'could not store the idempotent reply');
      }
    };
    let value: T;
    try {
      value = await fn();
    } catch (err) {
      const st = toGrpcStatus(err);
      if (err instanceof AppError && stored.has(st.code) && call.key.source === 'client') {
        await finish({ c: String(st.code), m: st.details });
      } else {
        await scripts.abandon(key, owner).catch((e: unknown) => logger.warn({ key, err: e }, 'could not drop the idempotency lock'));
      }
      throw err;
    }
    await finish({ b: Buffer.from(call.codec.encode(value)).toString('base64') });
    return value;
  }

  return {
    redisKey,
    async run(call, fn) {
      const key = redisKey(call.key);
      const waitUntil = clock.now() + settings.waitMs;
      let pause = poll.min;
      for (;;) {
        const owner = randomBytes(12).toString('base64url');
        const existing = toRecord(await store(() => scripts.begin(key, owner, call.fingerprint, settings.lockTtlMs)));
        if (existing.s === undefined) return { value: await execute(call, key, owner, fn), replayed: false };
        if (existing.f !== call.fingerprint) throw new IdempotencyKeyReusedError();
        if (existing.s === DONE) return { value: replay(existing, call.codec), replayed: true };
        // In flight elsewhere: wait for its reply (or for it to give up, then run it ourselves).
        if (clock.now() >= waitUntil) throw new RequestInProgressError();
        await clock.sleep(Math.min(pause, Math.max(1, waitUntil - clock.now())), call.signal);
        pause = Math.min(pause * 2, poll.max);
      }
    },
  };
}
