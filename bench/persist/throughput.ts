// Persistence throughput, three ways over the same kind of orders into the same database:
//   consumer   the real creation consumer (createCreationHandler: up to 100 messages → one multi-row insert
//              transaction) reading a backlog from RocketMQ (the broker hop included);
//   row        one order per transaction, the same repo code with batches of one (what a consumer that
//              commits per message costs), 1 and N transactions in flight;
//   batch      repo.insertBatch of 100 rows per transaction, called directly (the consumer minus the broker).
import type { Clock } from '../../src/platform/clock';
import type { Database } from '../../src/platform/db';
import type { Logger } from '../../src/platform/logger';
import { ack, createMqConsumer, type MqProducer } from '../../src/platform/mq';
import { orderFromDraft } from '../../src/services/order/draft';
import { createOrderRepo } from '../../src/services/order/order-repo';
import type { NewOrder } from '../../src/services/order/types';
import { createCreationHandler } from '../../src/services/order/workers/creation-consumer';
import { createDeadLetterRepo } from '../../src/services/order/workers/dlq-repo';
import { load1 } from '../lib/machine';
import { benchDraft, orderCreatedBody } from './orders';

export const THROUGHPUT_TOPIC = 'bench-persist-created';

export interface Rate {
  readonly orders: number;
  readonly ms: number;
  readonly perSec: number;
  readonly load1: number;
}

export interface ConsumerRate extends Rate {
  readonly batches: number;
  readonly meanBatch: number;
  readonly maxBatch: number;
}

export interface ThroughputContext {
  readonly database: Database;
  readonly producer: MqProducer;
  readonly mq: { readonly endpoints: string; readonly namespace: string; readonly startupTimeoutMs: number };
  readonly runId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Messages per receive (the service's ORDER_CONSUMER_BATCH). */
  readonly consumerBatch: number;
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
const nowMs = () => Number(process.hrtime.bigint() / 1_000n) / 1_000;

function rate(orders: number, ms: number, l1: number): Rate {
  return { orders, ms, perSec: orders / (ms / 1000), load1: l1 };
}

async function countRows(database: Database, prefix: string): Promise<number> {
  const [rows] = await database.pool.query('SELECT COUNT(*) AS n FROM orders WHERE order_id LIKE ?', [`${prefix}%`]);
  return Number((rows as Array<{ n: number }>)[0]?.n ?? 0);
}

function orders(prefix: string, n: number): { drafts: ReturnType<typeof benchDraft>[]; rows: NewOrder[] } {
  const now = Date.now();
  const drafts = Array.from({ length: n }, (_, i) => benchDraft(`${prefix}${i}`, i, now));
  return { drafts, rows: drafts.map(d => orderFromDraft(d, new Date(now))) };
}

async function inPool(n: number, limit: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, n) }, async () => {
    while (next < n) await fn(next++);
  }));
}

/**
 * The batch consumer from a backlog: a fresh group polls first (a new group starts at the queue end), the
 * handler is held shut while n messages are published, then opened; the clock runs from the opening
 * until all n rows are in MySQL.
 */
