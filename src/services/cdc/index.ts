// The cdc service module: the binlog reader (MariaDB row events of products/orders → RocketMQ FIFO topic
// CDC_TOPIC) and its two consumers (product cache + Redis stock; buyer result keys + reconciliation
// counters), as CDC_ROLES says. Serves gRPC health on CDC_PORT. The reader connects to the binlog before
// the server listens (a missing binlog or privilege fails start-up with one line); RocketMQ clients start
// in the background and the reader retries its sends until they run. Stopped in the 'drain' phase: the
// reader sends what it read and saves its position before the producer closes.
import { randomInt } from 'node:crypto';
import { createMqProducer } from '../../platform/mq';
import { StartupError } from '../../platform/startup-error';
import { startBackgroundProducer } from '../checkout/background-producer';
import { orderConsumerSettings } from '../order';
import { createOrderConsumer, keepConsuming } from '../order/workers/order-consumers';
import type { RunningService, ServiceModule } from '../registry';
import type { Runtime } from '../runtime';
import { serveGrpc } from '../serve';
import { binlogTarget, catalogAndStockSettings, createCdcReader, orderConsumerHandler, productConsumerHandler } from './wiring';

export const CDC_SERVICE = 'cdc';

async function startReader(rt: Runtime): Promise<void> {
  const { config, clock } = rt;
  const logger = rt.logger.child({ service: CDC_SERVICE, component: 'reader' });
  const database = await rt.db();
  const producer = startBackgroundProducer({
    create: () =>
      createMqProducer({
        endpoints: config.rocketmq.endpoints,
        namespace: config.rocketmq.namespace,
        topics: [config.cdc.topic],
        logger: logger.child({ component: 'cdc-producer' }),
        startupTimeoutMs: config.rocketmq.startupTimeoutMs,
      }),
    clock,
    logger,
  });
  const reader = createCdcReader({
    database,
    target: binlogTarget(config.mysql.url),
    // Two connections with one server id make MariaDB drop the older one: random unless pinned.
    serverId: config.cdc.serverId || randomInt(1_000_000, 4_294_967_295),
    tables: config.cdc.tables,
    topic: config.cdc.topic,
    send: m => producer.send(m),
    settings: {
      checkpointIntervalMs: config.cdc.checkpointIntervalMs,
      idleCheckpointMs: config.cdc.idleCheckpointMs,
      maxQueuedTransactions: config.cdc.maxQueuedTransactions,
    },
    clock,
    logger,
  });
  try {
    await reader.start();
  } catch (err) {
    await producer.stop();
    throw new StartupError('the MariaDB binlog (cdc reader)', 'MYSQL_URL', config.mysql.url, (err as Error).message, { cause: err });
  }
  rt.shutdown.register(`${CDC_SERVICE}:reader`, 'drain', async () => {
    await reader.stop();
    await producer.stop();
  });
}

async function startConsumers(rt: Runtime): Promise<void> {
  const { config, clock } = rt;
  const roles = config.cdc.roles;
  const logger = rt.logger.child({ service: CDC_SERVICE });
  const [redis, database] = await Promise.all([rt.redis(), rt.db()]);
  const mq = { ...orderConsumerSettings(config), batchSize: config.cdc.consumerBatch };
  const common = {
    redis,
    database,
    databaseName: binlogTarget(config.mysql.url).schema,
    clock,
    logger,
    dedupeTtlMs: config.cdc.dedupeTtlMs,
    retryMs: config.orderCore.retryDelayMs,
  };
  const running: { stop(): Promise<void> }[] = [];
  if (roles.includes('products')) {
    const target = { topic: config.cdc.topic, group: config.cdc.productGroup, tag: 'products' };
    const handler = productConsumerHandler({ ...common, group: target.group, ...catalogAndStockSettings(config) });
    running.push(keepConsuming(() => createOrderConsumer(mq, target, handler, logger), logger, target.group));
  }
  if (roles.includes('orders')) {
    const target = { topic: config.cdc.topic, group: config.cdc.orderGroup, tag: 'orders' };
    const handler = orderConsumerHandler({ ...common, group: target.group, resultTtlMs: config.orderCore.resultTtlMs });
    running.push(keepConsuming(() => createOrderConsumer(mq, target, handler, logger), logger, target.group));
  }
  rt.shutdown.register(`${CDC_SERVICE}:consumers`, 'drain', async () => {
    await Promise.all(running.map(c => c.stop()));
  });
}

export const cdcModule: ServiceModule = {
  name: CDC_SERVICE,
  summary: 'binlog CDC: products/orders row changes → RocketMQ; product cache + Redis stock repair, buyer result repair',
  port: config => config.ports.cdc,
  async start(rt: Runtime): Promise<RunningService> {
    // WORKERS_ENABLED=false (hot-path-only processes) runs no CDC role: all of cdc is background work.
    const roles = rt.config.lifecycle.workersEnabled ? rt.config.cdc.roles : [];
    if (roles.includes('reader')) await startReader(rt);
    if (roles.includes('products') || roles.includes('orders')) await startConsumers(rt);
    rt.logger.child({ service: CDC_SERVICE }).info({ roles }, roles.length > 0 ? 'cdc started' : 'cdc: no roles (CDC_ROLES=none)');
    const served = await serveGrpc(rt, CDC_SERVICE, rt.config.ports.cdc, []);
    return { name: served.name, port: served.port };
  },
};
