// The gateway's HTTP server: Fastify for the JSON routes and static pages, ws (noServer) on the same
// port for the order WebSocket. It holds no business logic: guards, thin mappings to gRPC, one error
// mapping. Readiness turns false as soon as stopping starts; stop closes sockets with 1001, ends long
// polls with the current state, then lets in-flight requests finish.
import type { AddressInfo } from 'node:net';
import fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { parseAddressList } from '../../platform/cidr';
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { createClientIp } from './client-ip';
import type { GatewayClients } from './clients';
import { createGuards } from './guards';
import { GatewayError, toHttpError } from './http-errors';
import { createOrderSockets, type OrderSockets } from './order-socket';
import { createIpRateLimiter, type IpRateLimiter } from './rate-limiter';
import { createRequestVerifier } from './request-signing';
import { normalizeAddress, requestState } from './request-state';
import { registerCatalogRoutes } from './routes/catalog';
import { registerOrderRoutes } from './routes/orders';
import { registerPurchaseRoutes } from './routes/purchase';
import { registerSessionRoutes } from './routes/session';
import { createSessionCodec, type SessionCodec } from './session';
import type { GatewaySettings } from './settings';
import { createSocketSlots } from './socket-limits';
import { registerStaticRoutes } from './static-files';
import { TRACEPARENT_HEADER, TRACE_ID_HEADER } from './trace-context';

/** Extra routes registered inside the guarded app (the operator dashboard's admin API). */
export type RouteExtension = (app: FastifyInstance) => void | Promise<void>;

export interface GatewayDeps {
  readonly settings: GatewaySettings;
  readonly clients: GatewayClients;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Folder with sale/ and dashboard/ (repo `web/`). */
  readonly webRoot: string;
  readonly extensions?: readonly RouteExtension[];
}

export interface Gateway {
  readonly app: FastifyInstance;
  readonly sessions: SessionCodec;
  readonly rateLimiter: IpRateLimiter;
  readonly sockets: OrderSockets;
  /** Binds and starts serving; resolves to the bound port (settings.port may be 0). */
  listen(): Promise<number>;
  /** Readiness false, sockets closed (1001), long polls answered, in-flight requests drained. */
  stop(): Promise<void>;
  readonly ready: boolean;
}

const FASTIFY_CODES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
};

/** Fastify's own 4xx (parsing, limits) as gateway errors; anything else passes through. */
function fromFastify(err: unknown): unknown {
  const e = err as Partial<FastifyError>;
  if (typeof e.code === 'string' && e.code.startsWith('FST_') && typeof e.statusCode === 'number' && e.statusCode < 500) {
    return new GatewayError(e.statusCode, FASTIFY_CODES[e.code] ?? 'BAD_REQUEST', e.statusCode === 413 ? 'request body too large' : (e.message ?? 'bad request'));
  }
  return err;
}

/** GATEWAY_TRUST_PROXY in the form Fastify takes (a hop count or address list becomes a function). */
function trustProxyOption(settings: GatewaySettings): boolean | ((addr: string, hop: number) => boolean) {
  const t = settings.trustProxy;
  if (typeof t === 'boolean') return t;
  if (typeof t === 'number') return (_addr, hop) => hop < t;
  const proxies = parseAddressList(t.join(','));
  return addr => proxies.has(normalizeAddress(addr));
}

