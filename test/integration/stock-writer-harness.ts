// Shared setup of the write-behind / forwarder / retention suites: a real Redis (single node, or the
// 3-master Cluster with STOCK_TEST_REDIS=cluster), a migrated per-suite MariaDB database, a fresh stock
// key namespace, and helpers to watch the pipeline drain. Also the fault injectors: a TCP proxy (MySQL
// path) and an HTTP CONNECT proxy (gRPC path to RocketMQ) that a test can cut and restore, and a
// child-process runner for crash tests. No mocks: every fault is a real broken connection.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { inArray, sql } from 'drizzle-orm';
import type { RowDataPacket } from 'mysql2';
import { products, stockApplied, stockLog } from '../../src/db/schema';
import { systemClock } from '../../src/platform/clock';
import type { Db } from '../../src/platform/db';
import { closeRedis, connectRedis, createRedis, type RedisClient } from '../../src/platform/redis';
import { OrderDraft } from '../../src/gen/shop/v1/common';
import { encodeOrderPayload } from '../../src/services/productcatalog/inventory/order-payload';
import { createStockService, type ReserveOutcome, type StockService } from '../../src/services/productcatalog/stock';
import { groupInfos, toEntries } from '../../src/services/productcatalog/workers/stream-entries';
import { deleteKeys } from '../support/test-redis';
import { testConfig } from '../support/test-config';
import { testLogger } from '../support/test-logger';
import { CLUSTER_NODES, connectStockRedis, redisMode } from './stock-fixtures';

export { redisMode };

export const SHARDS = 4;

