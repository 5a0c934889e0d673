// The shop's services as real child processes (`tsx src/main.ts <names>`), in three groups so the order
// service and productcatalog can each be killed -9 on their own. Ports are the defaults + the stack offset.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { configSchema } from '../../src/platform/config';
import { projectPath } from '../../src/platform/paths';
import { checkHealth, healthClient } from '../support/grpc-probes';
import { CHAOS_STORES, PORT_OFFSET, STACK_DIR } from './chaos-stack';

export const ADMIN_TOKEN = 'chaos-admin-token';
export const PAYMENT_WINDOW_MS = 12_000;

export const GROUPS = {
  catalog: ['productcatalog'],
  order: ['order'],
  front: ['checkout', 'cart', 'currency', 'payment', 'shipping', 'email'],
} as const;
export type Group = keyof typeof GROUPS;

type PortKey = keyof typeof configSchema.ports;
const DEFAULT_PORTS: Record<PortKey, number> = Object.fromEntries(
  Object.entries(configSchema.ports).map(([k, e]) => [k, Number(e.default) + PORT_OFFSET]),
) as Record<PortKey, number>;

export const address = (svc: PortKey): string => `127.0.0.1:${DEFAULT_PORTS[svc]}`;

/** Env of every service process: the isolated stores, offset ports, short timers so a phase drains quickly. */
export function serviceEnv(): Record<string, string> {
  const env: Record<string, string> = {
    REDIS_URL: CHAOS_STORES.redisUrl,
    REDIS_CLUSTER_NODES: '',
    MYSQL_URL: CHAOS_STORES.mysqlUrl,
    ROCKETMQ_ENDPOINTS: CHAOS_STORES.rocketmqEndpoints,
    ADMIN_TOKEN,
    LOG_LEVEL: 'warn',
    METRICS_PORT: '0',
    OTEL_TRACES_EXPORTER: 'none',
    ORDER_PAYMENT_WINDOW_MS: String(PAYMENT_WINDOW_MS),
    ORDER_TIMEOUT_SCAN_INTERVAL_MS: '2000',
    ORDER_CONSUMER_INVISIBLE_MS: '10000',
    ORDER_CONSUMER_RETRY_MS: '1000',
    ORDER_CONSUMER_AWAIT_MS: '2000',
    ORDER_PAYING_LEASE_MS: '10000',
    ORDER_PAYMENT_CALL_DEADLINE_MS: '3000',
    ORDER_SHIP_BACKOFF_INITIAL_MS: '200',
    ORDER_SHIP_BACKOFF_MAX_MS: '2000',
    ORDER_SHIPPING_RECOVER_INTERVAL_MS: '2000',
    ORDER_SHIPPING_RECOVER_AGE_MS: '2000',
    STREAM_BLOCK_MS: '1000',
    STREAM_CLAIM_IDLE_MS: '3000',
    STREAM_CLAIM_INTERVAL_MS: '1000',
    BREAKER_RESET_TIMEOUT_MS: '2000',
    FLASH_BUY_IP_LIMIT: '1000000',
    FLASH_BUY_USER_LIMIT: '1000',
    FLASH_TOKEN_USER_LIMIT: '1000',
    CHECKOUT_IP_LIMIT: '1000000',
    CHECKOUT_USER_LIMIT: '1000',
    SHUTDOWN_GRACE_MS: '2000',
  };
  for (const [key, entry] of Object.entries(configSchema.ports)) env[entry.env] = String(DEFAULT_PORTS[key as PortKey]);
  for (const [key, entry] of Object.entries(configSchema.addr)) env[entry.env] = address(key as PortKey);
  return env;
}

async function waitServing(addr: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const client = healthClient(addr);
  const until = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited (${child.exitCode ?? child.signalCode}) before SERVING`);
      const status = await checkHealth(client, 'readiness').catch(() => 'DOWN');
      if (status === 'SERVING') return;
      if (Date.now() > until) throw new Error(`${addr} not SERVING after ${timeoutMs} ms (last: ${status})`);
      await new Promise(r => setTimeout(r, 300));
    }
  } finally {
    client.close();
  }
}

const portKeyOf: Record<string, PortKey> = {
  productcatalog: 'productCatalog',
  order: 'order',
  checkout: 'checkout',
  cart: 'cart',
  currency: 'currency',
  payment: 'payment',
  shipping: 'shipping',
  email: 'email',
};

export interface Shop {
  start(group: Group): Promise<void>;
  kill9(group: Group): Promise<void>;
  /** SIGTERM every group and wait for the exits. */
  stopAll(): Promise<void>;
}

export function createShop(): Shop {
  const children = new Map<Group, ChildProcess>();
  const logDir = `${STACK_DIR}/services`;
  mkdirSync(logDir, { recursive: true });
  const logs = new Map<Group, WriteStream>();

  const exited = (c: ChildProcess) =>
    c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>(r => c.once('exit', () => r()));

  return {
    async start(group) {
      if (children.has(group)) throw new Error(`${group} is already running`);
      const log = logs.get(group) ?? createWriteStream(`${logDir}/${group}.log`, { flags: 'a' });
      logs.set(group, log);
      const child = spawn(process.execPath, ['--import', 'tsx', projectPath('src/main.ts'), ...GROUPS[group]], {
        cwd: projectPath(),
        env: { ...process.env, ...serviceEnv() },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.pipe(log, { end: false });
      child.stderr?.pipe(log, { end: false });
      children.set(group, child);
      try {
        for (const svc of GROUPS[group]) await waitServing(address(portKeyOf[svc]!), child, 90_000);
      } catch (err) {
        throw new Error(`${group} (${GROUPS[group].join(',')}): ${(err as Error).message}; log ${logDir}/${group}.log`);
      }
    },
    async kill9(group) {
      const child = children.get(group);
      if (!child) throw new Error(`${group} is not running`);
      child.kill('SIGKILL');
      await exited(child);
      children.delete(group);
    },
    async stopAll() {
      const all = [...children.values()];
      for (const c of all) c.kill('SIGTERM');
      const timer = setTimeout(() => all.forEach(c => c.kill('SIGKILL')), 20_000);
      await Promise.all(all.map(exited));
      clearTimeout(timer);
      children.clear();
      for (const l of logs.values()) l.end();
    },
  };
}
