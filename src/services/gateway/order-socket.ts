// WebSocket GET /api/orders/:orderId/watch: one upstream OrderService.WatchOrder stream per socket,
// one JSON text frame per change, closed 1000 after a terminal state. The socket rides on the HTTP
// server's 'upgrade' event (ws in noServer mode), so it passes the same address and rate checks first.
// Browsers cannot set headers on a WebSocket: the session comes from the cookie or ?session=<token>.
// Close codes: 4401 no/invalid session, 4404 unknown order (or another user's), 1013 too many
// sockets or upstream unavailable, 1001 gateway stopping, 1012 order service restarting, 1011 other.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { status } from '@grpc/grpc-js';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressList } from '../../platform/cidr';
import { isServiceError } from '../../platform/grpc-status';
import type { Logger } from '../../platform/logger';
import { UnavailableError } from '../../platform/errors';
import type { CallMeta } from './clients';
import { GatewayError, toHttpError } from './http-errors';
import { addressRefusal, rateRefusal, sessionFrom } from './guards';
import { watchOrder, type OrderReader, type OrderWatch } from './order-feed';
import type { IpRateLimiter } from './rate-limiter';
import { normalizeAddress } from './request-state';
import type { SessionCodec } from './session';
import type { SocketSlots } from './socket-limits';
import { TRACEPARENT_HEADER, TRACE_ID_HEADER, startRequestTrace } from './trace-context';

export const WATCH_PATH = /^\/api\/orders\/([^/]{1,64})\/watch$/;
const HEARTBEAT_MS = 30_000;

export const CLOSE = { normal: 1000, goingAway: 1001, internal: 1011, restart: 1012, tryAgain: 1013, unauthenticated: 4401, notFound: 4404 } as const;

export interface OrderSocketDeps {
  readonly clients: OrderReader;
  readonly sessions: SessionCodec;
  readonly slots: SocketSlots;
  readonly rateLimiter: IpRateLimiter;
  readonly ipAllow: AddressList;
  readonly ipDeny: AddressList;
  /** The client address of an upgrade request (applies GATEWAY_TRUST_PROXY like Fastify does). */
  readonly clientIp: (req: IncomingMessage) => string;
  readonly logger: Logger;
}

export interface OrderSockets {
  attach(server: Server): void;
  open(): number;
  /** Closes every socket with 1001 and cancels their upstream streams. */
  closeAll(): Promise<void>;
}

interface Live {
  readonly ws: WebSocket;
  watch?: OrderWatch;
  alive: boolean;
}

