// Dead letters on the real broker and MariaDB: a poison payment-deadline timer (its order never exists)
// is retried by the real timeout consumer, moved by RocketMQ to %DLQ%<group> after the configured
// attempts and stored in dead_letters with the consumer's reason, while the other timers are handled;
// a malformed timer is dead-lettered at once. The admin RPCs page and filter the letters, need the admin
// token, and ReplayDeadLetter re-publishes with the original key, body, properties, tag and FIFO group —
// once (a second replay is a no-op).
import assert from 'node:assert/strict';
import { status, type ServiceError } from '@grpc/grpc-js';
import { PaymentDeadline } from '../../src/gen/shop/v1/events';
import { OrderServiceClient, OrderServiceService } from '../../src/gen/shop/v1/order';
import { createAdminGuard } from '../../src/platform/admin-auth';
import { systemClock } from '../../src/platform/clock';
import { createGrpcClient, unary, type CallOptions } from '../../src/platform/grpc-client';
import {
  ack, createMqConsumer, createMqProducer, retryLater, type MqConsumer, type MqMessage, type MqMetricEvent, type MqProducer,
} from '../../src/platform/mq';
import type { RedisClient } from '../../src/platform/redis';
import { createDeadLetterHandlers } from '../../src/services/order/dead-letter-handlers';
import type { CancelOrderDeps } from '../../src/services/order/cancel-order';
import { createOrderRepo, type OrderRepo } from '../../src/services/order/order-repo';
import { createFailureNotes, type FailureNotes } from '../../src/services/order/workers/dlq-failure-notes';
import type { DlqSource } from '../../src/services/order/workers/dlq-letters';
import { createDeadLetterRepo, type DeadLetterRepo } from '../../src/services/order/workers/dlq-repo';
import { createDlqWorker, type DlqWorker } from '../../src/services/order/workers/dlq-worker';
import { schedulePaymentDeadline } from '../../src/services/order/workers/timeout-schedule';
import { createTimeoutWorkers, type TimeoutWorkers } from '../../src/services/order/workers/timeout-workers';
import { uniqueId } from '../support/ids';
import { testConfig } from '../support/test-config';
import { useTestDatabase } from '../support/test-database';
import { testLogger } from '../support/test-logger';
import { closeRedis, createTestRedis, deleteKeys } from '../support/test-redis';
import { startTestServer, type TestServer } from '../support/test-server';
import { startCancelTx, type CancelTxFixture } from './order/cancel-tx-fixture';
import { testOrder, waitFor } from './order-shipping-fixtures';

const ADMIN_TOKEN = 'dlq-test-admin-token';
const ADMIN: CallOptions = { metadata: { authorization: `Bearer ${ADMIN_TOKEN}` } };
const TIMEOUT: DlqSource = { group: 'GID_it_order_timeout', topic: 'it-order-timeout', kind: 'DELAY' };
const FIFO: DlqSource = { group: 'GID_it_order_fifo', topic: 'it-order-fifo', kind: 'FIFO' };
const logger = testLogger('dlq');
const { rocketmq } = testConfig();
const runId = uniqueId('dlqrun');

/** Just the two admin methods, served on their real paths. */
const DeadLetterAdmin = { listDeadLetters: OrderServiceService.listDeadLetters, replayDeadLetter: OrderServiceService.replayDeadLetter };

