// Inventory bench: gRPC Reserve vs the raw Lua ceiling of the same script vs a naive MySQL row-lock
// baseline (plus Reserve without gRPC, to explain the gaps), in one run on one machine, reported as
// ratios (BENCHMARKS.md section "inventory").
//   npx tsx bench/inventory/main.ts            full run (~1.5 min), writes BENCHMARKS.md
//   npx tsx bench/inventory/main.ts --quick    a few seconds, writes nothing unless --write
// Everything it creates is its own and removed at the end: two databases (bench_inv_*, bench_naive_*),
// Redis keys under the stock namespace {bench-*:inv:N} (separate streams the real workers never read)
// and the catalog prefix bench:*.
import { randomBytes } from 'node:crypto';
import { InventoryServiceClient, WarmUpOutcome } from '../../src/gen/shop/v1/inventory';
import { loadConfig, type Config } from '../../src/platform/config';
import { createDatabase, migrate } from '../../src/platform/db';
import { createGrpcClient, unary } from '../../src/platform/grpc-client';
import { createLogger } from '../../src/platform/logger';
import { projectPath, projectRoot } from '../../src/platform/paths';
import { closeRedis, connectRedis, createRedis, type RedisClient } from '../../src/platform/redis';
import { UPSTREAM_PRODUCTS } from '../../src/services/productcatalog/seed/seed-data';
import { seedProducts } from '../../src/services/productcatalog/seed/seed-products';
import { createStockKeys, type StockKeys } from '../../src/services/productcatalog/stock';
import { createBenchDatabase, durabilitySettings, type BenchDatabase } from '../lib/bench-database';
import { startChildServer, type ChildServer } from '../lib/child-server';
import { load1, machineInfo } from '../lib/machine';
import { writeSection } from '../lib/markdown';
import { redisDurability, unlinkByPrefix } from '../lib/redis-keys';
import { createDirectReserve } from './direct-reserve';
import { createReserveLoad, type ReserveLoad } from './grpc-reserve';
import { prepareLuaCeiling, type LuaCeiling } from './lua-ceiling';
import { prepareNaiveMysql, type NaiveMysql } from './naive-mysql';
import { parseBenchParams, USAGE, type BenchParams } from './params';
import { consoleReport, fromLoad, fromRedisBenchmark, markdownSection, type Measured, type Round, type SystemId } from './report';
import type { ServerReady, ServerSpec } from './server';

const SKU = 'BENCH-HOT-1';
const SECTION = 'inventory';
const INTRO = `# Benchmarks

Speed is measured only here, never in tests, and always as a ratio against a baseline measured in the
same run on the same machine: absolute numbers from a shared 2-core dev box mean little, ratios travel.
Each section is rewritten by its bench (\`make bench-<name>\`); see the section for what is compared.
Needs the local stack (\`make stack-up\`) and \`redis-benchmark\` (redis-tools).
`;

const log = (msg: string) => process.stdout.write(`[bench-inventory] ${msg}\n`);

interface Resources {
  runId?: string;
  redis?: RedisClient;
  serverDb?: BenchDatabase;
  naiveDb?: BenchDatabase;
  server?: ChildServer<ServerReady>;
  load?: ReserveLoad;
  naive?: NaiveMysql;
}

function redisAddress(config: Config): { host: string; port: number; password: string } {
  if (config.redis.clusterNodes.length > 0) throw new Error('bench-inventory runs against the single Redis node (unset REDIS_CLUSTER_NODES)');
  const u = new URL(config.redis.url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || 6379), password: decodeURIComponent(u.password) };
}

/** The bench's product database: the service schema (migrations) and the hot item. */
async function prepareServerDb(config: Config, db: BenchDatabase, stock: number): Promise<void> {
  const database = createDatabase(
    { ...config, mysql: { ...config.mysql, url: db.url, poolSize: 2 } },
    { logger: createLogger(config, 'bench', { level: 'warn' }) },
  );
  try {
    await migrate(database);
    const template = UPSTREAM_PRODUCTS[0]!;
    await seedProducts(database.db, [{ product: { ...template, id: SKU, name: 'Bench hot item' }, stock, perUserLimit: 0, flashSale: false }], {
      reset: true,
      saleStartsAt: new Date(),
      overrideSaleStart: false,
    });
  } finally {
    await database.close();
  }
}

async function redisStock(redis: RedisClient, keys: StockKeys): Promise<number> {
  return Number(await redis.hget(keys.item(keys.shardOf(SKU), SKU), 'stock'));
}

