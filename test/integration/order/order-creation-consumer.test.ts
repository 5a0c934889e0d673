// The creation consumer on real RocketMQ + MariaDB: good orders land (also the forwarder's base64-text
// body), permanent failures (undecodable body, a total that does not add up) are stored in dead_letters
// at once without retries, and a row MySQL keeps refusing is retried until the broker moves it to
// %DLQ%<group>, where the DLQ worker stores it with the consumer's last reason; its neighbours are not held back.
import assert from 'node:assert/strict';
import { count, eq } from 'drizzle-orm';
import { systemClock } from '../../../src/platform/clock';
import { createMqProducer, type MqConsumer, type MqProducer } from '../../../src/platform/mq';
import type { RedisClient } from '../../../src/platform/redis';
import { createOrderRepo } from '../../../src/services/order/order-repo';
import { deadLetters, orders } from '../../../src/services/order/schema';
import { encodeOrderPayload } from '../../../src/services/productcatalog/inventory/order-payload';
import { createCreationHandler } from '../../../src/services/order/workers/creation-consumer';
import { createFailureNotes } from '../../../src/services/order/workers/dlq-failure-notes';
import { createDeadLetterRepo } from '../../../src/services/order/workers/dlq-repo';
import { createDlqWorker, type DlqWorker } from '../../../src/services/order/workers/dlq-worker';
import { createOrderConsumer } from '../../../src/services/order/workers/order-consumers';
import { uniqueId, uniquePrefix } from '../../support/ids';
import { testConfig } from '../../support/test-config';
import { testLogger } from '../../support/test-logger';
import { useTestDatabase } from '../../support/test-database';
import { closeRedis, createTestRedis, deleteKeys } from '../../support/test-redis';
import { makeDraft, orderCreatedBody } from './order-fixtures';

const TOPIC = 'it-order-created';
const GROUP = 'GID_it_order_created';

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 200));
  }
}

describe('order creation consumer: permanent and persistent failures (real RocketMQ)', function () {
  this.timeout(300_000);
  const tdb = useTestDatabase();
  const tag = uniqueId('cc').replace(/-/g, '_');
  const prefix = uniquePrefix('notes');
  let redis: RedisClient;
  let producer: MqProducer;
  let consumer: MqConsumer;
  let dlq: DlqWorker;
  let handler: ReturnType<typeof createCreationHandler>;

  before(async () => {
    const config = testConfig();
    const logger = testLogger('creation');
    const db = tdb.current.db;
    redis = await createTestRedis('creation-test');
    const notes = createFailureNotes(redis, { keyPrefix: prefix, ttlMs: 600_000 });
    const letters = createDeadLetterRepo(db);
    handler = createCreationHandler({
      repo: createOrderRepo(db, systemClock),
      deadLetters: letters,
      clock: systemClock,
      logger,
      topic: TOPIC,
      group: GROUP,
      retryDelayMs: 1_000,
      notes,
    });
    const mq = { endpoints: config.rocketmq.endpoints, namespace: '', startupTimeoutMs: 20_000 };
    dlq = createDlqWorker({ mq, sources: [{ group: GROUP, topic: TOPIC, kind: 'NORMAL' }], repo: letters, notes, clock: systemClock, logger, awaitMs: 1_000 });
    await dlq.start();
    consumer = createOrderConsumer({ ...mq, batchSize: 100, invisibleMs: 5_000, awaitMs: 1_000, retryDelayMs: 1_000 }, { topic: TOPIC, group: GROUP, tag }, handler, logger);
    await consumer.start();
    producer = createMqProducer({ ...mq, topics: [TOPIC], logger });
    await producer.start();
  });

  after(async () => {
    await consumer?.stop();
    await dlq?.stop();
    await producer?.stop();
    if (redis) {
      await deleteKeys(redis, prefix);
      await closeRedis(redis);
    }
  });

  it('stores good rows, dead-letters permanent failures at once, and a persistently failing row via the DLQ', async () => {
    const db = tdb.current.db;
    const good = Array.from({ length: 30 }, (_, i) => makeDraft(i));
    const forwarderFormat = makeDraft(40);
    const badTotal = makeDraft(41, { total: { currencyCode: 'EUR', units: 1n, nanos: 0 } });
    // Valid for the draft rules, refused by MariaDB (datetime out of range) on every attempt.
    const mysqlRefuses = makeDraft(42, { expiresAt: new Date('+010000-01-01T00:00:00Z') });
    const send = (key: string, body: Buffer) => producer.send({ topic: TOPIC, tag, keys: [key], body });

    await Promise.all([
      ...good.map(d => send(d.orderId, orderCreatedBody(d))),
      send(forwarderFormat.orderId, Buffer.from(encodeOrderPayload(forwarderFormat, new Date(), {}), 'utf8')),
      send(badTotal.orderId, orderCreatedBody(badTotal)),
      send('garbage-1', Buffer.from('this is not protobuf')),
      send(mysqlRefuses.orderId, orderCreatedBody(mysqlRefuses)),
    ]);

    const rows = async () => (await db.select({ n: count() }).from(orders))[0]?.n ?? 0;
    await until('31 rows', async () => (await rows()) >= 31);
    const letterFor = async (key: string) => (await db.select().from(deadLetters).where(eq(deadLetters.msgKey, key)))[0];
    await until('permanent dead letters', async () => (await letterFor(badTotal.orderId)) !== undefined && (await letterFor('garbage-1')) !== undefined);
    const total = await letterFor(badTotal.orderId);
    assert.match(total!.reason, /order\.total/);
    assert.equal(total!.attempts, 1, 'not retried');
    assert.match((await letterFor('garbage-1'))!.reason, /not an OrderCreated message/);

    await until('the refused row in dead_letters (through %DLQ%)', async () => (await letterFor(mysqlRefuses.orderId)) !== undefined);
    const persistent = await letterFor(mysqlRefuses.orderId);
    assert.match(persistent!.reason, /datetime|expires_at|Incorrect|out of range/i, persistent!.reason);
    assert.ok(persistent!.attempts >= 3, `retried until the broker gave up (${persistent!.attempts})`);
    assert.deepEqual(persistent!.body, orderCreatedBody(mysqlRefuses), 'original body kept for replay');

    assert.equal(await rows(), 31, 'all good rows, nothing else');
    for (const d of [...good, forwarderFormat]) assert.ok((await db.select().from(orders).where(eq(orders.orderId, d.orderId))).length === 1, d.orderId);
    const stats = handler.stats();
    assert.equal(stats.deadLettered, 2);
    assert.ok(stats.retried >= 3, `the refused row was answered retryLater each time (${stats.retried})`);
  });
});