function refuseHttp(socket: Duplex, err: GatewayError, headers: Record<string, string>): void {
  const { statusCode, body, headers: extra } = toHttpError(err);
  const text = JSON.stringify(body);
  const lines = [
    `HTTP/1.1 ${statusCode} ${statusCode === 403 ? 'Forbidden' : statusCode === 429 ? 'Too Many Requests' : 'Not Found'}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(text)}`,
    'connection: close',
    ...Object.entries({ ...headers, ...extra }).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${text}`);
}

export function createOrderSockets(deps: OrderSocketDeps): OrderSockets {
  const { clients, sessions, slots, logger } = deps;
  const log = logger.child({ component: 'order-socket' });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024, perMessageDeflate: false });
  const live = new Set<Live>();
  let stopping = false;
  const headersFor = new WeakMap<IncomingMessage, Record<string, string>>();
  wss.on('headers', (headers, req) => {
    for (const [k, v] of Object.entries(headersFor.get(req) ?? {})) headers.push(`${k}: ${v}`);
  });

  const heartbeat = setInterval(() => {
    for (const l of live) {
      if (!l.alive) {
        l.ws.terminate();
        continue;
      }
      l.alive = false;
      l.ws.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  function serve(ws: WebSocket, req: IncomingMessage, orderId: string, ip: string, meta: CallMeta): void {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const session = sessionFrom({ cookie: req.headers.cookie, authorization: req.headers.authorization }, sessions, url.searchParams.get('session') ?? undefined);
    if (session instanceof GatewayError) return ws.close(CLOSE.unauthenticated, session.message.slice(0, 120));
    if (stopping) return ws.close(CLOSE.goingAway, 'gateway stopping');
    if (!slots.acquire(ip)) return ws.close(CLOSE.tryAgain, 'too many open sockets; retry later');
    const entry: Live = { ws, alive: true };
    live.add(entry);
    ws.on('pong', () => (entry.alive = true));
    ws.on('error', () => undefined); // a broken client connection ends in 'close'
    ws.on('close', () => {
      live.delete(entry);
      slots.release(ip);
      entry.watch?.cancel();
    });
    const end = (code: number, reason: string) => {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
    };
    try {
      entry.watch = watchOrder(clients, orderId, session.userId, meta, {
        frame: order => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(order));
        },
        end: how => {
          if (how.kind === 'terminal') return end(CLOSE.normal, 'final state');
          if (how.kind === 'ended') return end(stopping ? CLOSE.goingAway : CLOSE.restart, 'order feed ended; reconnect');
          const err = how.error;
          if (isServiceError(err) && err.code === status.NOT_FOUND) return end(CLOSE.notFound, 'order not found');
          if (isServiceError(err) && err.code === status.INVALID_ARGUMENT) return end(CLOSE.notFound, 'order not found');
          if (isServiceError(err) && (err.code === status.UNAVAILABLE || err.code === status.DEADLINE_EXCEEDED)) {
            return end(CLOSE.tryAgain, 'order service unavailable; retry later');
          }
          log.warn({ orderId, err: err instanceof Error ? err.message : String(err) }, 'order watch failed');
          return end(CLOSE.internal, 'internal error');
        },
      });
    } catch (err) {
      end(err instanceof UnavailableError ? CLOSE.tryAgain : CLOSE.internal, 'order service unavailable; retry later');
    }
  }

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    const trace = startRequestTrace(req.headers, 'WS /api/orders/:orderId/watch');
    const headers = { [TRACEPARENT_HEADER]: trace.traceparent, [TRACE_ID_HEADER]: trace.traceId };
    const path = (req.url ?? '').split('?')[0] ?? '';
    const m = WATCH_PATH.exec(path);
    if (!m) return refuseHttp(socket, new GatewayError(404, 'NOT_FOUND', 'no WebSocket endpoint here'), headers);
    const ip = normalizeAddress(deps.clientIp(req));
    const refused = addressRefusal(ip, deps.ipAllow, deps.ipDeny) ?? rateRefusal(ip, deps.rateLimiter);
    if (refused) {
      trace.end(refused.statusCode);
      return refuseHttp(socket, refused, headers);
    }
    let orderId: string;
    try {
      orderId = decodeURIComponent(m[1] ?? '');
    } catch {
      return refuseHttp(socket, new GatewayError(404, 'NOT_FOUND', 'no such order'), headers);
    }
    headersFor.set(req, headers);
    const meta: CallMeta = { context: trace.context, traceparent: trace.traceparent, clientIp: ip };
    wss.handleUpgrade(req, socket, head, ws => {
      trace.end(101);
      serve(ws, req, orderId, ip, meta);
    });
  }

  return {
    attach(server) {
      server.on('upgrade', onUpgrade);
    },
    open: () => live.size,
    async closeAll() {
      stopping = true;
      clearInterval(heartbeat);
      const closed = [...live].map(
        l =>
          new Promise<void>(resolve => {
            l.watch?.cancel();
            l.ws.once('close', () => resolve());
            l.ws.close(CLOSE.goingAway, 'gateway stopping');
            // A client that never answers the close handshake is cut after a moment.
            setTimeout(() => {
              l.ws.terminate();
              resolve();
            }, 2_000).unref();
          }),
      );
      await Promise.all(closed);
      wss.close();
    },
  };
}
