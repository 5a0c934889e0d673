// The traced pipeline in one process (spawned by telemetry-trace.test.ts, so the instrumentations load
// before the libraries they patch): the checkout harness (checkout, productcatalog, cart, currency,
// shipping, payment on port 0), the real forwarder (the harness's orders stream → RocketMQ topic
// it-telemetry-orders) and the order service's creation consumer built by its production factory (a fresh
// group), all with an in-memory span exporter. One PlaceOrder is made; once its row is in MySQL, every
// finished span is written as JSON to spec.outFile.
import { tracing } from './in-memory-tracing';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { eq } from 'drizzle-orm';
import { systemClock } from '../../../src/platform/clock';
import { createDatabase } from '../../../src/platform/db';
import { metricsRegistry } from '../../../src/platform/metrics';
import { createMqProducer } from '../../../src/platform/mq';
import { createOrderRepo } from '../../../src/services/order/order-repo';
import { orders } from '../../../src/services/order/schema';
import { createCreationHandler } from '../../../src/services/order/workers/creation-consumer';
import { createDeadLetterRepo } from '../../../src/services/order/workers/dlq-repo';
import { createOrderConsumer } from '../../../src/services/order/workers/order-consumers';
import { startStockWorkers } from '../../../src/services/productcatalog/workers';
import { uniqueId } from '../../support/ids';
import { testConfig } from '../../support/test-config';
import { testLogger } from '../../support/test-logger';
import { closeRedis, createTestRedis } from '../../support/test-redis';
import { PLENTY, placeOrderRequest, startCheckoutHarness } from '../checkout-harness';

import type { SpanRecord, TraceChildReport, TraceChildSpec } from './trace-spec';

function record(s: ReadableSpan): SpanRecord {
  return {
    name: s.name,
    kind: s.kind,
    scope: s.instrumentationScope.name,
    traceId: s.spanContext().traceId,
    spanId: s.spanContext().spanId,
    parentSpanId: s.parentSpanContext?.spanId,
    links: s.links.map(l => ({ traceId: l.context.traceId, spanId: l.context.spanId })),
    attributes: { ...s.attributes },
    status: s.status.code,
  };
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

/** The consumer has polled once (rocketmq_consumer_lag_ms is set for its group): a new group starts at the queue's end. */
async function hasPolled(group: string): Promise<boolean> {
  const lag = metricsRegistry.getSingleMetric('rocketmq_consumer_lag_ms');
  const values = lag ? (await lag.get()).values : [];
  return values.some(v => v.labels.group === group);
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.env.TRACE_CHILD_SPEC ?? '{}') as TraceChildSpec;
  const config = testConfig({ MYSQL_URL: spec.mysqlUrl, MYSQL_POOL_SIZE: '4' });
  const logger = testLogger('trace-child');
  const database = createDatabase(config, { logger });
  const db = database.db;
  const h = await startCheckoutHarness(db);
  const blocking: Array<Awaited<ReturnType<typeof createTestRedis>>> = [];
  let stopWorkers: (() => Promise<void>) | undefined;
  let stopConsumer: (() => Promise<void>) | undefined;

  try {
    const group = `GID_it_trace_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
    const consumer = createOrderConsumer(
      {
        endpoints: config.rocketmq.endpoints,
        namespace: '',
        startupTimeoutMs: config.rocketmq.startupTimeoutMs,
        batchSize: 16,
        invisibleMs: 30_000,
        awaitMs: 1_000,
        retryDelayMs: 1_000,
      },
      { topic: spec.topic, group },
      createCreationHandler({
        repo: createOrderRepo(db, systemClock),
        deadLetters: createDeadLetterRepo(db),
        clock: systemClock,
        logger,
        topic: spec.topic,
        group,
        retryDelayMs: 1_000,
      }),
      logger,
    );
    await consumer.start();
    stopConsumer = () => consumer.stop();
    await until('the first poll of the creation consumer', () => hasPolled(group), 60_000);
    // The forwarder drains the harness's stock namespace (its orders stream) into the test topic.
    const workers = await startStockWorkers({
      redis: h.redis,
      openBlocking: async name => {
        const c = await createTestRedis(name, { blocking: true });
        blocking.push(c);
        return c;
      },
      stock: h.catalog.stock,
      clock: systemClock,
      logger,
      createProducer: () =>
        createMqProducer({ endpoints: config.rocketmq.endpoints, namespace: '', topics: [spec.topic], logger, startupTimeoutMs: config.rocketmq.startupTimeoutMs }),
      settings: { forwarder: { topic: spec.topic, blockMs: 200 } },
      run: { forwarder: true, writer: false, trimmer: false },
    });
    stopWorkers = () => workers.stop();

    const userId = uniqueId('trace-user');
    await h.addItem(userId, PLENTY.product.id, 1);
    // No span is active here: the gRPC client span of this call is the trace's root.
    const placed = await h.placeOrder(placeOrderRequest(userId));
    const orderId = placed.order?.orderId;
    if (!orderId) throw new Error('PlaceOrder returned no order id');
    const persisted = async () => (await db.select({ id: orders.orderId }).from(orders).where(eq(orders.orderId, orderId))).length === 1;
    await until('the order row in MySQL', persisted, 90_000);
    // The batch span ends when the handler returns, right after the commit that made the row visible.
    await until('the consumer batch span', () => tracing.spans().some(s => s.name === `process ${spec.topic}`), 10_000);
    await tracing.flush();
    const report: TraceChildReport = { orderId, spans: tracing.spans().map(record) };
    writeFileSync(spec.outFile, JSON.stringify(report));
  } finally {
    await stopWorkers?.();
    await stopConsumer?.();
    for (const c of blocking) await closeRedis(c).catch(() => undefined);
    await h.stop();
    await database.close();
    await tracing.shutdown();
  }
}

// Runs only as a child process (spawned by telemetry-trace.test.ts), never when imported.
if (process.argv[1]?.endsWith('trace-child.ts')) main().then(
  () => process.exit(0),
  err => {
    process.stderr.write(`trace child failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
