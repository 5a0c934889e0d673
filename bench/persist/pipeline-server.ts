// Child process of the persistence bench: the whole write-behind path of one order in one process, as it
// runs in production minus the checkout:
//   InventoryService.Reserve (Lua: stock + order record in the orders stream)
//   → forwarder (stream → RocketMQ <topic>) → creation consumer (<group>) → MySQL orders/order_items.
// Everything bench-owned: MYSQL_URL is the bench database, the stock namespace and topic/group are the
// bench's, so neither the shop's streams nor its consumer groups are touched.
// argv[2]: JSON PipelineSpec. Prints `BENCH_READY {port}` once the consumer polled; SIGTERM stops it.
import { appendFileSync } from 'node:fs';
import { InventoryServiceService } from '../../src/gen/shop/v1/inventory';
import { systemClock } from '../../src/platform/clock';
import { loadConfig } from '../../src/platform/config';
import { createDatabase } from '../../src/platform/db';
import { createGrpcServer } from '../../src/platform/grpc-server';
import { createLogger } from '../../src/platform/logger';
import { ack, createMqConsumer, createMqProducer } from '../../src/platform/mq';
import { closeRedis, connectRedis, createRedis } from '../../src/platform/redis';
import { createOrderRepo } from '../../src/services/order/order-repo';
import { createCreationHandler } from '../../src/services/order/workers/creation-consumer';
import { createDeadLetterRepo } from '../../src/services/order/workers/dlq-repo';
import { startStockWorkers } from '../../src/services/productcatalog/workers';
import { createProductCatalogParts, productCatalogSettings } from '../../src/services/productcatalog/wiring';
import { announceReady, exitOnSigterm } from '../lib/child-server';

export interface PipelineSpec {
  readonly namespace: string;
  readonly catalogPrefix: string;
  readonly topic: string;
  readonly group: string;
  /** The consumer appends `<order id>\t<born ms>\t<received ms>` per message here (hop breakdown). */
  readonly hopFile: string;
  /** Only order ids containing this are persisted; older runs' messages (a fresh pop group may start at the topic's first message) are acked unprocessed. */
  readonly runId: string;
}

export interface PipelineReady {
  readonly port: number;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as PipelineSpec;
  if (!spec.namespace || !spec.topic || !spec.group) throw new Error('pipeline server: argv[2] must be {"namespace","catalogPrefix","topic","group"}');
  const config = loadConfig();
  const logger = createLogger(config, 'bench-pipeline', { level: 'warn' });
  const connect = async (name: string, blocking = false) => {
    const c = createRedis(config, { logger, name, blocking });
    await connectRedis(c, config);
    return c;
  };
  const redis = await connect('bench-pipeline');
  const database = createDatabase(config, { logger });
  const configured = productCatalogSettings(config);
  const parts = createProductCatalogParts({
    redis, db: database.db, clock: systemClock, logger, adminToken: config.admin.token,
    catalogSettings: { ...configured.catalogSettings, keyPrefix: spec.catalogPrefix },
    stockSettings: { ...configured.stockSettings, namespace: spec.namespace },
  });
  const mq = { endpoints: config.rocketmq.endpoints, namespace: config.rocketmq.namespace, startupTimeoutMs: config.rocketmq.startupTimeoutMs };
  const workers = await startStockWorkers({
    redis, openBlocking: name => connect(name, true), stock: parts.stock, clock: systemClock, logger, db: database.db,
    run: { writer: false, forwarder: true, trimmer: false },
    settings: { forwarder: { topic: spec.topic } },
    createProducer: () => createMqProducer({ ...mq, topics: [spec.topic], logger }),
  });
  let polled = false;
  let lastForeign = Date.now();
  const creation = createCreationHandler({
    repo: createOrderRepo(database.db, systemClock), deadLetters: createDeadLetterRepo(database.db), clock: systemClock, logger,
    topic: spec.topic, group: spec.group, retryDelayMs: config.orderCore.retryDelayMs,
  });
  const consumer = createMqConsumer({
    ...mq, group: spec.group, topic: spec.topic, batchSize: config.orderCore.consumerBatch, invisibleMs: config.orderCore.consumerInvisibleMs,
    awaitMs: config.orderCore.consumerAwaitMs, logger,
    metrics: e => void (e.type === 'polled' && (polled = true)),
    handler: async batch => {
      const ours = batch.filter(m => (m.keys[0] ?? '').includes(spec.runId));
      if (ours.length < batch.length) lastForeign = Date.now();
      if (ours.length === 0) return batch.map(() => ack);
      // When the forwarder sent each message (born) and when this consumer got it: splits the lag in hops.
      const received = Date.now();
      appendFileSync(spec.hopFile, ours.map(m => `${m.keys[0] ?? ''}\t${m.bornAt?.getTime() ?? ''}\t${received}\n`).join(''));
      const answers = await creation(ours);
      return batch.map(m => {
        const i = ours.indexOf(m);
        return i < 0 ? ack : answers[i]!;
      });
    },
  });
  await consumer.start();
  while (!polled || Date.now() - lastForeign < 1_500) await new Promise(resolve => setTimeout(resolve, 50));
  const server = createGrpcServer({ logger, config, clock: systemClock });
  server.add(InventoryServiceService, parts.inventoryHandlers);
  const port = await server.listen(0, '127.0.0.1');

  exitOnSigterm(async () => {
    await server.stop();
    await Promise.all([workers.stop(), consumer.stop()]);
    await Promise.all([closeRedis(redis), database.close()]);
  });
  announceReady({ port } satisfies PipelineReady);
}

main().catch(err => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
