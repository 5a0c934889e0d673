// The gateway suites' world: `main all` (every gRPC service in one child process, as `make run` starts
// them) on free ports against the shared stack — a Redis database of its own (flushed first), the
// suite's throw-away MariaDB database, RocketMQ topics it-gateway-* with fresh consumer groups — and
// gateways built in THIS process by the production factory (createGateway + createGatewayClients) on
// port 0, so a test can read each gateway's gRPC call counter.
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { assignServicePorts, freePort } from '../../support/free-ports';
import { InventoryServiceClient, WarmUpOutcome } from '../../../src/gen/shop/v1/inventory';
import { breakerSettings, createBreakers } from '../../../src/platform/breaker';
import { systemClock } from '../../../src/platform/clock';
import { loadConfig, type Config } from '../../../src/platform/config';
import { createGrpcClient, unary } from '../../../src/platform/grpc-client';
import { projectPath } from '../../../src/platform/paths';
import { closeRedis, connectRedis, createRedis } from '../../../src/platform/redis';
import { createGateway, createGatewayClients, gatewaySettings, type Gateway, type GatewayClients, type GatewaySettings } from '../../../src/services/gateway';
import { serviceModules } from '../../../src/services/registry';
import { checkHealth, healthClient } from '../../support/grpc-probes';
import { testConfig } from '../../support/test-config';
import { testLogger } from '../../support/test-logger';
import { scrape, select } from '../telemetry/prometheus-text';

const MAIN = projectPath('src/main.ts');
export const SESSION_SECRET = 'gateway-test-session-secret-0123456789abcdef';


export async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 250));
  }
}

export interface Backend {
  readonly config: Readonly<Config>;
  /** The last lines the services logged (warn and above). */
  logs(): string;
  readonly adminToken: string;
  stop(): Promise<void>;
}

