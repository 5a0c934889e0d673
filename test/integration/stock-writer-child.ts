// A worker process for the crash and outage suites (spawned by stock-writer-harness.ts): runs the
// write-behind worker or the forwarder against the suite's namespace and database, prints its stats
// as JSON lines, stops gracefully on SIGTERM, and SIGKILLs itself at the requested point of a batch.
import { systemClock } from '../../src/platform/clock';
import { createDatabase } from '../../src/platform/db';
import { createMqProducer } from '../../src/platform/mq';
import { closeRedis, connectRedis, createRedis } from '../../src/platform/redis';
import { createStockService } from '../../src/services/productcatalog/stock';
import { startStockWorkers, type WorkerSettingsOverrides } from '../../src/services/productcatalog/workers';
import { testConfig } from '../support/test-config';
import { testLogger } from '../support/test-logger';
import type { ChildSpec } from './stock-writer-harness';

async function main(): Promise<void> {
  const spec = JSON.parse(process.env.WORKERS_CHILD_SPEC ?? '{}') as ChildSpec;
  const config = testConfig({ MYSQL_URL: spec.mysqlUrl, MYSQL_POOL_SIZE: '4' });
  const logger = testLogger('worker-child');
  const redis = createRedis(config, { logger, name: 'child' });
  await connectRedis(redis, config);
  const database = createDatabase(config, { logger });
  const stock = createStockService({ redis, clock: systemClock, settings: { namespace: spec.namespace, shards: spec.shards } });

  // Batches are counted per transaction (beforeCommit) and per send burst; the shard loops run
  // concurrently, so the after-commit crash is armed for one specific transaction, by its first entry id.
  let batches = 0;
  let armedId: string | undefined;
  const crash = (point: string) => {
    process.stdout.write(`${JSON.stringify({ type: 'crash', point, batches })}\n`);
    process.kill(process.pid, 'SIGKILL');
  };
  const due = (point: string) => spec.killAt === point && batches === (spec.killOnBatch ?? 1);
  const workers = await startStockWorkers({
    redis,
    openBlocking: async name => {
      const c = createRedis(config, { logger, name, blocking: true });
      await connectRedis(c, config);
      return c;
    },
    stock,
    clock: systemClock,
    logger,
    db: database.db,
    createProducer: () =>
      createMqProducer({ endpoints: config.rocketmq.endpoints, namespace: '', topics: ['order-created'], logger, startupTimeoutMs: 20_000 }),
    run: { writer: spec.run === 'writer', forwarder: spec.run === 'forwarder', trimmer: false },
    settings: spec.settings as WorkerSettingsOverrides,
    hooks: {
      writer: {
        beforeCommit: plan => {
          batches += 1;
          if (due('before-commit')) crash('before-commit');
          if (due('after-commit')) armedId = (plan.apply[0] ?? plan.already[0])?.id;
        },
        afterCommit: outcome => {
          if (armedId !== undefined && [...outcome.applied, ...outcome.already].some(r => r.id === armedId)) crash('after-commit');
        },
      },
      forwarder: {
        afterSend: () => {
          batches += 1;
          if (due('after-send')) crash('after-send');
        },
      },
    },
  });

  const report = () => process.stdout.write(`${JSON.stringify({ type: 'stats', ...workers.stats() })}\n`);
  const timer = setInterval(report, 250);
  report();

  process.once('SIGTERM', () => {
    void (async () => {
      clearInterval(timer);
      await workers.stop();
      report();
      await database.close();
      await closeRedis(redis);
      process.exit(0);
    })();
  });
}

main().catch(err => {
  process.stderr.write(`worker child failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(2);
});
