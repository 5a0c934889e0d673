// The system under fuzz: `src/main.ts all` as a CHILD PROCESS (so a crash is a crash, not a test
// exception), every service on a free port and pointed at its real peers, on a throw-away MariaDB
// database (seeded catalog) and a Redis database of its own. Background workers are off: the only
// writers of state are the RPCs under test, so a before/after snapshot tells what a call changed.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { freePort } from '../../support/free-ports';
import { Redis } from 'ioredis';
import { configSchema } from '../../../src/platform/config';
import { projectPath } from '../../../src/platform/paths';
import { SEED_ITEMS } from '../../../src/services/productcatalog/seed/seed-data';
import { seedProducts } from '../../../src/services/productcatalog/seed/seed-products';
import { checkHealth, healthClient, listServicesByReflection } from '../../support/grpc-probes';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';

export const FUZZ_ADMIN_TOKEN = 'fuzz-admin-token-3f9c1b7e5a';

const MAIN = projectPath('src/main.ts');
/** The child's error-level log of the last run (git-ignored), for failures the summary cuts short. */
export const SERVER_LOG = projectPath('.stack', 'fuzz', 'server.log');

export interface UnexpectedLog {
  readonly msg: string;
  readonly method?: string;
  readonly err?: string;
}

export interface FuzzWorld {
  readonly db: TestDatabase;
  readonly redisUrl: string;
  /** Full service name ("hipstershop.CartService") → "127.0.0.1:<port>" of the server that serves it. */
  readonly addressOf: ReadonlyMap<string, string>;
  /** Error-level log lines ("handler failed unexpectedly" …) the child wrote since the last drain. */
  drainUnexpected(): UnexpectedLog[];
  /** Undefined while the child runs; its exit code / signal once it died. */
  exited(): string | undefined;
  /** CPU time (user + system, ms) the child used so far: a load-independent cost measure. */
  cpuMs(): number;
  /** Overall, liveness and every listed service SERVING on `address`. */
  assertServing(address: string): Promise<void>;
  stop(): Promise<void>;
}

/** utime + stime of a Linux process (tsx runs the service in a grandchild: the busiest descendant counts too). */
function childCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const tick = 10; // USER_HZ = 100 on Linux
  const stat = (p: number): number => {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return (Number(fields[11]) + Number(fields[12])) * tick;
    } catch {
      return 0;
    }
  };
  let total = stat(pid);
  try {
    for (const c of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) total += childCpuMs(Number(c));
  } catch {
    /* no children list */
  }
  return total;
}

interface PrivateRedis {
  readonly url: string;
  stop(): Promise<void>;
}

async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'], {
    stdio: 'ignore',
  });
  const failed = new Promise<never>((_, reject) =>
    proc.once('error', err => reject(new Error(`cannot start redis-server (apt-get install redis-server): ${err.message}`))),
  );
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined); // refused while it starts: retried below
  const until = Date.now() + 10_000;
  for (;;) {
    try {
      await Promise.race([client.connect().then(() => client.ping()), failed]);
      break;
    } catch (err) {
      if (Date.now() > until || (err instanceof Error && err.message.startsWith('cannot start'))) {
        proc.kill('SIGKILL');
        throw err;
      }
      await new Promise(r => setTimeout(r, 100));
    }
  }
  client.disconnect();
  return {
    url,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const done = new Promise<void>(resolve => proc.once('exit', () => resolve()));
      proc.kill('SIGTERM');
      await done;
    },
  };
}


async function waitServing(address: string, child: () => string | undefined, timeoutMs: number): Promise<void> {
  const client = healthClient(address);
  const until = Date.now() + timeoutMs;
  try {
    for (;;) {
      const dead = child();
      if (dead) throw new Error(`system under fuzz exited during start-up (${dead})`);
      const s = await checkHealth(client, '').catch(() => 'DOWN');
      if (s === 'SERVING') return;
      if (Date.now() > until) throw new Error(`${address} not SERVING after ${timeoutMs} ms`);
      await new Promise(r => setTimeout(r, 200));
    }
  } finally {
    client.close();
  }
}

export interface WorldOptions {
  /** Extra environment for the child (e.g. rate limits). */
  readonly env?: Readonly<Record<string, string>>;
  /** ADMIN_TOKEN of the child (default FUZZ_ADMIN_TOKEN; '' turns admin RPCs off). */
  readonly adminToken?: string;
}

