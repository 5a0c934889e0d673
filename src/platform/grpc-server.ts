// gRPC server helper: typed async handlers, health (liveness/readiness), reflection, graceful stop.
import {
  Server,
  type ChannelOptions,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import type { Config } from './config';
import type { Clock } from './clock';
import { wrapServerStream, wrapUnary, type HandlerDeps, type ServerStreamImpl, type UnaryImpl } from './grpc-handlers';
import { createLoadShedder } from './load-shedder';
import { serverCredentials } from './grpc-tls';
import type { Logger } from './logger';
import { processLoopDelay } from './loop-delay-probe';

/** The shape ts-proto emits for each method of a `XxxService` definition. */
export interface MethodDef {
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  readonly requestDeserialize: (buf: Buffer) => unknown;
  readonly responseSerialize: (value: never) => Buffer;
}
export type ServiceDefs = { readonly [method: string]: MethodDef };

type ReqOf<M> = M extends { requestDeserialize: (buf: Buffer) => infer R } ? R : never;
type ResOf<M> = M extends { responseSerialize: (value: infer R) => Buffer } ? R : never;

/** Handlers for a ts-proto service: unary → async function, server-streaming → async iterable. */
export type AsyncServiceImpl<D extends ServiceDefs> = {
  readonly [K in keyof D]: D[K] extends { requestStream: false; responseStream: true }
    ? ServerStreamImpl<ReqOf<D[K]>, ResOf<D[K]>>
    : D[K] extends { requestStream: false; responseStream: false }
      ? UnaryImpl<ReqOf<D[K]>, ResOf<D[K]>>
      : never;
};

export const HEALTH_LIVENESS = 'liveness';
export const HEALTH_READINESS = 'readiness';
/** grpc-health-check's service; listed by reflection when the definition has grpc/health/v1 (gen-proto adds it). */
export const HEALTH_SERVICE = 'grpc.health.v1.Health';

export const DEFAULT_SERVER_OPTIONS: ChannelOptions = {
  'grpc.max_receive_message_length': 4 * 1024 * 1024,
  'grpc.max_send_message_length': 4 * 1024 * 1024,
  // Ping idle clients so half-open connections (long WatchOrder streams) are noticed.
  'grpc.keepalive_time_ms': 60_000,
  'grpc.keepalive_timeout_ms': 20_000,
};

export interface GrpcServerOptions {
  readonly logger: Logger;
  /** `grpcTls` (GRPC_TLS_CERT_FILE/KEY_FILE) switches the port to TLS; absent or empty = plaintext. */
  readonly config: Pick<Config, 'grpc' | 'lifecycle' | 'shedding'> & Partial<Pick<Config, 'grpcTls'>>;
  /** Definition served by reflection (see protos.ts); it lists the registered services. Omit to serve none. */
  readonly reflection?: PackageDefinition;
  readonly channelOptions?: ChannelOptions;
  readonly clock?: Clock;
  /** Mark ready as soon as listen() bound (default). Set false to call setReady(true) yourself after warm-up. */
  readonly readyOnListen?: boolean;
}

export interface GrpcServer {
  /** Registers a ts-proto service with async handlers; its full name is added to health. */
  add<D extends ServiceDefs>(definition: D, impl: AsyncServiceImpl<D>): void;
  /** Registers already-wrapped grpc-js handlers (client/bidi streams); `serviceName` goes to health. */
  addRaw(definition: ServiceDefinition, impl: UntypedServiceImplementation, serviceName: string): void;
  /** Binds and starts serving; resolves with the bound port (useful with port 0). */
  listen(port: number, host?: string): Promise<number>;
  /** Flips readiness, '' and every service name between SERVING and NOT_SERVING; liveness stays SERVING. */
  setReady(ready: boolean): void;
  /** NOT_SERVING → drain in-flight calls → force after SHUTDOWN_GRACE_MS. Idempotent. */
  stop(): Promise<void>;
  readonly handlerDeps: HandlerDeps;
  /** The underlying grpc-js server (escape hatch). */
  readonly server: Server;
}

export function serviceNameOf(definition: ServiceDefs | ServiceDefinition): string {
  const first = Object.values(definition)[0] as { path?: string } | undefined;
  const m = first?.path ? /^\/([^/]+)\//.exec(first.path) : null;
  if (!m) throw new Error('service definition has no methods');
  return m[1] as string;
}

export function createGrpcServer(options: GrpcServerOptions): GrpcServer {
  const { logger, config } = options;
  const server = new Server({ ...DEFAULT_SERVER_OPTIONS, ...options.channelOptions });
  const { maxInFlight, maxStreams, maxLoopDelayMs } = config.shedding;
  const shedder = createLoadShedder({
    maxInFlight,
    maxStreams,
    maxLoopDelayMs,
    ...(maxLoopDelayMs > 0 ? { loopDelay: processLoopDelay() } : {}),
  });
  const handlerDeps: HandlerDeps = { logger, shedder, ...(options.clock ? { clock: options.clock } : {}) };
  const health = new HealthImplementation({
    '': 'NOT_SERVING',
    [HEALTH_LIVENESS]: 'SERVING',
    [HEALTH_READINESS]: 'NOT_SERVING',
  });
  health.addToServer(server);

  const services: string[] = [];
  let ready = false;
  let stopping: Promise<void> | undefined;
  let reflecting = false;

  // Added at listen() so `list` names only what this server serves (health included); every type in the
  // definition can still be described.
  function addReflection(): void {
    if (!options.reflection || reflecting) return;
    reflecting = true;
    new ReflectionService(options.reflection, { services: [HEALTH_SERVICE, ...services] }).addToServer(server);
  }

  const readyStatus = (): ServingStatus => (ready ? 'SERVING' : 'NOT_SERVING');

  function register(definition: ServiceDefinition, impl: UntypedServiceImplementation, name: string): void {
    server.addService(definition, impl);
    services.push(name);
    health.setStatus(name, readyStatus());
  }

  function setReady(value: boolean): void {
    if (stopping && value) return; // never come back once stopping
    ready = value;
    for (const name of ['', HEALTH_READINESS, ...services]) health.setStatus(name, readyStatus());
  }

  return {
    server,
    handlerDeps,
    add(definition, impl) {
      const handlers: UntypedServiceImplementation = {};
      for (const [key, def] of Object.entries(definition)) {
        const fn = (impl as Record<string, unknown>)[key];
        if (typeof fn !== 'function') throw new Error(`${def.path}: no handler`);
        if (def.requestStream) throw new Error(`${def.path}: client streaming needs addRaw()`);
        handlers[key] = def.responseStream
          ? wrapServerStream(fn as ServerStreamImpl<unknown, unknown>, handlerDeps)
          : wrapUnary(fn as UnaryImpl<unknown, unknown>, handlerDeps);
      }
      register(definition as unknown as ServiceDefinition, handlers, serviceNameOf(definition));
    },
    addRaw(definition, impl, serviceName) {
      register(definition, impl, serviceName);
    },
    async listen(port, host = config.grpc.host) {
      addReflection();
      const credentials = serverCredentials(config.grpcTls);
      const bound = await new Promise<number>((resolve, reject) =>
        server.bindAsync(`${host}:${port}`, credentials, (err, p) => (err ? reject(err) : resolve(p))),
      );
      logger.info({ host, port: bound, services }, 'gRPC server listening');
      if (options.readyOnListen !== false) setReady(true);
      return bound;
    },
    setReady,
    stop() {
      stopping ??= new Promise<void>(resolve => {
        setReady(false);
        const graceMs = config.lifecycle.shutdownGraceMs;
        logger.info({ graceMs }, 'gRPC server draining');
        const timer = setTimeout(() => {
          logger.warn({ graceMs }, 'grace period over; cancelling in-flight calls');
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(err => {
          clearTimeout(timer);
          if (err) logger.warn({ err }, 'graceful shutdown reported an error');
          else logger.info('gRPC server stopped');
          resolve();
        });
      });
      return stopping;
    },
  };
}
