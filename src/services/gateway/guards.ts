// The checks every request passes before any gRPC call, cheapest first:
//   onRequest:  trace id → IP deny/allow list (403) → per-IP rate limit (429) → session (401, auth routes)
//   (Fastify):  content type (415), body size (413), JSON syntax (400 BAD_JSON)
//   preHandler: HMAC signature when enabled (401 BAD_SIGNATURE) → no user id in query (400)
// Health probes skip the address and rate checks (the orchestrator must always reach them).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AddressList } from '../../platform/cidr';
import { GatewayError, badRequest, unauthenticated } from './http-errors';
import type { IpRateLimiter } from './rate-limiter';
import type { RequestVerifier } from './request-signing';
import { SIGNATURE_HEADER, SIGNATURE_TIMESTAMP_HEADER } from './request-signing';
import { normalizeAddress, requestState, setRequestState } from './request-state';
import { SESSION_COOKIE, type Session, type SessionCodec } from './session';
import { TRACEPARENT_HEADER, TRACE_ID_HEADER, startRequestTrace } from './trace-context';

export interface GuardDeps {
  readonly ipAllow: AddressList;
  readonly ipDeny: AddressList;
  readonly rateLimiter: IpRateLimiter;
  readonly sessions: SessionCodec;
  readonly verifier: RequestVerifier;
}

/** Route option `config: { auth: true }` marks routes that need a buyer session. */
export interface RouteGuardConfig {
  readonly auth?: boolean;
}

export const PROBE_PATHS = new Set(['/healthz', '/readyz']);

export function addressRefusal(ip: string, allow: AddressList, deny: AddressList): GatewayError | undefined {
  if (deny.has(ip) || (!allow.empty && !allow.has(ip))) return new GatewayError(403, 'IP_DENIED', 'requests from this address are not allowed');
  return undefined;
}

export function rateRefusal(ip: string, limiter: IpRateLimiter): GatewayError | undefined {
  const d = limiter.take(ip);
  if (d.allowed) return undefined;
  const seconds = String(Math.max(1, Math.ceil(d.retryAfterMs / 1000)));
  return new GatewayError(429, 'RATE_LIMITED', `too many requests from this address; retry in ${seconds} s`, { headers: { 'retry-after': seconds } });
}

/** The value of one cookie from a Cookie header (no cookie library needed for one name). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** Session from `Authorization: Bearer`, else the cookie, else `extra` (WebSocket ?session=). */
export function sessionFrom(
  headers: { authorization?: string | undefined; cookie?: string | undefined },
  sessions: SessionCodec,
  extra?: string,
): Session | GatewayError {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
  const token = bearer ?? cookieValue(headers.cookie, SESSION_COOKIE) ?? extra;
  if (token === undefined || token === '') return unauthenticated('a session is required: POST /api/session first');
  const verdict = sessions.verify(token);
  if (verdict === 'expired') return unauthenticated('the session has expired: POST /api/session for a new one');
  if (typeof verdict === 'string') return unauthenticated('invalid session');
  return verdict;
}

export function createGuards(deps: GuardDeps) {
  async function onRequest(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const trace = startRequestTrace(req.headers, `HTTP ${req.method} ${req.routeOptions.url ?? 'unmatched'}`);
    const ip = normalizeAddress(req.ip);
    setRequestState(req, { trace, ip });
    reply.header(TRACEPARENT_HEADER, trace.traceparent).header(TRACE_ID_HEADER, trace.traceId);
    if (PROBE_PATHS.has(req.url)) return;
    const refused = addressRefusal(ip, deps.ipAllow, deps.ipDeny) ?? rateRefusal(ip, deps.rateLimiter);
    if (refused) throw refused;
    if ((req.routeOptions.config as RouteGuardConfig | undefined)?.auth) {
      const session = sessionFrom(req.headers, deps.sessions);
      if (session instanceof GatewayError) throw session;
      const state = requestState(req);
      if (state) state.session = session;
    }
  }

  async function preHandler(req: FastifyRequest): Promise<void> {
    if (!req.url.startsWith('/api/')) return;
    if (deps.verifier.enabled) {
      const header = (name: string) => {
        const v = req.headers[name];
        return typeof v === 'string' ? v : undefined;
      };
      const problem = deps.verifier.check({
        method: req.method,
        url: req.url,
        body: requestState(req)?.rawBody ?? Buffer.alloc(0),
        timestamp: header(SIGNATURE_TIMESTAMP_HEADER),
        signature: header(SIGNATURE_HEADER),
      });
      if (problem) {
        const why = problem === 'missing' ? 'missing or malformed' : problem === 'stale' ? 'timestamp too far from server time' : 'does not match';
        throw new GatewayError(401, 'BAD_SIGNATURE', `request signature ${why}`);
      }
    }
    const query = req.query as Record<string, unknown> | undefined;
    if (query && ['userId', 'user_id', 'uid'].some(k => Object.prototype.hasOwnProperty.call(query, k))) {
      throw badRequest('userId', 'must not be sent: the user is the session\'s');
    }
  }

  return { onRequest, preHandler };
}