describe('order dead letters (real RocketMQ DLQ → dead_letters → admin replay)', function () {
  this.timeout(180_000);
  const tdb = useTestDatabase();
  let redis: RedisClient;
  let notes: FailureNotes;
  let letters: DeadLetterRepo;
  let repo: OrderRepo;
  let producer: MqProducer;
  let cancelTx: CancelTxFixture;
  let dlq: DlqWorker;
  let timeouts: TimeoutWorkers;
  let fifoConsumer: MqConsumer;
  let server: TestServer;
  let client: OrderServiceClient;
  let rpc: {
    list: ReturnType<typeof unary<OrderServiceClient, 'listDeadLetters'>>;
    replay: ReturnType<typeof unary<OrderServiceClient, 'replayDeadLetter'>>;
  };
  const released: string[] = [];
  /** FIFO fixture: this run's messages with a `poison` body fail until `cured`; the rest are recorded. */
  const fifoSeen: MqMessage[] = [];
  let cured = false;

  before(async () => {
    redis = await createTestRedis('dlq-test');
    notes = createFailureNotes(redis, { keyPrefix: `test:${runId}:`, ttlMs: 600_000 });
    letters = createDeadLetterRepo(tdb.current.db);
    repo = createOrderRepo(tdb.current.db, systemClock);
    producer = createMqProducer({ ...rocketmq, topics: [TIMEOUT.topic, FIFO.topic], logger });
    await producer.start();

    const polls = new Set<string>();
    const metrics = (name: string) => (e: MqMetricEvent) => void (e.type === 'polled' && polls.add(name));
    dlq = createDlqWorker({ mq: rocketmq, sources: [TIMEOUT, FIFO], repo: letters, notes, clock: systemClock, logger, awaitMs: 1_000 });
    await dlq.start();

    // The real timeout consumer; its cancels release through a recording stand-in of InventoryService
    // (inventory is not under test here: order-timeout-cancel covers it for real).
    cancelTx = await startCancelTx({ repo, mysqlUrl: tdb.current.config.mysql.url, logger });
    const cancel: CancelOrderDeps = {
      repo, clock: systemClock, logger, tx: cancelTx.tx,
      inventory: {
        async release(id) {
          released.push(id);
          return 'released';
        },
      },
    };
    timeouts = createTimeoutWorkers({
      mq: { ...rocketmq, awaitMs: 1_000, metrics: metrics('timeout') },
      repo, cancel, producer, deadLetters: letters, notes, clock: systemClock, logger,
      settings: { timeoutScanIntervalMs: 3_600_000, timeoutScanBatch: 10 },
      source: TIMEOUT,
      retryBackoff: { initialMs: 200, maxMs: 500, jitter: 0 },
    });
    await timeouts.start();

    fifoConsumer = createMqConsumer({
      ...rocketmq, group: FIFO.group, topic: FIFO.topic, batchSize: 8, invisibleMs: 10_000, awaitMs: 1_000, logger,
      metrics: metrics('fifo'),
      handler: async batch => Promise.all(batch.map(async m => {
        if (m.properties.get('run') !== runId) return ack;
        fifoSeen.push(m);
        if (m.body.toString() === 'poison' && !cured) {
          await notes.record(FIFO.group, m.messageId, 'cannot parse "poison"', m.deliveryAttempt);
          return retryLater(200);
        }
        return ack;
      })),
    });
    await fifoConsumer.start();
    await waitFor('first polls', () => polls.has('timeout') && polls.has('fifo'), 30_000);

    server = await startTestServer(s => s.add(DeadLetterAdmin, createDeadLetterHandlers({
      repo: letters, publish: m => producer.send(m), admin: createAdminGuard(ADMIN_TOKEN), sources: [TIMEOUT, FIFO], clock: systemClock,
    })));
    client = createGrpcClient(OrderServiceClient, server.address);
    rpc = { list: unary(client, 'listDeadLetters', { defaultDeadlineMs: 10_000 }), replay: unary(client, 'replayDeadLetter', { defaultDeadlineMs: 10_000 }) };
  });

  after(async () => {
    client?.close();
    await server?.stop();
    await Promise.all([dlq?.stop(), timeouts?.stop(), fifoConsumer?.stop()]);
    await producer?.stop();
    await cancelTx?.stop();
    if (redis) {
      await deleteKeys(redis, `test:${runId}:`);
      await closeRedis(redis);
    }
  });

  const letterOf = async (key: string) =>
    (await letters.page({ topic: '', includeReplayed: true, limit: 1000 })).find(l => l.msgKey === key);

  const failure = async (p: Promise<unknown>): Promise<ServiceError> => {
    try {
      await p;
    } catch (err) {
      return err as ServiceError;
    }
    assert.fail('expected the call to fail');
  };

  let ghostId = '';

  it('a poison timer is dead-lettered after the configured attempts with its reason; the other timers are handled', async () => {
    ghostId = uniqueId('ghost');
    const good = Array.from({ length: 4 }, (_, i) => testOrder(i, { orderId: uniqueId('dlqgood') }, 0));
    await repo.insertBatch(good); // expired on arrival (window 0): their timers cancel them
    const soon = new Date(Date.now() + 1_000);
    await schedulePaymentDeadline(producer, { orderId: ghostId, expiresAt: soon, traceContext: { run: runId } }, { topic: TIMEOUT.topic });
    for (const o of good) await schedulePaymentDeadline(producer, { orderId: o.orderId, expiresAt: soon }, { topic: TIMEOUT.topic });
    // An undecodable body: no retry can fix it, so the consumer stores it right away.
    const junkKey = uniqueId('junk');
    await producer.send({ topic: TIMEOUT.topic, keys: [junkKey], body: Buffer.from([0xff, 0xff, 0xff]), delayMs: 1_000 });

    await waitFor('the good orders CANCELLED', async () =>
      (await Promise.all(good.map(o => repo.getHeader(o.orderId)))).every(h => h?.status === 'CANCELLED'), 30_000);
    const junk = await waitFor('the malformed timer stored', () => letterOf(junkKey), 30_000);
    assert.match(junk.reason, /^malformed PaymentDeadline body/);
    assert.equal(junk.attempts, 1);

    const dead = await waitFor('the poison timer in dead_letters', () => letterOf(ghostId), 90_000);
    assert.equal(dead.topic, TIMEOUT.topic);
    assert.equal(dead.consumerGroup, TIMEOUT.group);
    assert.equal(dead.attempts, 2, 'retry=1 in topics.txt: two deliveries, then the DLQ');
    assert.match(dead.reason, new RegExp(`^order ${ghostId} not found`));
    assert.equal(PaymentDeadline.decode(dead.body).orderId, ghostId);
    assert.equal(dead.properties.run, runId);
    assert.equal(dead.replayedAt, null);
    assert.ok(good.every(o => released.includes(o.orderId)));
  });

  it('the admin RPCs need the admin token', async () => {
    assert.equal((await failure(rpc.list({ pageSize: 0, pageToken: '', topic: '', includeReplayed: false }))).code, status.UNAUTHENTICATED);
    const wrong = { metadata: { authorization: 'Bearer nope' } };
    assert.equal((await failure(rpc.replay({ id: 1n }, wrong))).code, status.UNAUTHENTICATED);
  });

  it('ListDeadLetters pages newest first, filters by topic, counts pending letters', async () => {
    const all = await letters.page({ topic: '', includeReplayed: true, limit: 1000 });
    assert.ok(all.length >= 2);
    const seen: bigint[] = [];
    let token = '';
    do {
      const page = await rpc.list({ pageSize: 1, pageToken: token, topic: TIMEOUT.topic, includeReplayed: true }, ADMIN);
      assert.ok(page.deadLetters.length <= 1);
      seen.push(...page.deadLetters.map(l => l.id));
      token = page.nextPageToken;
    } while (token !== '');
    const timeoutIds = all.filter(l => l.topic === TIMEOUT.topic).map(l => l.id);
    assert.deepEqual(seen, timeoutIds, 'every letter once, newest first');
    const first = await rpc.list({ pageSize: 100, pageToken: '', topic: TIMEOUT.topic, includeReplayed: false }, ADMIN);
    assert.equal(Number(first.pendingCount), all.filter(l => l.topic === TIMEOUT.topic && l.replayedAt === null).length);
    const ghost = first.deadLetters.find(l => l.messageKey === ghostId)!;
    assert.equal(ghost.consumerGroup, TIMEOUT.group);
    assert.equal(ghost.attempts, 2);
    assert.ok(ghost.deadAt instanceof Date);
    assert.equal((await failure(rpc.list({ pageSize: 101, pageToken: '', topic: '', includeReplayed: false }, ADMIN))).code, status.INVALID_ARGUMENT);
    assert.equal((await failure(rpc.list({ pageSize: 0, pageToken: 'garbage', topic: '', includeReplayed: false }, ADMIN))).code, status.INVALID_ARGUMENT);
  });

  it('ReplayDeadLetter re-publishes to the original topic once the cause is fixed; a second replay is a no-op', async () => {
    const dead = (await letterOf(ghostId))!;
    // The fix: the order the timer names now exists (expired, unpaid), so the replayed timer cancels it.
    await repo.insertBatch([testOrder(7, { orderId: ghostId }, 0)]);
    const first = await rpc.replay({ id: dead.id }, ADMIN);
    assert.equal(first.alreadyReplayed, false);
    assert.ok(first.newMessageId);
    assert.ok(first.deadLetter?.replayedAt instanceof Date);
    await waitFor('the replayed timer cancels the order', async () => (await repo.getHeader(ghostId))?.status === 'CANCELLED', 30_000);

    const second = await rpc.replay({ id: dead.id }, ADMIN);
    assert.equal(second.alreadyReplayed, true);
    assert.equal(second.newMessageId, '');
    const stored = (await letters.get(dead.id))!;
    assert.equal(stored.replayMessageId, first.newMessageId);
    assert.equal((await failure(rpc.replay({ id: 999_999_999n }, ADMIN))).code, status.NOT_FOUND);
    assert.equal((await failure(rpc.replay({ id: 0n }, ADMIN))).code, status.INVALID_ARGUMENT);
  });

  it('a FIFO letter keeps its message group, tag, key and properties through DLQ and replay', async () => {
    const key = uniqueId('fifo');
    const group = `order-${key}`;
    await producer.send({ topic: FIFO.topic, keys: [key], tag: 'status', messageGroup: group, body: Buffer.from('poison'), properties: { run: runId, traceparent: '00-abc-def-01' } });
    const dead = await waitFor('the FIFO poison stored', () => letterOf(key), 90_000);
    assert.equal(dead.reason, 'cannot parse "poison"');
    assert.equal(dead.attempts, 2);
    assert.equal(dead.topic, FIFO.topic);

    cured = true;
    const replay = await rpc.replay({ id: dead.id }, ADMIN);
    const again = await waitFor('the replayed message consumed', () => fifoSeen.find(m => m.messageId === replay.newMessageId), 30_000);
    assert.deepEqual(again.keys, [key]);
    assert.equal(again.messageGroup, group);
    assert.equal(again.tag, 'status');
    assert.equal(again.body.toString(), 'poison');
    assert.equal(again.properties.get('traceparent'), '00-abc-def-01');
    assert.equal(again.properties.get('TAGS'), undefined, 'bookkeeping properties are not re-published');
  });
});
