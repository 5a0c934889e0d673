// The traced pipeline in one process (spawned by telemetry-trace.test.ts, so the instrumentations load
// before the libraries they patch): productcatalog's InventoryService on port 0, the real forwarder
// (orders stream → RocketMQ topic it-telemetry-orders) and the order service's creation consumer built by
// its production factory (a fresh group), all with an in-memory span exporter. One Reserve is made under
// a caller span; once its row is in MySQL, every finished span is written as JSON to spec.outFile.
import { tracing } from './in-memory-tracing';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { SpanKind, type AttributeValue } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { eq } from 'drizzle-orm';
import { OrderSource, type OrderDraft } from '../../../src/gen/shop/v1/common';
import { InventoryServiceClient, InventoryServiceService, ReserveOutcome, WarmUpOutcome } from '../../../src/gen/shop/v1/inventory';
import { systemClock } from '../../../src/platform/clock';
import { createDatabase } from '../../../src/platform/db';
import { createGrpcClient, unary } from '../../../src/platform/grpc-client';
import { metricsRegistry } from '../../../src/platform/metrics';
import { createMqProducer } from '../../../src/platform/mq';
import { inRootSpan } from '../../../src/platform/telemetry';
import { createOrderRepo } from '../../../src/services/order/order-repo';
import { orders } from '../../../src/services/order/schema';
import { createCreationHandler } from '../../../src/services/order/workers/creation-consumer';
import { createDeadLetterRepo } from '../../../src/services/order/workers/dlq-repo';
import { createOrderConsumer } from '../../../src/services/order/workers/order-consumers';
import { SEED_ITEMS, type SeedItem } from '../../../src/services/productcatalog/seed/seed-data';
import { seedProducts } from '../../../src/services/productcatalog/seed/seed-products';
import { startStockWorkers } from '../../../src/services/productcatalog/workers';
import { createProductCatalogParts } from '../../../src/services/productcatalog/wiring';
import { uniqueId } from '../../support/ids';
import { testConfig } from '../../support/test-config';
import { testLogger } from '../../support/test-logger';
import { closeRedis, createTestRedis, deleteKeys } from '../../support/test-redis';
import { startTestServer } from '../../support/test-server';

import { CALLER_SPAN, type SpanRecord, type TraceChildReport, type TraceChildSpec } from './trace-spec';
const ADMIN_TOKEN = 'telemetry-trace-admin-token';
const ITEM: SeedItem = { product: { ...SEED_ITEMS[0]!.product, id: 'TRACE-TEST-1', name: 'Trace test item' }, stock: 1_000, perUserLimit: 0, flashSale: false };

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

function draftFor(orderId: string): OrderDraft {
  const unit = ITEM.product.price!;
  const now = Date.now();
  const total = unit.units * 1_000_000_000n + BigInt(unit.nanos) + 5n * 1_000_000_000n;
  return {
    orderId,
    userId: uniqueId('trace-user'),
    source: OrderSource.ORDER_SOURCE_PLACE_ORDER,
    userCurrency: unit.currencyCode,
    email: 'buyer@example.com',
    shippingAddress: { streetAddress: '1 Trace Way', city: 'Berlin', state: 'BE', country: 'Germany', zipCode: 10115 },
    items: [{ productId: ITEM.product.id, quantity: 1, unitCost: { ...unit } }],
    shippingCost: { currencyCode: unit.currencyCode, units: 5n, nanos: 0 },
    total: { currencyCode: unit.currencyCode, units: total / 1_000_000_000n, nanos: Number(total % 1_000_000_000n) },
    createdAt: new Date(now),
    expiresAt: new Date(now + 30 * 60_000),
    idempotencyKey: '',
  };
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
  const ns = uniqueId('trc');
  const redis = await createTestRedis('trace-child');
  const blocking: Array<Awaited<ReturnType<typeof createTestRedis>>> = [];
  await seedProducts(db, [ITEM], { reset: false, saleStartsAt: new Date(), overrideSaleStart: false });

  const catalog = createProductCatalogParts({
    redis, db, clock: systemClock, logger, adminToken: ADMIN_TOKEN,
    catalogSettings: { keyPrefix: `test:${ns}:catalog` },
    stockSettings: { namespace: ns },
  });
  const server = await startTestServer(s => s.add(InventoryServiceService, catalog.inventoryHandlers));
  const client = createGrpcClient(InventoryServiceClient, server.address);
  const deadline = { defaultDeadlineMs: 10_000 };
  const warm = await unary(client, 'warmUp', deadline)({ productIds: [ITEM.product.id] }, { metadata: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  if (warm.results[0]?.outcome !== WarmUpOutcome.WARM_UP_OUTCOME_WARMED) throw new Error('warm-up failed');

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
  await until('the first poll of the creation consumer', () => hasPolled(group), 60_000);
  const workers = await startStockWorkers({
    redis,
    openBlocking: async name => {
      const c = await createTestRedis(name, { blocking: true });
      blocking.push(c);
      return c;
    },
    stock: catalog.stock,
    clock: systemClock,
    logger,
    createProducer: () =>
      createMqProducer({ endpoints: config.rocketmq.endpoints, namespace: '', topics: [spec.topic], logger, startupTimeoutMs: config.rocketmq.startupTimeoutMs }),
    settings: { forwarder: { topic: spec.topic, blockMs: 200 } },
    run: { forwarder: true, writer: false, trimmer: false },
  });

  try {
    const orderId = uniqueId('trace-order');
    const reserve = unary(client, 'reserve', deadline);
    const callerSpanId = await inRootSpan(CALLER_SPAN, { kind: SpanKind.INTERNAL }, async span => {
      const r = await reserve({ order: draftFor(orderId) });
      if (r.outcome !== ReserveOutcome.RESERVE_OUTCOME_RESERVED) throw new Error(`reserve: ${r.outcome}`);
      return span.spanContext().spanId;
    });
    const persisted = async () => (await db.select({ id: orders.orderId }).from(orders).where(eq(orders.orderId, orderId))).length === 1;
    await until('the order row in MySQL', persisted, 90_000);
    // The batch span ends when the handler returns, right after the commit that made the row visible.
    await until('the consumer batch span', () => tracing.spans().some(s => s.name === `process ${spec.topic}`), 10_000);
    await tracing.flush();
    const report: TraceChildReport = { orderId, callerSpanId, spans: tracing.spans().map(record) };
    writeFileSync(spec.outFile, JSON.stringify(report));
  } finally {
    await workers.stop();
    await consumer.stop();
    client.close();
    await server.stop();
    for (const c of blocking) await closeRedis(c).catch(() => undefined);
    await deleteKeys(redis, `{${ns}:`);
    await deleteKeys(redis, `test:${ns}:`);
    await closeRedis(redis);
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