export interface BackendOptions {
  readonly mysqlUrl: string;
  /** A Redis database only this suite uses (flushed first). */
  readonly redisUrl: string;
  /** Products to warm up once the services run. */
  readonly warm: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** `main all` on free ports; resolves once every service is SERVING, both order consumers polled and `warm` is warmed. */
export async function startBackend(opts: BackendOptions): Promise<Backend> {
  const flushConfig = testConfig({ REDIS_URL: opts.redisUrl });
  const flusher = createRedis(flushConfig, { logger: testLogger('flush'), name: 'gateway-flush', blocking: false });
  await connectRedis(flusher, flushConfig);
  await flusher.flushdb();
  await closeRedis(flusher);

  const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const adminToken = `gateway-admin-${suffix}`;
  const createdGroup = `GID_it_gateway_${suffix}`;
  const statusGroup = `GID_it_gateway_status_${suffix}`;
  const metricsPort = await freePort();
  const env: Record<string, string> = {
    LOG_LEVEL: 'warn',
    MYSQL_URL: opts.mysqlUrl,
    REDIS_URL: opts.redisUrl,
    ADMIN_TOKEN: adminToken,
    METRICS_PORT: String(metricsPort),
    INVENTORY_SHARDS: '4',
    STREAM_BLOCK_MS: '500',
    ORDER_CREATED_TOPIC: 'it-gateway-orders',
    ORDER_CREATED_GROUP: createdGroup,
    ORDER_STATUS_TOPIC: 'it-gateway-status',
    ORDER_STATUS_GROUP: statusGroup,
    ORDER_CONSUMER_AWAIT_MS: '1000',
    ORDER_TASK_POLL_MS: '200',
    // Every buyer of these tests comes through one gateway from 127.0.0.1.
    FLASH_BUY_IP_LIMIT: '1000000',
    FLASH_STOCK_CACHE_TTL_MS: '0',
    FLASH_ITEM_CACHE_TTL_MS: '0',
    // A loaded CI machine must not trip breakers: these suites test the gateway, not outages.
    BREAKER_TIMEOUT_MS: '30000',
    RPC_DEADLINE_MS: '20000',
    ...opts.env,
  };
  const ports = await assignServicePorts(env);
  const config = loadConfig({ ...process.env, ...env, GATEWAY_SESSION_SECRET: SESSION_SECRET });

  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', MAIN, 'all'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  // Warnings and errors (LOG_LEVEL=warn) of the services, for failure messages.
  let stderr = '';
  const keep = (d: Buffer) => (stderr = (stderr + d.toString()).slice(-16_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let dead = false;
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
  void exited.then(() => (dead = true));
  const stop = async () => {
    if (!dead) child.kill('SIGTERM');
    const code = await exited;
    if (code !== 0) throw new Error(`main all exited with ${code}; stderr:\n${stderr}`);
  };

  try {
    for (const m of serviceModules) {
      const client = healthClient(`127.0.0.1:${m.port(config)}`);
      try {
        await until(`${m.name} SERVING`, async () => !dead && (await checkHealth(client, 'readiness')) === 'SERVING', 90_000);
      } finally {
        client.close();
      }
    }
    // Fresh groups start at the queue's end: sell only once both order consumers have polled.
    for (const group of [createdGroup, statusGroup]) {
      await until(`a first poll of ${group}`, async () => select(await scrape(metricsPort), 'rocketmq_consumer_lag_ms', { group }).length > 0, 90_000);
    }
    const inventory = createGrpcClient(InventoryServiceClient, config.addr.productCatalog);
    try {
      const warm = await unary(inventory, 'warmUp', { defaultDeadlineMs: 15_000 })(
        { productIds: [...opts.warm] },
        { metadata: { authorization: `Bearer ${adminToken}` } },
      );
      const bad = warm.results.filter(r => r.outcome !== WarmUpOutcome.WARM_UP_OUTCOME_WARMED);
      if (bad.length > 0) throw new Error(`warm-up failed for ${bad.map(r => r.productId).join(', ')}`);
    } finally {
      inventory.close();
    }
    return { config, adminToken, stop, logs: () => stderr };
  } catch (err) {
    await stop().catch(() => undefined);
    throw new Error(`${(err as Error).message}${dead ? `; main all exited early; stderr:\n${stderr}` : ''}`);
  }
}

export interface TestGateway {
  readonly gateway: Gateway;
  readonly clients: GatewayClients;
  readonly baseUrl: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** A gateway in this process on 127.0.0.1:0 in front of `backend`, settings overridden as given. */
export async function startGateway(backend: Backend, overrides: Partial<GatewaySettings> = {}): Promise<TestGateway> {
  const settings = gatewaySettings(backend.config, { host: '127.0.0.1', port: 0, ratePerSecond: 100_000, rateBurst: 100_000, ...overrides });
  const logger = testLogger('gateway');
  const breakers = createBreakers({ settings: breakerSettings(backend.config), logger });
  const clients = createGatewayClients({
    addresses: { checkout: backend.config.addr.checkout, productCatalog: backend.config.addr.productCatalog, order: backend.config.addr.order },
    breakers,
    deadlineMs: 15_000,
  });
  const gateway = createGateway({ settings, clients, clock: systemClock, logger, webRoot: projectPath('web') });
  const port = await gateway.listen();
  return {
    gateway,
    clients,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    async stop() {
      await gateway.stop();
      clients.close();
      breakers.shutdown();
    },
  };
}

export interface ApiReply {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON body (undefined when the body is empty or not JSON). */
  readonly json: Record<string, unknown> | undefined;
}

export interface ApiRequest {
  readonly body?: unknown;
  /** Sent as is (bypasses JSON encoding). */
  readonly raw?: string | Buffer;
  readonly session?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One HTTP call; a JSON body gets content-type application/json unless headers say otherwise. */
export async function api(baseUrl: string, method: string, path: string, req: ApiRequest = {}): Promise<ApiReply> {
  const headers: Record<string, string> = {};
  let body: string | Buffer | undefined;
  if (req.raw !== undefined) body = req.raw;
  else if (req.body !== undefined) body = JSON.stringify(req.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (req.session) headers.authorization = `Bearer ${req.session}`;
  Object.assign(headers, req.headers);
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : new Uint8Array(typeof body === 'string' ? Buffer.from(body) : body) });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json };
}

/** POST /api/session → the bearer token. */
export async function newSession(baseUrl: string): Promise<{ token: string; userId: string }> {
  const r = await api(baseUrl, 'POST', '/api/session');
  if (r.status !== 201) throw new Error(`POST /api/session → ${r.status} ${JSON.stringify(r.json)}`);
  return { token: String(r.json?.token), userId: String(r.json?.userId) };
}

/** Session → token → Buy; returns the Buy reply. */
export async function buy(baseUrl: string, session: string, productId: string): Promise<ApiReply> {
  const t = await api(baseUrl, 'POST', `/api/sale-items/${productId}/token`, { session });
  if (t.status !== 200) throw new Error(`token → ${t.status} ${JSON.stringify(t.json)}`);
  return api(baseUrl, 'POST', `/api/sale-items/${productId}/buy`, { session, body: { quantity: 1, token: t.json?.token } });
}

export const CARD = { number: '4432801561520454', cvv: 672, expirationYear: 2039, expirationMonth: 1 };