export async function consumerPhase(ctx: ThroughputContext, tag: string, n: number, consumers = 1): Promise<ConsumerRate> {
  const prefix = `bp-${ctx.runId}-${tag}-`;
  const group = `GID_bench_persist_${ctx.runId}_${tag}`;
  const repo = createOrderRepo(ctx.database.db, ctx.clock);
  const handler = createCreationHandler({
    repo, deadLetters: createDeadLetterRepo(ctx.database.db), clock: ctx.clock, logger: ctx.logger,
    topic: THROUGHPUT_TOPIC, group, retryDelayMs: 1_000,
  });
  let open: () => void = () => undefined;
  const gate = new Promise<void>(resolve => (open = resolve));
  let polled = 0;
  let batches = 0;
  let messages = 0;
  let maxBatch = 0;
  // `consumers` clients in one group = that many receive → insert → ack loops (replicas, or a consumer
  // with several loops); the group splits the backlog between them. A fresh pop group may start at the
  // topic's first message (broker initPopOffsetByCheckMsgInMem), so earlier runs' messages are acked
  // unprocessed, and the backlog is published only once the group has gone quiet.
  let lastForeign = Date.now();
  const members = Array.from({ length: consumers }, () => {
    let first = true;
    return createMqConsumer({
      ...ctx.mq, group, topic: THROUGHPUT_TOPIC, batchSize: ctx.consumerBatch, invisibleMs: 120_000, awaitMs: 1_000, logger: ctx.logger,
      metrics: e => {
        if (e.type === 'polled' && first) {
          first = false;
          polled++;
        }
      },
      handler: async batch => {
        const ours = batch.filter(m => (m.keys[0] ?? '').startsWith(prefix));
        if (ours.length < batch.length) lastForeign = Date.now();
        if (ours.length === 0) return batch.map(() => ack);
        await gate;
        batches++;
        messages += ours.length;
        maxBatch = Math.max(maxBatch, ours.length);
        const answers = await handler(ours);
        return batch.map(m => {
          const i = ours.indexOf(m);
          return i < 0 ? ack : answers[i]!;
        });
      },
    });
  });
  await Promise.all(members.map(c => c.start()));
  try {
    for (let t = 0; polled < consumers || Date.now() - lastForeign < 1_500; t++) {
      if (t > 6_000) throw new Error('the bench consumer group never went quiet');
      await sleep(50);
    }
    const { drafts, rows } = orders(prefix, n);
    await inPool(n, 32, i => ctx.producer.send({ topic: THROUGHPUT_TOPIC, keys: [drafts[i]!.orderId], tag: 'created', body: orderCreatedBody(drafts[i]!, rows[i]!.createdAt) }));
    const l1 = load1();
    const start = nowMs();
    open();
    for (let t = 0; (await countRows(ctx.database, prefix)) < n; t++) {
      if (nowMs() - start > 300_000) throw new Error(`consumer phase: only ${await countRows(ctx.database, prefix)}/${n} rows after 300 s`);
      await sleep(10);
    }
    const ms = nowMs() - start;
    return { ...rate(n, ms, l1), batches, meanBatch: messages / Math.max(batches, 1), maxBatch };
  } finally {
    open();
    await Promise.all(members.map(c => c.stop()));
  }
}

/** One order per transaction (repo.insertBatch of one), `concurrency` transactions in flight. */
export async function rowPhase(ctx: ThroughputContext, tag: string, n: number, concurrency: number): Promise<Rate> {
  const prefix = `bp-${ctx.runId}-${tag}-`;
  const repo = createOrderRepo(ctx.database.db, ctx.clock);
  const { rows } = orders(prefix, n);
  const l1 = load1();
  const start = nowMs();
  await inPool(n, concurrency, i => repo.insertBatch([rows[i]!]));
  const ms = nowMs() - start;
  const stored = await countRows(ctx.database, prefix);
  if (stored !== n) throw new Error(`row phase: ${stored}/${n} rows`);
  return rate(n, ms, l1);
}

/** repo.insertBatch of `batch` rows per transaction, one after the other, no broker. */
export async function batchPhase(ctx: ThroughputContext, tag: string, n: number, batch: number): Promise<Rate> {
  const prefix = `bp-${ctx.runId}-${tag}-`;
  const repo = createOrderRepo(ctx.database.db, ctx.clock);
  const { rows } = orders(prefix, n);
  const l1 = load1();
  const start = nowMs();
  for (let i = 0; i < n; i += batch) await repo.insertBatch(rows.slice(i, i + batch));
  const ms = nowMs() - start;
  const stored = await countRows(ctx.database, prefix);
  if (stored !== n) throw new Error(`batch phase: ${stored}/${n} rows`);
  return rate(n, ms, l1);
}
