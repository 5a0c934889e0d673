// Persistence bench: orders persisted per second by the batch creation consumer vs one row per
// transaction (same run, same database), and the end-to-end lag Reserve → row visible through the real
// pipeline (Reserve → stream → forwarder → RocketMQ → consumer → MySQL). BENCHMARKS.md section "persist".
//   npx tsx bench/persist/main.ts            full run (~2-3 min), writes BENCHMARKS.md
//   npx tsx bench/persist/main.ts --quick    a short smoke run, writes nothing unless --write
// Everything it creates is its own and removed at the end: databases bench_persist_* / bench_pipe_*,
// Redis keys under {bench-…:inv:N} and bench:…, and fresh consumer groups on the bench-* topics.
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InventoryServiceClient, WarmUpOutcome } from '../../src/gen/shop/v1/inventory';
import { systemClock } from '../../src/platform/clock';
import { loadConfig, type Config } from '../../src/platform/config';
import { createDatabase, migrate, type Database } from '../../src/platform/db';
import { createGrpcClient, unary } from '../../src/platform/grpc-client';
import { createLogger } from '../../src/platform/logger';
import { createMqProducer, type MqProducer } from '../../src/platform/mq';
import { projectPath, projectRoot } from '../../src/platform/paths';
import { closeRedis, connectRedis, createRedis, type RedisClient } from '../../src/platform/redis';
import { UPSTREAM_PRODUCTS } from '../../src/services/productcatalog/seed/seed-data';
import { seedProducts } from '../../src/services/productcatalog/seed/seed-products';
import { createBenchDatabase, durabilitySettings, type BenchDatabase } from '../lib/bench-database';
import { startChildServer, type ChildServer } from '../lib/child-server';
import { load1, machineInfo } from '../lib/machine';
import { writeSection } from '../lib/markdown';
import { unlinkByPrefix } from '../lib/redis-keys';
import { lagPhase, type LagResult } from './lag';
import { parsePersistParams, USAGE } from './params';
import type { PipelineReady, PipelineSpec } from './pipeline-server';
import { consoleReport, markdownSection, type ThroughputRound } from './report';
import { batchPhase, consumerPhase, rowPhase, THROUGHPUT_TOPIC, type ThroughputContext } from './throughput';

const SECTION = 'persist';
const PIPELINE_TOPIC = 'bench-e2e-created';
const SKU = 'BENCH-PERSIST-1';
const log = (msg: string) => process.stdout.write(`[bench-persist] ${msg}\n`);

interface Resources {
  files: string[];
  dbs: BenchDatabase[];
  databases: Database[];
  producer?: MqProducer;
  redis?: RedisClient;
  namespace?: string;
  server?: ChildServer<PipelineReady>;
  client?: InventoryServiceClient;
}

function openDb(config: Config, url: string, poolSize: number): Database {
  return createDatabase({ ...config, mysql: { ...config.mysql, url, poolSize } }, { logger: createLogger(config, 'bench', { level: 'warn' }) });
}

async function throughputRounds(config: Config, res: Resources, runId: string, params: ReturnType<typeof parsePersistParams>): Promise<ThroughputRound[]> {
  const benchDb = await createBenchDatabase(config.mysql.url, `bench_persist_${runId}`);
  res.dbs.push(benchDb);
  const database = openDb(config, benchDb.url, params.rowConcurrency + 2);
  res.databases.push(database);
  await migrate(database);
  const logger = createLogger(config, 'bench', { level: 'warn' });
  const mq = { endpoints: config.rocketmq.endpoints, namespace: config.rocketmq.namespace, startupTimeoutMs: config.rocketmq.startupTimeoutMs };
  res.producer = createMqProducer({ ...mq, topics: [THROUGHPUT_TOPIC], logger });
  await res.producer.start();
  const ctx: ThroughputContext = {
    database, producer: res.producer, mq, runId, clock: systemClock, logger, consumerBatch: config.orderCore.consumerBatch,
  };

  // Unmeasured warm-up: JIT, pool connections, InnoDB pages of the new tables.
  await batchPhase(ctx, 'warm', Math.min(500, params.orders), 100);
  await rowPhase(ctx, 'warmrow', 50, 4);

  const rounds: ThroughputRound[] = [];
  for (let round = 1; round <= params.rounds; round++) {
    const phases = ['consumer', 'consumers', 'rowSeq', 'rowConc', 'batch'] as const;
    const order = phases.map((_, i) => phases[(i + round - 1) % phases.length]!);
    const out: Partial<Record<(typeof phases)[number], unknown>> = {};
    for (const phase of order) {
      log(`round ${round}: ${phase}`);
      const tag = `r${round}${phase}`;
      if (phase === 'consumer') out.consumer = await consumerPhase(ctx, tag.toLowerCase(), params.orders);
      if (phase === 'consumers') out.consumers = await consumerPhase(ctx, tag.toLowerCase(), params.orders, params.parallelConsumers);
      if (phase === 'rowSeq') out.rowSeq = await rowPhase(ctx, tag.toLowerCase(), params.rowOrders, 1);
      if (phase === 'rowConc') out.rowConc = await rowPhase(ctx, tag.toLowerCase(), params.rowOrders, params.rowConcurrency);
      if (phase === 'batch') out.batch = await batchPhase(ctx, tag.toLowerCase(), params.orders, 100);
    }
    rounds.push({ round, ...(out as Omit<ThroughputRound, 'round'>) });
  }
  return rounds;
}