async function ordersStreamLength(redis: RedisClient, keys: StockKeys): Promise<number> {
  return redis.xlen(keys.ordersStream(keys.shardOf(SKU)));
}

async function run(params: BenchParams, res: Resources, signal: AbortSignal): Promise<void> {
  const config = loadConfig();
  const address = redisAddress(config);
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  res.runId = runId;
  const namespace = `bench-${runId}`;
  const catalogPrefix = `bench:${runId}:catalog`;
  const adminToken = randomBytes(16).toString('hex');
  const machine = machineInfo(projectRoot());
  const loadBefore = load1();
  log(`run ${runId}: ${params.rounds} round(s), ${params.concurrency} in flight, load1 ${loadBefore}`);

  res.redis = createRedis(config, { logger: createLogger(config, 'bench', { level: 'warn' }), name: 'bench-inventory-driver' });
  await connectRedis(res.redis, config);
  const redis = res.redis;

  res.serverDb = await createBenchDatabase(config.mysql.url, `bench_inv_${runId}`);
  res.naiveDb = await createBenchDatabase(config.mysql.url, `bench_naive_${runId}`);
  await prepareServerDb(config, res.serverDb, params.stock);

  const spec: ServerSpec = { namespace, catalogPrefix };
  res.server = await startChildServer<ServerReady>({
    entry: projectPath('bench/inventory/server.ts'),
    args: [JSON.stringify(spec)],
    nodeArgs: params.serverCpuProf ? ['--cpu-prof', `--cpu-prof-dir=${params.serverCpuProf}`] : [],
    env: { ...process.env, MYSQL_URL: res.serverDb.url, ADMIN_TOKEN: adminToken, LOG_LEVEL: 'warn' },
  });
  const ready = res.server.info;
  const serverAddress = `127.0.0.1:${ready.port}`;
  const keys = createStockKeys({ shards: ready.shards, namespace });
  log(`productcatalog bench server pid ${res.server.pid} on ${serverAddress}`);
  const hotItem = keys.item(keys.shardOf(SKU), SKU);
  const cleanRedis = () => unlinkByPrefix(redis, `{${namespace}:inv:`, k => k === hotItem);

  // Warm the hot item through the admin RPC, as an operator would.
  const admin = createGrpcClient(InventoryServiceClient, serverAddress);
  try {
    const warmed = await unary(admin, 'warmUp', { defaultDeadlineMs: 10_000 })(
      { productIds: [SKU] },
      { metadata: { authorization: `Bearer ${adminToken}` } },
    );
    const r = warmed.results[0];
    if (r?.outcome !== WarmUpOutcome.WARM_UP_OUTCOME_WARMED || Number(r.stock) !== params.stock) {
      throw new Error(`WarmUp of ${SKU} failed: ${JSON.stringify(warmed.results, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
    }
  } finally {
    admin.close();
  }

  const lua: LuaCeiling = await prepareLuaCeiling({ redis, ...address, keys, sku: SKU, recordTtlMs: ready.recordTtlMs, refusalTtlMs: ready.refusalTtlMs });
  res.load = createReserveLoad(serverAddress, SKU, params.channels);
  res.naive = await prepareNaiveMysql({ config, url: res.naiveDb.url, sku: SKU, stock: params.stock, poolSize: params.concurrency });
  const load = res.load;
  const naive = res.naive;
  const direct = createDirectReserve(redis, SKU, {
    shards: ready.shards,
    namespace,
    recordTtlMs: ready.recordTtlMs,
    refusalTtlMs: ready.refusalTtlMs,
  });
  const errorSamples = new Set<string>();
  const window = { concurrency: params.concurrency, durationMs: params.durationMs, signal };

  // Phases. Each checks the work it measured really happened, then clears the bench streams and order
  // records so every phase starts from the same Redis state (the hot item stays).
  const phases: Record<SystemId, (round: number) => Promise<Measured>> = {
    async lua() {
      const l1 = load1();
      const before = await redisStock(redis, keys);
      const r = await lua.run({ clients: params.concurrency, requests: params.luaRequests });
      const reserved = before - (await redisStock(redis, keys));
      const streamed = await ordersStreamLength(redis, keys);
      if (streamed !== reserved || reserved < r.requests * 0.99) {
        throw new Error(`Lua ceiling: ${r.requests} EVALSHA sent but ${reserved} reserved / ${streamed} order records (script error replies?)`);
      }
      await cleanRedis();
      return fromRedisBenchmark(r, reserved, l1);
    },
    async grpc(round) {
      const l1 = load1();
      const before = await redisStock(redis, keys);
      const r = await load.run(`g${runId}-${round}`, window);
      const reserved = before - (await redisStock(redis, keys));
      if (reserved !== r.ok) throw new Error(`gRPC Reserve: ${r.ok} RESERVED answers but stock fell by ${reserved}`);
      r.errorSamples.forEach(e => errorSamples.add(`grpc: ${e}`));
      await cleanRedis();
      return fromLoad(r, l1);
    },
    async direct(round) {
      const l1 = load1();
      const before = await redisStock(redis, keys);
      const r = await direct.run(`d${runId}-${round}`, window);
      const reserved = before - (await redisStock(redis, keys));
      if (reserved !== r.ok) throw new Error(`in-process Reserve: ${r.ok} RESERVED outcomes but stock fell by ${reserved}`);
      r.errorSamples.forEach(e => errorSamples.add(`direct: ${e}`));
      await cleanRedis();
      return fromLoad(r, l1);
    },
    async naive(round) {
      const l1 = load1();
      const before = await naive.figures();
      const r = await naive.run(`n${runId}-${round}`, window);
      const after = await naive.figures();
      if (after.orders - before.orders !== r.ok || before.stock - after.stock !== r.ok) {
        throw new Error(`naive MySQL: ${r.ok} commits but ${after.orders - before.orders} order rows / stock fell by ${before.stock - after.stock}`);
      }
      r.errorSamples.forEach(e => errorSamples.add(`naive: ${e}`));
      return fromLoad(r, l1);
    },
  };

  if (params.warmUpMs > 0) {
    log(`warm-up ${params.warmUpMs} ms per system (not measured)`);
    const warm = { ...window, durationMs: params.warmUpMs };
    await load.run(`w${runId}`, warm);
    await direct.run(`v${runId}`, warm);
    await naive.run(`w${runId}`, warm);
    await lua.run({ clients: params.concurrency, requests: Math.min(2000, params.luaRequests) });
    await cleanRedis();
  }

  const order: SystemId[] = ['lua', 'grpc', 'direct', 'naive'];
  const rounds: Round[] = [];
  for (let round = 0; round < params.rounds; round++) {
    const results: Partial<Record<SystemId, Measured>> = {};
    for (let k = 0; k < order.length; k++) {
      if (signal.aborted) throw new Error('interrupted');
      const id = order[(k + round) % order.length]!; // rotate: no system always runs first
      results[id] = await phases[id](round);
      log(`round ${round + 1} ${id}: ${Math.round(results[id]!.opsPerSec)} ops/s, p50 ${results[id]!.p50Ms.toFixed(2)} ms, p99 ${results[id]!.p99Ms.toFixed(2)} ms`);
    }
    rounds.push(results as Round);
  }

  const report = {
    machine,
    params,
    rounds,
    loadBefore,
    loadAfter: load1(),
    redis: await redisDurability(redis),
    mysql: await durabilitySettings(config.mysql.url),
    scriptSha: lua.sha,
    serverShards: ready.shards,
    errorSamples: [...errorSamples],
  };
  process.stdout.write(`\n${consoleReport(report)}\n\n`);
  if (params.write) {
    writeSection(params.output, SECTION, markdownSection(report), INTRO);
    log(`wrote section "${SECTION}" of ${params.output}`);
  }
}

/** Removes everything the run created; each step independent so one failure does not leave the rest. */
async function cleanup(res: Resources): Promise<void> {
  const steps: Array<[string, () => Promise<unknown>]> = [
    ['gRPC clients', async () => res.load?.close()],
    ['bench server', async () => res.server?.stop()],
    ['naive pool', async () => res.naive?.close()],
    ['naive database', async () => res.naiveDb?.drop()],
    ['server database', async () => res.serverDb?.drop()],
  ];
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (err) {
      log(`cleanup of ${name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (res.redis) {
    const runId = res.runId;
    try {
      if (runId) {
        const removed =
          (await unlinkByPrefix(res.redis, `{bench-${runId}:inv:`)) + (await unlinkByPrefix(res.redis, `bench:${runId}:catalog`));
        log(`removed ${removed} Redis keys and both databases`);
      }
    } catch (err) {
      log(`cleanup of Redis keys failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    await closeRedis(res.redis);
  }
}

async function main(): Promise<void> {
  const params = parseBenchParams(process.argv.slice(2), projectPath('BENCHMARKS.md'));
  if (params.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const res: Resources = {};
  const controller = new AbortController();
  process.once('SIGINT', () => {
    log('interrupted: finishing in-flight calls, then cleaning up');
    controller.abort();
  });
  try {
    await run(params, res, controller.signal);
  } finally {
    await cleanup(res);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench-inventory failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
