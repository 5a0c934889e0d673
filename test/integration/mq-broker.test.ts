// Smoke tests of src/platform/mq against the real RocketMQ proxy (scripts/stack.sh up creates the it-* topics/groups).
// Topics and groups are shared between runs, so every message carries this run's id and anything else is acked and ignored.
import assert from 'node:assert/strict';
import {
  ack, createDlqReader, createMqConsumer, createMqProducer, retryLater,
  MqInvalidMessageError, MqStartupError, type MqConsumer, type MqMessage, type MqMetricEvent, type MqOutcome, type MqProducer,
} from '../../src/platform/mq';
import { uniqueId } from '../support/ids';
import { testConfig } from '../support/test-config';
import { testLogger } from '../support/test-logger';

const { rocketmq } = testConfig();
const logger = testLogger('mq'); // DEBUG=1 shows the adapter's and the client's logs
const runId = uniqueId('run');
const common = { endpoints: rocketmq.endpoints, namespace: rocketmq.namespace, logger, startupTimeoutMs: rocketmq.startupTimeoutMs };

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

async function waitFor(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

interface Received { readonly msg: MqMessage; readonly at: number }

/** A consumer that records this run's messages and lets `decide` answer them (ack by default). */
function recordingConsumer(group: string, topic: string, decide: (m: MqMessage) => MqOutcome = () => ack, dlq = false) {
  const received: Received[] = [];
  let polls = 0;
  const handler = async (batch: readonly MqMessage[]) => batch.map(m => {
    if (m.properties.get('run') !== runId) return ack; // leftovers of earlier runs
    received.push({ msg: m, at: Date.now() });
    return decide(m);
  });
  const metrics = (e: MqMetricEvent) => { if (e.type === 'polled') polls += 1; };
  const opts = { ...common, handler, metrics, batchSize: 16, invisibleMs: 5_000, awaitMs: 1_000 };
  const consumer: MqConsumer = dlq ? createDlqReader({ ...opts, sourceGroup: group }) : createMqConsumer({ ...opts, group, topic });
  return {
    consumer,
    received,
    /** A completed pop initialises the group's offset; a fresh group starts at the queue's max offset. */
    polled: () => waitFor(`a first poll of ${dlq ? 'DLQ of ' : ''}${group}`, () => polls > 0, 30_000),
  };
}

const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const props = (extra: Record<string, string> = {}) => ({ run: runId, ...extra });
const bodies = (rs: readonly Received[]) => rs.map(r => r.msg.body.toString());

describe('mq: RocketMQ adapter against the real broker', function () {
  this.timeout(90_000);
  let producer: MqProducer;
  const consumers: MqConsumer[] = [];

  before(async () => {
    producer = createMqProducer({
      ...common,
      topics: ['it-normal', 'it-delay', 'it-fifo', 'it-dlq'],
      trace: { inject: properties => void properties.set('traceparent', traceparent) }, // stands in for propagation.inject
    });
    await producer.start();
  });

  after(async () => {
    await Promise.all(consumers.map(c => c.stop()));
    await producer?.stop();
  });

  async function started<T extends { consumer: MqConsumer; polled: () => Promise<void> }>(c: T): Promise<T> {
    consumers.push(c.consumer);
    await c.consumer.start();
    await c.polled();
    return c;
  }

  it('normal: N keyed messages arrive once; acked ones are not redelivered, an un-acked control is', async () => {
    const n = 20;
    const control = `normal-${runId}-control`;
    let controlSeen = 0;
    const c = await started(recordingConsumer('GID_it_normal', 'it-normal', m => {
      if (m.body.toString() !== control) return ack;
      controlSeen += 1;
      return controlSeen === 1 ? retryLater(1_000) : ack; // first delivery not acked: proves redelivery happens
    }));
    const sent = new Map<string, string>();
    for (let i = 0; i < n; i++) {
      const key = `${runId}-n${i}`;
      const { messageId } = await producer.send({ topic: 'it-normal', tag: 'smoke', keys: [key], body: Buffer.from(`normal-${runId}-${i}`), properties: props() });
      assert.ok(messageId);
      sent.set(key, `normal-${runId}-${i}`);
    }
    await producer.send({ topic: 'it-normal', keys: [`${runId}-control`], body: Buffer.from(control), properties: props() });

    await waitFor('the control message to be redelivered', () => controlSeen >= 2, 45_000);
    await waitFor(`all ${n} messages`, () => c.received.filter(r => r.msg.body.toString() !== control).length >= n, 30_000);
    const normal = c.received.filter(r => r.msg.body.toString() !== control);
    assert.equal(normal.length, n, `redelivered after ack: ${bodies(normal).join(',')}`);
    for (const { msg } of normal) {
      assert.equal(sent.get(msg.keys[0]), msg.body.toString());
      assert.equal(msg.tag, 'smoke');
      assert.equal(msg.topic, 'it-normal');
      assert.equal(msg.deliveryAttempt, 1);
      assert.ok(msg.bornAt instanceof Date);
      assert.equal(msg.properties.get('traceparent'), traceparent, 'trace context travels in the properties');
    }
    const controlDeliveries = c.received.filter(r => r.msg.body.toString() === control).map(r => r.msg.deliveryAttempt);
    assert.deepEqual(controlDeliveries, [1, 2]);
  });

  it('delay: a DELAY message (deliverAt and delayMs forms) arrives, and not before its time', async () => {
    const c = await started(recordingConsumer('GID_it_delay', 'it-delay'));
    const sentAt = Date.now();
    const deliverAt = new Date(sentAt + 3_000);
    await producer.send({ topic: 'it-delay', keys: [`${runId}-d1`], body: Buffer.from('at'), deliverAt, properties: props() });
    const sentAt2 = Date.now();
    await producer.send({ topic: 'it-delay', keys: [`${runId}-d2`], body: Buffer.from('in'), delayMs: 2_000, properties: props() });
    await waitFor('both delayed messages', () => c.received.length >= 2, 30_000);

    // The broker's timer wheel has 1 s slots (timerPrecisionMs=1000) and fires a slot by its start, so a message
    // may surface up to one slot early; broker and test share this machine's clock.
    const slotMs = 1_000;
    const at = c.received.find(r => r.msg.body.toString() === 'at')!;
    const inMs = c.received.find(r => r.msg.body.toString() === 'in')!;
    assert.ok(at.at >= deliverAt.getTime() - slotMs, `'at' arrived ${deliverAt.getTime() - at.at} ms early`);
    assert.ok(inMs.at >= sentAt2 + 2_000 - slotMs, `'in' arrived after ${inMs.at - sentAt2} ms`);
    assert.equal(at.msg.deliverAt?.getTime(), deliverAt.getTime());
  });

  it('retries → DLQ: a message retried until it runs out of attempts is read back from %DLQ%GID_it_dlq', async () => {
    const key = `${runId}-dead`;
    const body = `dead-${runId}`;
    // GID_it_dlq has retryMaxTimes=1: two deliveries, then the proxy moves it on the next pop of the group.
    const main = await started(recordingConsumer('GID_it_dlq', 'it-dlq', () => retryLater(500)));
    const reader = await started(recordingConsumer('GID_it_dlq', '', () => ack, true));
    await producer.send({ topic: 'it-dlq', keys: [key], body: Buffer.from(body), properties: props({ reason: 'poison' }) });

    await waitFor('the dead letter in %DLQ%GID_it_dlq', () => reader.received.length > 0, 60_000);
    const dead = reader.received[0].msg;
    assert.deepEqual(dead.keys, [key]);
    assert.equal(dead.body.toString(), body);
    assert.equal(dead.properties.get('reason'), 'poison');
    assert.equal(dead.topic, '%DLQ%GID_it_dlq');
    assert.deepEqual(main.received.map(r => r.msg.deliveryAttempt), [1, 2]);
  });

  it('FIFO: messages of one group arrive in send order, also across a retry in the middle', async () => {
    const n = 10;
    let retried = false;
    const c = await started(recordingConsumer('GID_it_fifo', 'it-fifo', m => {
      if (!retried && m.body.toString() === 'a-3') { retried = true; return retryLater(500); }
      return ack;
    }));
    for (let i = 0; i < n; i++) {
      await producer.send({ topic: 'it-fifo', messageGroup: `${runId}-a`, keys: [`${runId}-a${i}`], body: Buffer.from(`a-${i}`), properties: props() });
      await producer.send({ topic: 'it-fifo', messageGroup: `${runId}-b`, keys: [`${runId}-b${i}`], body: Buffer.from(`b-${i}`), properties: props() });
    }
    // A retry redelivers the retried message (and the rest of its group in that batch), so judge order by each
    // message's first and by its last (= acked) delivery: both must follow send order.
    const deliveries = (g: string) => bodies(c.received).filter(b => b.startsWith(`${g}-`));
    const byFirst = (g: string) => [...new Set(deliveries(g))];
    const byLast = (g: string) => [...new Set(deliveries(g).reverse())].reverse();
    await waitFor('both FIFO groups', () => byFirst('a').length >= n && byFirst('b').length >= n && deliveries('a').at(-1) === `a-${n - 1}`, 45_000);
    const expected = (g: string) => Array.from({ length: n }, (_, i) => `${g}-${i}`);
    for (const g of ['a', 'b']) {
      assert.deepEqual(byFirst(g), expected(g), `first deliveries of ${g}: ${deliveries(g).join(',')}`);
      assert.deepEqual(byLast(g), expected(g), `last deliveries of ${g}: ${deliveries(g).join(',')}`);
    }
    assert.ok(deliveries('a').filter(b => b === 'a-3').length >= 2, 'a-3 was retried');
    assert.equal(c.received.find(r => r.msg.body.toString() === 'a-0')?.msg.messageGroup, `${runId}-a`);
    assert.ok(retried);
  });

  it('refuses messages the topic or broker cannot take, as MqInvalidMessageError (a resend cannot fix them)', async () => {
    const body = Buffer.from('x');
    await assert.rejects(producer.send({ topic: 'it-normal', body, delayMs: 1_000 }), (err: unknown) =>
      err instanceof MqInvalidMessageError && /message type not match/.test(err.message));
    await assert.rejects(producer.send({ topic: 'it-normal', body, messageGroup: 'g' }), MqInvalidMessageError);
    await assert.rejects(producer.send({ topic: 'it-normal', body: Buffer.alloc(4 * 1024 * 1024 + 1) }), (err: unknown) =>
      err instanceof MqInvalidMessageError && /body size exceeds/.test(err.message));
  });

  it('a producer whose topics do not exist fails start-up naming the topic', async () => {
    const p = createMqProducer({ ...common, topics: [`no-such-topic-${runId}`] });
    await assert.rejects(p.start(), (err: unknown) =>
      err instanceof MqStartupError && err.message.includes(`No topic route info in name server for the topic: no-such-topic-${runId}`));
    await p.stop();
  });
});
