// What the gateway learns about a request on its way in (trace, client address, session, raw body),
// kept beside the request object rather than on it, so no global Fastify type is augmented.
import type { FastifyRequest } from 'fastify';
import { badRequest, unauthenticated } from './http-errors';
import type { Session } from './session';
import type { CallMeta } from './clients';
import type { RequestTrace } from './trace-context';

export interface RequestState {
  readonly trace: RequestTrace;
  /** The client address (X-Forwarded-For only from trusted proxies, see GATEWAY_TRUST_PROXY). */
  readonly ip: string;
  session?: Session;
  /** The JSON body's bytes as received (request signing hashes them). */
  rawBody?: Buffer;
}

const states = new WeakMap<object, RequestState>();

export function setRequestState(req: FastifyRequest, state: RequestState): void {
  states.set(req.raw, state);
}

export function requestState(req: FastifyRequest): RequestState | undefined {
  return states.get(req.raw);
}

function must(req: FastifyRequest): RequestState {
  const s = states.get(req.raw);
  if (!s) throw new Error('gateway request state missing (onRequest hook not run)');
  return s;
}

/** The signed-in user of an authenticated route. */
export function sessionUser(req: FastifyRequest): string {
  const s = must(req).session;
  if (!s) throw unauthenticated('a session is required: POST /api/session first');
  return s.userId;
}

/** Trace + buyer address for the request's gRPC calls. */
export function callMeta(req: FastifyRequest): CallMeta {
  const s = must(req);
  return {
    context: s.trace.context,
    traceparent: s.trace.traceparent,
    ...(s.trace.tracestate ? { tracestate: s.trace.tracestate } : {}),
    clientIp: s.ip,
  };
}

/** "::ffff:10.1.2.3" → "10.1.2.3", so IPv4 rules and per-address counters see one form. */
export function normalizeAddress(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/** Names the body must never carry: the user is the session's. */
const USER_ID_KEYS = ['userId', 'user_id', 'userid', 'uid'];

/** The parsed JSON body as an object (routes read typed fields from it). */
export function bodyObject(req: FastifyRequest): Record<string, unknown> {
  const body = req.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('body', 'must be a JSON object');
  const obj = body as Record<string, unknown>;
  for (const key of USER_ID_KEYS) {
    if (Object.prototype.hasOwnProperty.call(obj, key)) throw badRequest('userId', 'must not be sent: the user is the session\'s');
  }
  return obj;
}
