// Outgoing gRPC: client construction and a promise adapter that applies deadlines and carries
// the incoming call's allow-listed metadata, deadline and cancellation to downstream calls.
import {
  ChannelCredentials,
  Metadata,
  type ChannelOptions,
  type Client,
  type ClientUnaryCall,
  type ServiceError,
} from '@grpc/grpc-js';
import { currentCallContext } from './call-context';
import { systemClock, type Clock } from './clock';
import { REQUEST_ID_HEADER } from './grpc-handlers';
import { clientCredentials, type GrpcTlsConfig } from './grpc-tls';

/** Incoming metadata copied onto outgoing calls. Credentials (authorization) are deliberately not forwarded. */
export const PROPAGATED_METADATA_KEYS: readonly string[] = [
  REQUEST_ID_HEADER,
  'idempotency-key',
  'traceparent',
  'tracestate',
];

export const DEFAULT_CLIENT_OPTIONS: ChannelOptions = {
  'grpc.max_receive_message_length': 4 * 1024 * 1024,
  // Go servers (upstream services) reject pings more often than every 5 min with GOAWAY too_many_pings.
  'grpc.keepalive_time_ms': 300_000,
  'grpc.keepalive_timeout_ms': 20_000,
};

type ClientCtor<C extends Client> = new (address: string, credentials: ChannelCredentials, options?: ChannelOptions) => C;

// Process-wide client credentials, set once by main from GRPC_TLS_CA_FILE, so every client of every
// service (and the ones created deep inside wiring) follows the same setting. Default: plaintext.
let processCredentials: ChannelCredentials | undefined;

/** Makes clients created from now on use TLS verified against `tls.caFile` ('' = plaintext again). */
export function useClientTls(tls: Pick<GrpcTlsConfig, 'caFile'>): void {
  processCredentials = tls.caFile === '' ? undefined : clientCredentials(tls);
}

/** Creates a ts-proto grpc-js client: plaintext unless GRPC_TLS_CA_FILE is set (or `credentials` given). */
export function createGrpcClient<C extends Client>(
  Ctor: ClientCtor<C>,
  address: string,
  options: ChannelOptions = {},
  credentials: ChannelCredentials = processCredentials ?? ChannelCredentials.createInsecure(),
): C {
  return new Ctor(address, credentials, { ...DEFAULT_CLIENT_OPTIONS, ...options });
}

export interface CallOptions {
  /** Overrides the default deadline; the incoming call's deadline still caps it. */
  readonly deadlineMs?: number;
  /** Extra metadata; wins over propagated keys of the same name. */
  readonly metadata?: Metadata | Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

export type UnaryFn<Req, Res> = (req: Req, opts?: CallOptions) => Promise<Res>;

/** Seam for cross-cutting wrappers (circuit breakers, retries, metrics) around one method. */
export type UnaryWrap = <Req, Res>(fn: UnaryFn<Req, Res>, info: { readonly method: string }) => UnaryFn<Req, Res>;

export interface UnaryOptions {
  readonly defaultDeadlineMs: number;
  readonly wrap?: UnaryWrap;
  readonly propagate?: readonly string[];
  readonly clock?: Clock;
}

type Callback<Res> = (err: ServiceError | null, res?: Res) => void;
type FullUnary<Req, Res> = (req: Req, md: Metadata, opts: { deadline: number }, cb: Callback<Res>) => ClientUnaryCall;

// The last overload of a ts-proto unary method is (request, metadata, options, callback).
type UnaryKeys<C> = {
  [K in keyof C]: C[K] extends (req: infer _R, md: Metadata, o: infer _O, cb: (e: ServiceError | null, r: infer _S) => void) => ClientUnaryCall
    ? K
    : never;
}[keyof C];
type ReqOf<F> = F extends (req: infer R, md: Metadata, o: infer _O, cb: infer _C) => ClientUnaryCall ? R : never;
type ResOf<F> = F extends (req: infer _R, md: Metadata, o: infer _O, cb: (e: ServiceError | null, r: infer S) => void) => ClientUnaryCall
  ? S
  : never;

/** Builds the metadata of an outgoing call: allow-listed incoming keys, then the caller's own. */
export function outgoingMetadata(extra: CallOptions['metadata'], propagate: readonly string[] = PROPAGATED_METADATA_KEYS): Metadata {
  const md = new Metadata();
  const incoming = currentCallContext();
  if (incoming) {
    for (const key of propagate) {
      const values = incoming.metadata.get(key);
      for (const v of values) md.add(key, v);
    }
    if (propagate.includes(REQUEST_ID_HEADER) && md.get(REQUEST_ID_HEADER).length === 0) {
      md.set(REQUEST_ID_HEADER, incoming.requestId);
    }
  }
  if (extra instanceof Metadata) {
    for (const [k, v] of Object.entries(extra.getMap())) md.set(k, v);
  } else if (extra) {
    for (const [k, v] of Object.entries(extra)) md.set(k, v);
  }
  return md;
}

function methodPath(client: Client, method: string): string {
  const service = (client.constructor as { service?: Record<string, { path?: string }> }).service;
  return service?.[method]?.path ?? method;
}

/**
 * `unary(client, 'getProduct', {defaultDeadlineMs})` → `(req, opts?) => Promise<Product>`.
 * Rejects with the grpc-js ServiceError (code, details) so breakers can classify it.
 */
export function unary<C extends Client, K extends UnaryKeys<C> & string>(
  client: C,
  method: K,
  options: UnaryOptions,
): UnaryFn<ReqOf<C[K]>, ResOf<C[K]>> {
  type Req = ReqOf<C[K]>;
  type Res = ResOf<C[K]>;
  const clock = options.clock ?? systemClock;
  const call = (client[method] as unknown as FullUnary<Req, Res>).bind(client);
  const path = methodPath(client, method);
  const base: UnaryFn<Req, Res> = (req, opts = {}) =>
    new Promise<Res>((resolve, reject) => {
      const incoming = currentCallContext();
      const deadline = Math.min(clock.now() + (opts.deadlineMs ?? options.defaultDeadlineMs), incoming?.deadline ?? Infinity);
      const signals = [opts.signal, incoming?.signal].filter((s): s is AbortSignal => s !== undefined);
      const cleanup = () => signals.forEach(s => s.removeEventListener('abort', cancel));
      const pending = call(req, outgoingMetadata(opts.metadata, options.propagate), { deadline }, (err, res) => {
        cleanup();
        if (err) reject(err);
        else resolve(res as Res);
      });
      function cancel() {
        pending.cancel();
      }
      if (signals.some(s => s.aborted)) cancel();
      else signals.forEach(s => s.addEventListener('abort', cancel, { once: true }));
    });
  return options.wrap ? options.wrap(base, { method: path }) : base;
}