export async function startFuzzWorld(options: WorldOptions = {}): Promise<FuzzWorld> {
  const db = await createTestDatabase();
  await seedProducts(db.db, SEED_ITEMS, { reset: true, saleStartsAt: new Date(Date.now() - 3_600_000), overrideSaleStart: true });
  // A private, empty redis-server (no persistence): the shared one's logical databases are all claimed by
  // other suites, and a snapshot must see only what this world's calls wrote.
  const redisServer = await startPrivateRedis();
  const redisUrl = redisServer.url;
  const env: Record<string, string> = {
    MYSQL_URL: db.config.mysql.url,
    REDIS_URL: redisUrl,
    REDIS_CLUSTER_NODES: '',
    ADMIN_TOKEN: options.adminToken ?? FUZZ_ADMIN_TOKEN,
    WORKERS_ENABLED: 'false',
    // The cdc module does not follow WORKERS_ENABLED yet: its binlog reader and consumers write state.
    CDC_ROLES: 'none',
    METRICS_PORT: '0',
    LOG_LEVEL: 'error',
    GRPC_HOST: '127.0.0.1',
    SHUTDOWN_GRACE_MS: '3000',
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '',
    OTEL_TRACES_EXPORTER: '',
    ...options.env,
  };
  const ports: Record<string, number> = {};
  for (const [key, entry] of Object.entries(configSchema.ports)) {
    ports[key] = await freePort();
    env[entry.env] = String(ports[key]);
  }
  // Ports of other sections (ledger, gateway, …): free ones too, so nothing collides with a running
  // `make run`; those that turn out to speak gRPC are fuzzed as well.
  const otherPorts: number[] = [];
  for (const section of Object.values(configSchema) as Array<Record<string, { env: string }>>) {
    for (const entry of Object.values(section)) {
      if (!entry.env.endsWith('_PORT') || entry.env === 'METRICS_PORT' || env[entry.env] !== undefined) continue;
      const p = await freePort();
      otherPorts.push(p);
      env[entry.env] = String(p);
    }
  }
  for (const [key, entry] of Object.entries(configSchema.addr)) {
    if (ports[key] !== undefined) env[entry.env] = `127.0.0.1:${ports[key]}`;
  }

  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', MAIN, 'all'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let exit: string | undefined;
  let stderr = '';
  const unexpected: UnexpectedLog[] = [];
  child.on('exit', (code, signal) => (exit = `code ${code ?? '-'} signal ${signal ?? '-'}; stderr: ${stderr.slice(-2000)}`));
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
  let partial = '';
  mkdirSync(projectPath('.stack', 'fuzz'), { recursive: true });
  const log = createWriteStream(SERVER_LOG);
  child.stdout?.pipe(log);
  child.stdout?.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        const rec = JSON.parse(line) as { level?: number; msg?: string; method?: string; err?: { message?: string; stack?: string } };
        if ((rec.level ?? 0) >= 50) unexpected.push({ msg: rec.msg ?? '', ...(rec.method ? { method: rec.method } : {}), ...(rec.err ? { err: (rec.err.stack ?? rec.err.message ?? '').slice(0, 600) } : {}) });
      } catch {
        /* not a log line */
      }
    }
  });

  const stopChild = async () => {
    if (exit) return;
    const done = new Promise<void>(resolve => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await done;
    clearTimeout(timer);
  };

  try {
    const addresses = Object.keys(configSchema.ports).map(k => `127.0.0.1:${ports[k]}`);
    const addressOf = new Map<string, string>();
    for (const address of addresses) {
      await waitServing(address, () => exit, 90_000);
      for (const name of await listServicesByReflection(address)) if (!name.startsWith('grpc.')) addressOf.set(name, address);
    }
    for (const port of otherPorts) {
      const address = `127.0.0.1:${port}`;
      const grpc = await waitServing(address, () => exit, 5_000).then(() => true, () => false);
      if (!grpc) continue;
      for (const name of await listServicesByReflection(address)) if (!name.startsWith('grpc.')) addressOf.set(name, address);
    }
    return {
      db,
      redisUrl,
      addressOf,
      drainUnexpected: () => unexpected.splice(0),
      exited: () => exit,
      cpuMs: () => childCpuMs(child.pid),
      async assertServing(address) {
        if (exit) throw new Error(`system under fuzz died: ${exit}`);
        const client = healthClient(address);
        try {
          for (const svc of ['', 'liveness']) {
            const s = await checkHealth(client, svc);
            if (s !== 'SERVING') throw new Error(`${address} health "${svc}" is ${s} after fuzzing`);
          }
        } finally {
          client.close();
        }
      },
      async stop() {
        await stopChild();
        await redisServer.stop();
        await db.drop();
      },
    };
  } catch (err) {
    await stopChild();
    await redisServer.stop();
    await db.drop();
    throw err;
  }
}
