// A creation-consumer process for the crash suite (spawned by order-creation-kill.test.ts): consumes the
// suite's topic/tag into the suite's database, prints {"type":"ready"} once the consumer runs and a
// {"type":"batch"} line after every committed batch, stops gracefully on SIGTERM (printing its stats).
import { systemClock } from '../../../src/platform/clock';
import { createDatabase } from '../../../src/platform/db';
import { createOrderRepo } from '../../../src/services/order/order-repo';
import { createCreationHandler } from '../../../src/services/order/workers/creation-consumer';
import { createDeadLetterRepo } from '../../../src/services/order/workers/dlq-repo';
import { createOrderConsumer } from '../../../src/services/order/workers/order-consumers';
import { testConfig } from '../../support/test-config';
import { testLogger } from '../../support/test-logger';

export interface CreationChildSpec {
  mysqlUrl: string;
  topic: string;
  group: string;
  tag: string;
  batchSize: number;
  invisibleMs: number;
}

const say = (msg: object) => process.stdout.write(`${JSON.stringify(msg)}\n`);

async function main(): Promise<void> {
  const spec = JSON.parse(process.env.ORDER_CHILD_SPEC ?? '{}') as CreationChildSpec;
  const config = testConfig({ MYSQL_URL: spec.mysqlUrl, MYSQL_POOL_SIZE: '4' });
  const logger = testLogger('creation-child');
  const database = createDatabase(config, { logger });
  const repo = createOrderRepo(database.db, systemClock);
  const handler = createCreationHandler({
    repo,
    deadLetters: createDeadLetterRepo(database.db),
    clock: systemClock,
    logger,
    topic: spec.topic,
    group: spec.group,
    retryDelayMs: 1_000,
    afterCommit: ids => {
      say({ type: 'batch', size: ids.length });
    },
  });
  const consumer = createOrderConsumer(
    {
      endpoints: config.rocketmq.endpoints,
      namespace: config.rocketmq.namespace,
      startupTimeoutMs: config.rocketmq.startupTimeoutMs,
      batchSize: spec.batchSize,
      invisibleMs: spec.invisibleMs,
      awaitMs: 1_000,
      retryDelayMs: 1_000,
    },
    { topic: spec.topic, group: spec.group, tag: spec.tag },
    handler,
    logger,
  );
  await consumer.start();
  say({ type: 'ready', pid: process.pid });
  process.once('SIGTERM', () => {
    void (async () => {
      await consumer.stop();
      say({ type: 'stats', ...handler.stats() });
      await database.close();
      process.exit(0);
    })();
  });
}

main().catch(err => {
  process.stderr.write(`creation child failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