export function newNamespace(): string {
  return `w${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** Env overrides that point a config at the Redis this suite runs against. */
export function redisEnv(): Record<string, string> {
  return redisMode === 'cluster' ? { REDIS_CLUSTER_NODES: CLUSTER_NODES } : {};
}

export interface StockRig {
  readonly redis: RedisClient;
  readonly namespace: string;
  readonly stock: StockService;
  /** Dedicated blocking connections, like Runtime.blockingRedis. */
  openBlocking(name: string): Promise<RedisClient>;
  cleanup(): Promise<void>;
}

export async function stockRig(shards = SHARDS): Promise<StockRig> {
  const redis = await connectStockRedis('workers-test');
  const namespace = newNamespace();
  const stock = createStockService({ redis, clock: systemClock, settings: { namespace, shards }, logger: testLogger('stock') });
  const config = testConfig(redisEnv());
  return {
    redis,
    namespace,
    stock,
    async openBlocking(name) {
      const client = createRedis(config, { logger: testLogger('redis'), name, blocking: true });
      await connectRedis(client, config);
      return client;
    },
    async cleanup() {
      await deleteKeys(redis, `{${namespace}:inv:`);
      await closeRedis(redis);
    },
  };
}

export async function seedProducts(db: Db, table: Record<string, number>): Promise<void> {
  await db.insert(products).values(
    Object.entries(table).map(([id, stock]) => ({
      id,
      name: id,
      description: 'write-behind test item',
      priceUnits: 1n,
      priceCurrency: 'USD',
      categories: ['test'],
      stock,
    })),
  );
}

/** Loads MySQL figures into Redis through the stock domain's warm-up. */
export async function warmFromMysql(stock: StockService, db: Db, skus: readonly string[]): Promise<void> {
  const results = await stock.warmUp(skus, async list => {
    const rows = await db.select({ id: products.id, stock: products.stock, limit: products.perUserLimit }).from(products).where(inArray(products.id, [...list]));
    return rows.map(r => ({ sku: r.id, stock: r.stock, limit: r.limit }));
  });
  const bad = results.filter(r => r.status !== 'WARMED');
  if (bad.length > 0) throw new Error(`warm-up failed: ${JSON.stringify(bad)}`);
}

export const traceOf = (orderId: string) => ({ traceparent: `00-${orderId.replace(/[^0-9a-f]/g, '').padEnd(32, 'a').slice(0, 32)}-00f067aa0ba902b7-01` });

/** The order-created payload as InventoryService.Reserve builds it (base64 OrderCreated protobuf). */
export function payloadOf(orderId: string, lines: readonly { sku: string; qty: number }[]): string {
  const draft = OrderDraft.fromPartial({
    orderId,
    userId: `user-${orderId}`,
    userCurrency: 'USD',
    items: lines.map(l => ({ productId: l.sku, quantity: l.qty })),
  });
  return encodeOrderPayload(draft, new Date(1_800_000_000_000), traceOf(orderId));
}

export function reserve(stock: StockService, orderId: string, lines: { sku: string; qty: number }[]): Promise<ReserveOutcome> {
  return stock.reserve({
    orderId,
    userId: `user-${orderId}`,
    lines,
    orderPayload: payloadOf(orderId, lines),
    traceContext: traceOf(orderId),
  });
}

/** Random reservations (1-3 lines of qty 1-2); returns the ids that were RESERVED. */
export async function reserveMany(stock: StockService, prefix: string, count: number, skus: readonly string[], random: () => number): Promise<string[]> {
  const reserved: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = 1 + Math.floor(random() * Math.min(3, skus.length));
    const picked = [...skus].sort(() => random() - 0.5).slice(0, n);
    const orderId = `${prefix}-${i}`;
    const out = await reserve(stock, orderId, picked.map(sku => ({ sku, qty: 1 + Math.floor(random() * 2) })));
    if (out.kind === 'RESERVED') reserved.push(orderId);
  }
  return reserved;
}

export const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

export async function waitFor(what: string, done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await done()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** The group has seen the stream's last entry and has nothing pending. */
export async function drained(redis: RedisClient, stream: string, group: string): Promise<boolean> {
  const last = toEntries(await redis.xrevrange(stream, '+', '-', 'COUNT', 1))[0];
  if (!last) return true;
  const info = groupInfos(await redis.xinfo('GROUPS', stream).catch(() => [])).find(g => g.name === group);
  return !!info && info.pending === 0 && info.lastDeliveredId === last.id;
}

export async function allDrained(redis: RedisClient, streams: readonly string[], group: string): Promise<boolean> {
  for (const s of streams) if (!(await drained(redis, s, group))) return false;
  return true;
}

export async function mysqlStocks(db: Db, skus: readonly string[]): Promise<Record<string, number>> {
  const rows = await db.select({ id: products.id, stock: products.stock }).from(products).where(inArray(products.id, [...skus]));
  return Object.fromEntries(rows.map(r => [r.id, r.stock]));
}

export async function redisStocks(stock: StockService, skus: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const sku of skus) {
    const level = await stock.getStock(sku);
    if (!level.warmed) throw new Error(`${sku} not warmed`);
    out[sku] = level.stock;
  }
  return out;
}

/** Items whose stock-change records are not all counted as applied (seq - synced). */
export async function unsynced(stock: StockService, skus: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const sku of skus) {
    const level = await stock.getStock(sku);
    if (level.warmed && level.unsynced !== 0) out[sku] = level.unsynced;
  }
  return out;
}

export async function streamLength(redis: RedisClient, streams: readonly string[]): Promise<number> {
  let n = 0;
  for (const s of streams) n += await redis.xlen(s);
  return n;
}

/** All stock-change lines written by the Lua scripts, over every shard. */
export async function stockLines(redis: RedisClient, streams: readonly string[]): Promise<{ entries: number; lines: number }> {
  let entries = 0;
  let lines = 0;
  for (const s of streams) {
    for (const e of toEntries(await redis.xrange(s, '-', '+'))) {
      entries += 1;
      const i = e.fields.indexOf('lines');
      lines += e.fields[i + 1]!.split(',').length;
    }
  }
  return { entries, lines };
}

/** stock_log / stock_applied rows of these streams (a suite's database is shared by its tests). */
export async function auditCounts(db: Db, streams: readonly string[]): Promise<{ logRows: number; applied: number; duplicateLogRows: number }> {
  const [log] = await db.select({ n: sql<number>`count(*)` }).from(stockLog).where(inArray(stockLog.stream, [...streams]));
  const [applied] = await db.select({ n: sql<number>`count(*)` }).from(stockApplied).where(inArray(stockApplied.stream, [...streams]));
  const [dups] = (await db.execute(
    sql`SELECT count(*) AS n FROM (SELECT 1 FROM stock_log WHERE stream IN (${sql.join(streams.map(s => sql`${s}`), sql`, `)})
        GROUP BY stream, stream_id, product_id HAVING count(*) > 1) d`,
  )) as unknown as [RowDataPacket[]];
  return { logRows: Number(log!.n), applied: Number(applied!.n), duplicateLogRows: Number(dups[0]!.n) };
}

// ---- fault injection -------------------------------------------------------------------------------

export interface Cuttable {
  readonly port: number;
  /** Closes every open connection and refuses new ones until restore(). */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

function tracked(server: Server) {
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  return { sockets, track };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy has no port');
  return address.port;
}

/** Plain TCP forwarder to 127.0.0.1:targetPort (the MySQL connection path). */
export async function startTcpProxy(targetPort: number): Promise<Cuttable> {
  let up = true;
  const server = createServer();
  const { sockets, track } = tracked(server);
  server.on('connection', client => {
    track(client);
    if (!up) return void client.destroy();
    const upstream = connect(targetPort, '127.0.0.1');
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const port = await listen(server);
  return {
    port,
    cut() {
      up = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      up = true;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise(resolve => server.close(() => resolve()));
    },
  };
}

/**
 * HTTP CONNECT proxy (what grpc-js uses when `grpc_proxy` is set) allowed to reach only `allowed`
 * ("127.0.0.1:8081"). The RocketMQ proxy answers routes with the host the client dialled plus ITS OWN
 * port, so a plain TCP forwarder on another port would be bypassed; a CONNECT proxy carries every gRPC
 * channel the client opens, whichever address a route names.
 */
export async function startConnectProxy(allowed: readonly string[]): Promise<Cuttable & { tunnels(): number }> {
  let up = true;
  let opened = 0;
  const server = createHttpServer((_req, res) => res.writeHead(405).end());
  const { sockets, track } = tracked(server);
  server.on('connect', (req, client: Socket, head: Buffer) => {
    track(client);
    const target = req.url ?? '';
    if (!up || !allowed.includes(target)) {
      client.end(`HTTP/1.1 ${up ? 403 : 503} Refused\r\n\r\n`);
      return;
    }
    const [host, port] = target.split(':');
    const upstream = connect(Number(port), host!, () => {
      opened += 1;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    track(upstream);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const port = await listen(server as unknown as Server);
  return {
    port,
    tunnels: () => opened,
    cut() {
      up = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      up = true;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise(resolve => server.close(() => resolve()));
    },
  };
}

// ---- worker child process --------------------------------------------------------------------------

export interface ChildSpec {
  readonly namespace: string;
  readonly shards: number;
  readonly mysqlUrl: string;
  readonly run: 'writer' | 'forwarder';
  /** Crash (SIGKILL itself) at this point of the Nth batch (1-based). */
  readonly killAt?: 'before-commit' | 'after-commit' | 'after-send';
  readonly killOnBatch?: number;
  readonly settings?: Record<string, unknown>;
  /** Extra environment, e.g. grpc_proxy for the forwarder. */
  readonly env?: Record<string, string>;
}

export interface WorkerChild {
  readonly process: ChildProcess;
  /** Resolves on the first stats line (workers running). */
  readonly ready: Promise<void>;
  /** Latest stats line the child printed. */
  stats(): Record<string, unknown> | undefined;
  /** Resolves with the exit code or signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (graceful stop) and wait for the exit (at most 30 s). */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The exit, or a failure (and a SIGKILL) if the child is still running after `ms`. */
  exitWithin(ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnWorkerChild(spec: ChildSpec): WorkerChild {
  const child = spawn(process.execPath, ['--import', 'tsx', require.resolve('./stock-writer-child.ts')], {
    env: { ...process.env, ...redisEnv(), ...spec.env, WORKERS_CHILD_SPEC: JSON.stringify(spec) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let last: Record<string, unknown> | undefined;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>(resolve => (markReady = resolve));
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        const msg = JSON.parse(line) as Record<string, unknown>;
        if (msg.type === 'stats') {
          last = msg;
          markReady();
        }
      } catch {
        // not ours
      }
    }
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
    if (process.env.DEBUG) process.stderr.write(chunk);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve =>
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal !== 'SIGKILL' && stderr) process.stderr.write(`worker child stderr:\n${stderr}\n`);
      resolve({ code, signal });
    }),
  );
  const api: WorkerChild = {
    process: child,
    ready: Promise.race([ready, exited.then(e => Promise.reject(new Error(`worker child exited early: ${JSON.stringify(e)} ${stderr}`)))]),
    stats: () => last,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return api.exitWithin(30_000);
    },
    async exitWithin(ms) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`worker child still running after ${ms} ms (last stats: ${JSON.stringify(last)})`));
        }, ms);
      });
      try {
        return await Promise.race([exited, late]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
  return api;
}