export function createGateway(deps: GatewayDeps): Gateway {
  const { settings, clients, clock } = deps;
  const logger = deps.logger.child({ service: 'gateway' });
  const sessions = createSessionCodec(settings.sessionSecret, settings.sessionTtlMs, clock);
  const rateLimiter = createIpRateLimiter({ ratePerSecond: settings.ratePerSecond, burst: settings.rateBurst, clock });
  const verifier = createRequestVerifier(settings.hmacSecret, settings.hmacMaxSkewMs, clock);
  const stopping = new AbortController();
  let ready = false;

  const app = fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: settings.bodyLimitBytes,
    trustProxy: trustProxyOption(settings),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });

  const guards = createGuards({ ipAllow: settings.ipAllow, ipDeny: settings.ipDeny, rateLimiter, sessions, verifier });
  const sockets = createOrderSockets({
    clients,
    sessions,
    slots: createSocketSlots(settings.maxSockets, settings.maxSocketsPerIp),
    rateLimiter,
    ipAllow: settings.ipAllow,
    ipDeny: settings.ipDeny,
    clientIp: createClientIp(settings.trustProxy),
    logger,
  });
  sockets.attach(app.server);

  // JSON only; the raw bytes are kept for request signing. Any other body type → 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body: Buffer, done) => {
    const state = requestState(req);
    if (state) state.rawBody = body;
    if (body.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(body.toString('utf8')));
    } catch {
      done(new GatewayError(400, 'BAD_JSON', 'request body is not valid JSON'), undefined);
    }
  });

  app.addHook('onRequest', guards.onRequest);
  app.addHook('preHandler', guards.preHandler);
  app.addHook('onSend', async (req, reply, payload) => {
    const s = requestState(req);
    if (s) reply.header(TRACEPARENT_HEADER, s.trace.traceparent).header(TRACE_ID_HEADER, s.trace.traceId);
    applyCors(req, reply);
    // Stopping: in-flight replies end their keep-alive connection, so the close does not wait for it.
    if (stopping.signal.aborted) reply.header('connection', 'close');
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    requestState(req)?.trace.end(reply.statusCode);
    if (stopping.signal.aborted) app.server.closeIdleConnections();
  });

  function applyCors(req: FastifyRequest, reply: FastifyReply): void {
    const origin = req.headers.origin;
    if (settings.corsOrigins.length === 0 || typeof origin !== 'string' || !settings.corsOrigins.includes(origin)) return;
    reply
      .header('access-control-allow-origin', origin)
      .header('access-control-allow-credentials', 'true')
      .header('access-control-expose-headers', `${TRACEPARENT_HEADER}, ${TRACE_ID_HEADER}, retry-after`)
      .header('vary', 'Origin');
  }

  if (settings.corsOrigins.length > 0) {
    app.options('/api/*', async (_req, reply) =>
      reply
        .code(204)
        .header('access-control-allow-methods', 'GET, POST')
        .header('access-control-allow-headers', 'content-type, authorization, x-signature, x-signature-timestamp, traceparent')
        .header('access-control-max-age', '600')
        .send(),
    );
  }

  app.setErrorHandler((err, req, reply) => {
    const mapped = toHttpError(fromFastify(err));
    if (mapped.unexpected) req.log.error({ err, url: req.url }, 'request failed');
    return reply.code(mapped.statusCode).headers(mapped.headers).type('application/json; charset=utf-8').send(mapped.body);
  });
  app.setNotFoundHandler((_req, reply) =>
    reply.code(404).type('application/json; charset=utf-8').send({ error: { code: 'NOT_FOUND', message: 'no such route' } }),
  );

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => (ready ? { status: 'ready' } : reply.code(503).send({ status: 'not ready' })));

  registerSessionRoutes(app, sessions, settings.sessionTtlMs);
  registerCatalogRoutes(app, clients, clock);
  registerPurchaseRoutes(app, clients);
  registerOrderRoutes(app, clients, settings.longPollMaxMs, stopping.signal);
  registerStaticRoutes(app, deps.webRoot);

  let stopped: Promise<void> | undefined;
  return {
    app,
    sessions,
    rateLimiter,
    sockets,
    get ready() {
      return ready;
    },
    async listen() {
      for (const extend of deps.extensions ?? []) await extend(app);
      await app.listen({ port: settings.port, host: settings.host });
      ready = true;
      return (app.server.address() as AddressInfo).port;
    },
    stop() {
      stopped ??= (async () => {
        ready = false;
        stopping.abort();
        await sockets.closeAll();
        await app.close();
      })();
      return stopped;
    },
  };
}
