// The whole shop as `make run` starts it — `main all gateway` (every service + the gateway in one process) —
// on free ports against the shared stack: a Redis database of its own (flushed first), a throw-away
// MariaDB database (seeded by the caller), RocketMQ topics it-browser-* with fresh consumer groups, and
// /metrics on a free port that the dashboard scrapes.
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../support/free-ports';
import { configSchema, loadConfig } from '../../src/platform/config';
import { projectPath } from '../../src/platform/paths';
import { closeRedis, connectRedis, createRedis } from '../../src/platform/redis';
import { httpModules, serviceModules } from '../../src/services/registry';
import { checkHealth, healthClient } from '../support/grpc-probes';
import { testConfig } from '../support/test-config';
import { testLogger } from '../support/test-logger';

const MAIN = projectPath('src/main.ts');
const CREATED_TOPIC = 'it-browser-orders';
const STATUS_TOPIC = 'it-browser-status';


export async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 250));
  }
}

class StartupFailed extends Error {}

/** Like `until`, but a StartupFailed from the check ends the wait at once. */
async function untilAlive(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      if (err instanceof StartupFailed) throw new Error(`the process exited while waiting for ${what}`);
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 250));
  }
}

export interface ShopProcess {
  readonly baseUrl: string;
  readonly adminToken: string;
  readonly metricsPort: number;
  /** gRPC address of each service by config key (productCatalog, order, checkout, …). */
  readonly grpc: Readonly<Record<string, string>>;
  readonly createdGroup: string;
  readonly statusGroup: string;
  /** SIGTERM and wait; rejects when the process did not exit cleanly. */
  stop(): Promise<void>;
}

export interface ShopOptions {
  readonly mysqlUrl: string;
  /** A Redis database only this suite uses (flushed before start). */
  readonly redisUrl: string;
  readonly env?: Readonly<Record<string, string>>;
}

export async function startShop(opts: ShopOptions): Promise<ShopProcess> {
  const flushConfig = testConfig({ REDIS_URL: opts.redisUrl });
  const flusher = createRedis(flushConfig, { logger: testLogger('flush'), name: 'browser-flush', blocking: false });
  await connectRedis(flusher, flushConfig);
  await flusher.flushdb();
  await closeRedis(flusher);

  const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const adminToken = `browser-admin-${suffix}`;
  const createdGroup = `GID_it_browser_${suffix}`;
  const statusGroup = `GID_it_browser_status_${suffix}`;
  const metricsPort = await freePort();
  const gatewayPort = await freePort();
  const env: Record<string, string> = {
    LOG_LEVEL: 'warn',
    MYSQL_URL: opts.mysqlUrl,
    REDIS_URL: opts.redisUrl,
    ADMIN_TOKEN: adminToken,
    METRICS_PORT: String(metricsPort),
    INVENTORY_SHARDS: '4',
    STREAM_BLOCK_MS: '500',
    FORWARDER_LAG_PROBE_MS: '500',
    ORDER_CREATED_TOPIC: CREATED_TOPIC,
    ORDER_CREATED_GROUP: createdGroup,
    ORDER_STATUS_TOPIC: STATUS_TOPIC,
    ORDER_STATUS_GROUP: statusGroup,
    ORDER_CONSUMER_AWAIT_MS: '1000',
    ORDER_TASK_POLL_MS: '200',
    GATEWAY_PORT: String(gatewayPort),
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_SESSION_SECRET: randomBytes(32).toString('hex'),
    // Every browser context comes from 127.0.0.1: the per-IP limit must not meter the test itself.
    GATEWAY_RATE_PER_IP: '1000',
    GATEWAY_RATE_BURST: '1000',
    DASHBOARD_METRICS_TARGETS: `127.0.0.1:${metricsPort}`,
    DASHBOARD_SNAPSHOT_TTL_MS: '200',
    FLASH_STOCK_CACHE_TTL_MS: '0',
    FLASH_ITEM_CACHE_TTL_MS: '0',
    // Paying clears the "unpaid order" mark asynchronously (order-status event); the limit scenario must
    // not depend on that timing, so this optional rule is off here.
    FLASH_ONE_UNPAID_ORDER: 'false',
    // The ledger job checks often, so the dashboard's verdict comes from it during the test.
    LEDGER_INTERVAL_MS: '2000',
    ...opts.env,
  };
  // Every service port of the schema (whatever section declares it: ports.*, LEDGER_PORT, CDC_PORT…) gets
  // a free port, and each <X>_SERVICE_ADDR follows its <X>_PORT.
  const entries = Object.entries(configSchema).flatMap(([section, keys]) =>
    Object.entries(keys as Record<string, { readonly env: string }>).map(([key, entry]) => ({ section, key, env: entry.env })),
  );
  const byPortEnv = new Map<string, number>();
  for (const e of entries) {
    if (!e.env.endsWith('_PORT') || e.env in env) continue;
    const port = await freePort();
    byPortEnv.set(e.env, port);
    env[e.env] = String(port);
  }
  const grpc: Record<string, string> = {};
  for (const e of entries) {
    const m = /^(.*)_SERVICE_ADDR$/.exec(e.env);
    const port = m ? byPortEnv.get(`${m[1]}_PORT`) : undefined;
    if (port === undefined) continue;
    grpc[e.key] = `127.0.0.1:${port}`;
    env[e.env] = grpc[e.key] as string;
  }

  // node --import tsx (not the tsx CLI): SIGTERM reaches main's handler directly, so a busy machine
  // cannot turn the graceful stop into the CLI's forced kill (exit 143).
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', MAIN, 'all', 'gateway'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
  const exited = new Promise<{ code: number | null }>(resolve => child.on('exit', code => resolve({ code })));
  let dead = false;
  void exited.then(() => (dead = true));

  const stop = async () => {
    if (!dead) child.kill('SIGTERM');
    const { code } = await exited;
    if (code !== 0) throw new Error(`main all gateway exited with ${code}; stderr:\n${stderr}`);
  };

  try {
    const config = loadConfig({ ...process.env, ...env });
    if (!httpModules.some(m => m.name === 'gateway')) throw new Error('no `gateway` module in src/services/registry.ts');
    // A process that died during start-up fails at once (its stderr says why), not after the timeout.
    const alive = async (check: () => Promise<boolean>) => {
      if (dead) throw new StartupFailed();
      return check();
    };
    for (const m of serviceModules) {
      const client = healthClient(`127.0.0.1:${m.port(config)}`);
      try {
        await untilAlive(`${m.name} SERVING`, () => alive(async () => (await checkHealth(client, 'readiness')) === 'SERVING'), 90_000);
      } finally {
        client.close();
      }
    }
    const baseUrl = `http://127.0.0.1:${gatewayPort}`;
    await untilAlive('the gateway ready', () => alive(async () => (await fetch(`${baseUrl}/readyz`)).ok), 60_000);
    return { baseUrl, adminToken, metricsPort, grpc, createdGroup, statusGroup, stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw new Error(`${(err as Error).message}${dead ? `; main all gateway exited early; stderr:\n${stderr}` : ''}`);
  }
}