async function lagRuns(config: Config, res: Resources, runId: string, params: ReturnType<typeof parsePersistParams>): Promise<LagResult[]> {
  const pipeDb = await createBenchDatabase(config.mysql.url, `bench_pipe_${runId}`);
  res.dbs.push(pipeDb);
  const database = openDb(config, pipeDb.url, 2);
  res.databases.push(database);
  await migrate(database);
  const template = UPSTREAM_PRODUCTS[0]!;
  await seedProducts(database.db, [{ product: { ...template, id: SKU, name: 'Bench persist item' }, stock: 10_000_000, perUserLimit: 0, flashSale: false }], {
    reset: true, saleStartsAt: new Date(), overrideSaleStart: false,
  });

  res.namespace = `bench-${runId}`;
  res.redis = createRedis(config, { logger: createLogger(config, 'bench', { level: 'warn' }), name: 'bench-persist' });
  await connectRedis(res.redis, config);
  const adminToken = randomBytes(16).toString('hex');
  const hopFile = join(tmpdir(), `bench-persist-hops-${runId}.tsv`);
  writeFileSync(hopFile, '');
  res.files.push(hopFile);
  const spec: PipelineSpec = { namespace: res.namespace, catalogPrefix: `bench:${runId}:catalog`, topic: PIPELINE_TOPIC, group: `GID_bench_e2e_${runId}`, hopFile, runId };
  res.server = await startChildServer<PipelineReady>({
    entry: projectPath('bench/persist/pipeline-server.ts'),
    args: [JSON.stringify(spec)],
    env: { ...process.env, MYSQL_URL: pipeDb.url, ADMIN_TOKEN: adminToken, LOG_LEVEL: 'warn' },
  });
  log(`pipeline server pid ${res.server.pid} on port ${res.server.info.port}`);
  res.client = createGrpcClient(InventoryServiceClient, `127.0.0.1:${res.server.info.port}`);
  const warmed = await unary(res.client, 'warmUp', { defaultDeadlineMs: 10_000 })({ productIds: [SKU] }, { metadata: { authorization: `Bearer ${adminToken}` } });
  if (warmed.results[0]?.outcome !== WarmUpOutcome.WARM_UP_OUTCOME_WARMED) throw new Error('WarmUp of the bench item failed');

  await lagPhase({ client: res.client, database, sku: SKU, prefix: `lw-${runId}-`, rate: Math.min(...params.rates), durationMs: 1_000, hopFile }); // warm-up
  const out: LagResult[] = [];
  for (const rate of [...params.rates].sort((a, b) => a - b)) {
    log(`lag at ${rate} Reserve/s for ${params.lagMs} ms`);
    out.push(await lagPhase({ client: res.client, database, sku: SKU, prefix: `l${rate}-${runId}-`, rate, durationMs: params.lagMs, hopFile }));
  }
  return out;
}

async function cleanup(res: Resources): Promise<void> {
  res.client?.close();
  await res.server?.stop().catch(() => undefined);
  await res.producer?.stop().catch(() => undefined);
  if (res.redis) {
    if (res.namespace) await unlinkByPrefix(res.redis, `{${res.namespace}:`).catch(() => undefined);
    await closeRedis(res.redis);
  }
  await Promise.all(res.databases.map(d => d.close().catch(() => undefined)));
  await Promise.all(res.dbs.map(d => d.drop().catch(() => undefined)));
  for (const f of res.files) rmSync(f, { force: true });
}

async function main(): Promise<void> {
  const output = projectPath('BENCHMARKS.md');
  const params = parsePersistParams(process.argv.slice(2), output);
  if (params.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const config = loadConfig();
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const machine = machineInfo(projectRoot());
  const before = load1();
  log(`run ${runId}: ${params.rounds} round(s), ${params.orders} orders per consumer phase, rates ${params.rates.join(',')}/s, load1 ${before}`);
  const res: Resources = { files: [], dbs: [], databases: [] };
  let stopping = false;
  const onSignal = () => {
    if (stopping) process.exit(1);
    stopping = true;
    log('interrupted: cleaning up');
    void cleanup(res).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const rounds = await throughputRounds(config, res, runId, params);
    const lags = await lagRuns(config, res, runId, params);
    const results = {
      params, machine, durability: await durabilitySettings(config.mysql.url), rounds, lags, load: { before, after: load1() },
      consumerBatch: config.orderCore.consumerBatch,
    };
    process.stdout.write(`\n${consoleReport(results)}\n\n`);
    if (params.write) {
      writeSection(params.output, SECTION, markdownSection(results));
      log(`wrote section "${SECTION}" of ${params.output}`);
    }
  } finally {
    await cleanup(res);
  }
}

main().then(
  () => process.exit(0),
  err => {
    process.stderr.write(`[bench-persist] failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
