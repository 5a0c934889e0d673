// Buyer sessions: the gateway mints an anonymous user id and signs {uid, exp} with HMAC-SHA256.
// Token = base64url(JSON payload) "." base64url(mac). Stateless: any replica with the same secret
// verifies it; the user id of every call comes from here, never from a request body or query.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../platform/clock';

export const SESSION_COOKIE = 'shop_session';

export interface Session {
  readonly userId: string;
  readonly expiresAt: Date;
}

export interface IssuedSession extends Session {
  readonly token: string;
}

export type SessionProblem = 'malformed' | 'bad-signature' | 'expired';

export interface SessionCodec {
  issue(): IssuedSession;
  /** The session, or why the token is refused. */
  verify(token: string): Session | SessionProblem;
}

const MAX_TOKEN_LENGTH = 512;

export function createSessionCodec(secret: string, ttlMs: number, clock: Pick<Clock, 'now'>): SessionCodec {
  const mac = (payload: string) => createHmac('sha256', secret).update(payload, 'utf8').digest();

  function sign(userId: string, exp: number): string {
    const payload = Buffer.from(JSON.stringify({ uid: userId, exp }), 'utf8').toString('base64url');
    return `${payload}.${mac(payload).toString('base64url')}`;
  }

  return {
    issue() {
      // "u-" + 32 hex: printable ASCII, well under the services' 64-character id limit.
      const userId = `u-${randomUUID().replaceAll('-', '')}`;
      const exp = clock.now() + ttlMs;
      return { token: sign(userId, exp), userId, expiresAt: new Date(exp) };
    },
    verify(token) {
      if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return 'malformed';
      const dot = token.indexOf('.');
      if (dot <= 0 || dot !== token.lastIndexOf('.')) return 'malformed';
      const payload = token.slice(0, dot);
      const given = Buffer.from(token.slice(dot + 1), 'base64url');
      const expected = mac(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad-signature';
      let claims: unknown;
      try {
        claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        return 'malformed';
      }
      const { uid, exp } = (claims ?? {}) as { uid?: unknown; exp?: unknown };
      if (typeof uid !== 'string' || !/^[\x21-\x7e]{1,64}$/.test(uid) || typeof exp !== 'number') return 'malformed';
      if (exp <= clock.now()) return 'expired';
      return { userId: uid, expiresAt: new Date(exp) };
    },
  };
}
