// 10 000 OrderCreated messages (5 % sent twice, all shuffled) through real RocketMQ into MariaDB, with
// the creation consumer in a child process that is SIGKILLed twice mid-run and restarted each time:
// exactly 10 000 order rows, each one complete (every column compared with what was sent), none twice.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { count } from 'drizzle-orm';
import type { OrderDraft } from '../../../src/gen/shop/v1/common';
import { systemClock } from '../../../src/platform/clock';
import { createMqProducer, type MqProducer } from '../../../src/platform/mq';
import { orderFromDraft } from '../../../src/services/order/draft';
import { createOrderRepo } from '../../../src/services/order/order-repo';
import { deadLetters, orderEvents, orderItems, orders } from '../../../src/services/order/schema';
import { uniqueId } from '../../support/ids';
import { testConfig } from '../../support/test-config';
import { testLogger } from '../../support/test-logger';
import { useTestDatabase } from '../../support/test-database';
import type { CreationChildSpec } from './creation-child';
import { makeDraft, orderCreatedBody } from './order-fixtures';

const TOPIC = 'it-order-created';
const GROUP = 'GID_it_order_created';
const ORDERS = 10_000;
const DUPLICATES = ORDERS / 20;

interface Child {
  readonly process: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stats(): Record<string, unknown> | undefined;
}

function spawnChild(spec: CreationChildSpec): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', require.resolve('./creation-child.ts')], {
    env: { ...process.env, ORDER_CHILD_SPEC: JSON.stringify(spec) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let markReady: () => void = () => undefined;
  let stats: Record<string, unknown> | undefined;
  const ready = new Promise<void>(resolve => (markReady = resolve));
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        const msg = JSON.parse(line) as Record<string, unknown>;
        if (msg.type === 'ready') markReady();
        if (msg.type === 'stats') stats = msg;
      } catch {
        // a log line
      }
    }
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const failedEarly = exited.then(r => {
    throw new Error(`creation child exited before ready (${r.code ?? r.signal}): ${stderr}`);
  });
  return { process: child, ready: Promise.race([ready, failedEarly]), exited, stats: () => stats };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

describe('order creation consumer: 10 000 messages, 5 % duplicates, killed twice', function () {
  this.timeout(900_000);
  const tdb = useTestDatabase();
  const tag = uniqueId('run').replace(/-/g, '_');
  let producer: MqProducer;
  let child: Child | undefined;

  before(async () => {
    const config = testConfig();
    producer = createMqProducer({ endpoints: config.rocketmq.endpoints, namespace: '', topics: [TOPIC], logger: testLogger('producer'), startupTimeoutMs: 20_000 });
    await producer.start();
  });

  after(async () => {
    if (child && child.process.exitCode === null && child.process.signalCode === null) {
      child.process.kill('SIGKILL');
      await child.exited;
    }
    await producer.stop();
  });

  it('ends with exactly one complete row per order', async () => {
    const db = tdb.current.db;
    const spec: CreationChildSpec = { mysqlUrl: tdb.current.config.mysql.url, topic: TOPIC, group: GROUP, tag, batchSize: 100, invisibleMs: 5_000 };
    const rowCount = async () => (await db.select({ n: count() }).from(orders))[0]?.n ?? 0;

    // The consumer subscribes before anything is sent (a group starts at the end of the queue).
    child = spawnChild(spec);
    await child.ready;

    const drafts: OrderDraft[] = Array.from({ length: ORDERS }, (_, i) => makeDraft(i));
    const reservedAt = new Date(Date.UTC(2026, 0, 1, 0, 0, 1));
    const sends = [...drafts, ...drafts.slice(0, DUPLICATES)];
    for (let i = sends.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [sends[i], sends[j]] = [sends[j] as OrderDraft, sends[i] as OrderDraft];
    }

    let next = 0;
    const sending = Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < sends.length) {
          const d = sends[next++] as OrderDraft;
          await producer.send({ topic: TOPIC, tag, keys: [d.orderId], body: orderCreatedBody(d, reservedAt) });
        }
      }),
    );

    let kills = 0;
    for (const threshold of [3_000, 6_500]) {
      await until(`${threshold} rows`, async () => (await rowCount()) >= threshold, 600_000);
      const running: Child = child;
      running.process.kill('SIGKILL');
      const exit = await running.exited;
      assert.equal(exit.signal, 'SIGKILL');
      kills++;
      child = spawnChild(spec);
      await child.ready;
    }
    assert.equal(kills, 2);
    await sending;

    await until('10 000 rows', async () => (await rowCount()) >= ORDERS, 600_000);
    // Let redeliveries of the killed batches (invisible for 5 s) come back and be answered.
    await new Promise(r => setTimeout(r, 12_000));
    const last: Child = child;
    last.process.kill('SIGTERM');
    const stopped = await last.exited;
    assert.equal(stopped.code, 0, 'graceful stop');
    const stats = last.stats();
    assert.ok(stats, 'the last child reported its stats');

    assert.equal(await rowCount(), ORDERS, 'exactly 10 000 order rows');
    const expectedLines = drafts.reduce((n, d) => n + d.items.length, 0);
    assert.equal((await db.select({ n: count() }).from(orderItems))[0]?.n, expectedLines, 'every line once');
    assert.equal((await db.select({ n: count() }).from(orderEvents))[0]?.n, ORDERS, 'one creation event per order');
    assert.equal((await db.select({ n: count() }).from(deadLetters))[0]?.n, 0, 'nothing dead-lettered');

    // Every column of every order equals what was sent.
    const repo = createOrderRepo(db, systemClock);
    let checked = 0;
    let i = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (i < drafts.length) {
          const d = drafts[i++] as OrderDraft;
          const expected = orderFromDraft(d, reservedAt);
          const row = await repo.get(d.orderId);
          assert.ok(row, `row for ${d.orderId}`);
          const { status, previousStatus, trackingId, transactionId, failureReason, payingUntil, paidAt, stockReleasedAt, persistedAt, updatedAt, version, ...sent } = row;
          assert.deepEqual(sent, expected, `order ${d.orderId} complete`);
          assert.deepEqual(
            { status, previousStatus, trackingId, transactionId, failureReason, payingUntil, paidAt, stockReleasedAt, version },
            { status: 'PENDING_PAYMENT', previousStatus: null, trackingId: null, transactionId: null, failureReason: null, payingUntil: null, paidAt: null, stockReleasedAt: null, version: 0 },
          );
          assert.ok(persistedAt instanceof Date && updatedAt instanceof Date);
          checked++;
        }
      }),
    );
    assert.equal(checked, ORDERS);
  });
});
