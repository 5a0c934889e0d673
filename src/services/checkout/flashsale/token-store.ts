// One-time purchase tokens (anti-resubmit, seed 002): IssueToken stores a random token per user and
// item; Buy takes it with a compare-and-delete script, so a double-click or a replayed request
// carrying the same token gets through once. A new IssueToken replaces the user's previous token for
// that item: a buyer holds at most one live token per item.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../../platform/clock';
import type { RedisClient } from '../../../platform/redis';
import type { FlashScripts } from './flash-scripts';
import type { FlashKeys } from './keys';

export type TakeOutcome =
  | {
      readonly kind: 'TAKEN';
      readonly remainingMs: number;
      /** "<order id> <created at ms>" of an earlier attempt with this token that failed undecided ('' if none). */
      readonly pending: string;
    }
  /** Never issued, expired or already used. */
  | { readonly kind: 'MISSING' }
  /** Another token is live for this user and item. */
  | { readonly kind: 'MISMATCH' };

export interface IssuedToken {
  readonly token: string;
  readonly expiresAt: Date;
}

export interface TokenStore {
  issue(userId: string, productId: string): Promise<IssuedToken>;
  take(userId: string, productId: string, token: string): Promise<TakeOutcome>;
  /**
   * Puts a taken token back with `pending` ("<order id> <created at ms>" of the attempt that failed
   * before learning the inventory's answer); false when a newer token is live.
   */
  restore(userId: string, productId: string, token: string, pending: string, remainingMs: number): Promise<boolean>;
}

/** 128 random bits, URL-safe: unguessable, and short enough for a header or a form field. */
export function newToken(): string {
  return randomBytes(16).toString('base64url');
}

export function createTokenStore(deps: {
  readonly redis: RedisClient;
  readonly scripts: FlashScripts;
  readonly keys: FlashKeys;
  readonly clock: Pick<Clock, 'now'>;
  readonly ttlMs: number;
}): TokenStore {
  const { redis, scripts, keys, clock, ttlMs } = deps;
  return {
    async issue(userId, productId) {
      const token = newToken();
      await redis.set(keys.token(userId, productId), token, 'PX', ttlMs);
      return { token, expiresAt: new Date(clock.now() + ttlMs) };
    },
    async take(userId, productId, token) {
      const reply = await scripts.run('flashTakeToken', [keys.token(userId, productId)], [token]);
      if (reply[0] === 1) return { kind: 'TAKEN', remainingMs: Number(reply[1]), pending: String(reply[2]) };
      return reply[0] === 0 ? { kind: 'MISSING' } : { kind: 'MISMATCH' };
    },
    async restore(userId, productId, token, pending, remainingMs) {
      if (remainingMs < 1) return false;
      const reply = await scripts.run('flashRestoreToken', [keys.token(userId, productId)], [token, pending, Math.floor(remainingMs)]);
      return reply === 1;
    },
  };
}
