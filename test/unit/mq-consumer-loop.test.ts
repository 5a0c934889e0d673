import assert from 'node:assert/strict';
import type { MessageView } from 'rocketmq-client-nodejs';
import { createMqConsumer, type ConsumerClient, type MqConsumerOptions } from '../../src/platform/mq/consumer';
import { ack, retryLater, type MqLogger, type MqMetricEvent } from '../../src/platform/mq/types';

const view = (id: string): MessageView => ({
  messageId: id, topic: 't', body: Buffer.from(id), keys: [id], tag: undefined, properties: new Map([['k', 'v']]),
  deliveryAttempt: 1, bornTimestamp: new Date(0), messageGroup: undefined, deliveryTimestamp: undefined,
}) as unknown as MessageView;

type Step = MessageView[] | Error | { hold: Promise<MessageView[]> };

/** Scripted SimpleConsumer: each receive() takes the next step; when the script is empty it long-polls briefly. */
function fakeClient(script: Step[]) {
  const events: string[] = [];
  let receives = 0;
  const client: ConsumerClient = {
    async startup() { events.push('startup'); },
    async shutdown() { events.push('shutdown'); },
    createTelemetryStream: (() => { throw new Error('unused'); }) as unknown as ConsumerClient['createTelemetryStream'],
    getRpcClientManager: () => ({ close() {} }),
    onSettingsCommand() {},
    settingsCommand: (() => undefined) as unknown as ConsumerClient['settingsCommand'],
    telemetry() {},
    async receive() {
      receives += 1;
      const step = script.shift();
      if (!step) { await new Promise(r => setTimeout(r, 5)); return []; }
      if (step instanceof Error) throw step;
      if (Array.isArray(step)) return step;
      return step.hold;
    },
    async ack(v) { events.push(`ack:${v.messageId}`); },
    async changeInvisibleDuration(v, ms) { events.push(`retry:${v.messageId}:${ms}`); },
  };
  return { client, events, receives: () => receives };
}

function recordingLogger() {
  const lines: Array<[string, string | undefined]> = [];
  const at = (level: string) => (_obj: object, msg?: string) => void lines.push([level, msg]);
  const logger: MqLogger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

const waitFor = async (done: () => boolean) => {
  for (let i = 0; i < 400 && !done(); i++) await new Promise(r => setTimeout(r, 5));
  assert.ok(done(), 'condition not reached');
};

function consumerWith(script: Step[], over: Partial<MqConsumerOptions> = {}) {
  const fake = fakeClient(script);
  const { logger, lines } = recordingLogger();
  const metrics: MqMetricEvent[] = [];
  const opts: MqConsumerOptions = {
    endpoints: 'fake:1', namespace: '', group: 'g', topic: 't', batchSize: 8, invisibleMs: 10_000, awaitMs: 10,
    logger, startupTimeoutMs: 1_000, defaultRetryMs: 777, backoff: { initialMs: 1, maxMs: 4, jitter: 0 },
    metrics: e => void metrics.push(e), handler: async b => b.map(() => ack), ...over,
  };
  return { consumer: createMqConsumer(opts, { createClient: () => fake.client }), ...fake, lines, metrics };
}

describe('mq consumer loop (fake client)', () => {
  it('acks each message only after the handler returned, with per-message outcomes', async () => {
    const order: string[] = [];
    const t = consumerWith([[view('a'), view('b')]], {
      handler: async batch => {
        order.push(`handled:${batch.map(m => m.messageId).join(',')}`);
        return [ack, retryLater(250)];
      },
    });
    await t.consumer.start();
    await waitFor(() => t.events.length >= 3);
    await t.consumer.stop();
    assert.deepEqual(order, ['handled:a,b']);
    assert.deepEqual(t.events, ['startup', 'ack:a', 'retry:b:250', 'shutdown']);
  });

  it('backs off on receive errors, logs once when failing and once on recovery, never crashes', async () => {
    const down = new Error('14 UNAVAILABLE: No connection established');
    const t = consumerWith([down, down, down, down, [view('x')]]);
    await t.consumer.start();
    await waitFor(() => t.events.includes('ack:x'));
    await t.consumer.stop();
    assert.deepEqual(t.lines.filter(([lvl]) => lvl === 'warn' || lvl === 'error'),
      [['warn', 'receive failing; backing off until the broker answers']]);
    assert.equal(t.lines.filter(([, m]) => m === 'receive recovered').length, 1);
    assert.equal(t.metrics.filter(e => e.type === 'receive_failed').length, 4);
  });

  it('a throwing handler retries the whole batch with the default delay and the loop goes on', async () => {
    let calls = 0;
    const t = consumerWith([[view('a'), view('b')], [view('c')]], {
      handler: async b => { calls += 1; if (calls === 1) throw new Error('db down'); return b.map(() => ack); },
    });
    await t.consumer.start();
    await waitFor(() => t.events.includes('ack:c'));
    await t.consumer.stop();
    assert.deepEqual(t.events.slice(1, 4), ['retry:a:777', 'retry:b:777', 'ack:c']);
    assert.ok(t.metrics.some(e => e.type === 'handler_failed'));
  });

  it('stop() waits for the receive in flight, handles and acks that batch, then shuts the client down', async () => {
    let release!: (v: MessageView[]) => void;
    const hold = new Promise<MessageView[]>(r => { release = r; });
    const t = consumerWith([{ hold }]);
    await t.consumer.start();
    await waitFor(() => t.receives() === 1);
    const stopped = t.consumer.stop();
    setTimeout(() => release([view('late')]), 20);
    await stopped;
    assert.deepEqual(t.events, ['startup', 'ack:late', 'shutdown']);
    assert.equal(t.receives(), 1, 'no receive after stop');
    await t.consumer.stop(); // idempotent
    await assert.rejects(t.consumer.start(), /stopped/);
  });

  it('stop() cuts a backoff sleep short', async () => {
    const t = consumerWith([new Error('down')], { backoff: { initialMs: 60_000, maxMs: 60_000, jitter: 0 } });
    await t.consumer.start();
    await waitFor(() => t.metrics.some(e => e.type === 'receive_failed'));
    const t0 = Date.now();
    await t.consumer.stop();
    assert.ok(Date.now() - t0 < 1_000);
    assert.equal(t.events.at(-1), 'shutdown');
  });

  it('a failed ack is counted and logged; the message is left to redelivery', async () => {
    const t = consumerWith([[view('a')]]);
    t.client.ack = async () => { throw new Error('INVALID_RECEIPT_HANDLE'); };
    await t.consumer.start();
    await waitFor(() => t.metrics.some(e => e.type === 'settle_failed'));
    await t.consumer.stop();
    assert.ok(t.lines.some(([lvl, m]) => lvl === 'warn' && m === 'ack/retry failed; messages will be redelivered'));
  });

  it('runs the handler inside the trace hook (where a CONSUMER span linked to each message would be opened)', async () => {
    const seen: string[] = [];
    const t = consumerWith([[view('a'), view('b')]], {
      trace: {
        async aroundBatch(topic, batch, run) {
          seen.push(`before ${topic} ${batch.map(m => m.properties.get('k')).join(',')}`);
          const result = await run();
          seen.push('after');
          return result;
        },
      },
    });
    await t.consumer.start();
    await waitFor(() => t.events.includes('ack:b'));
    await t.consumer.stop();
    assert.deepEqual(seen, ['before t v,v', 'after']);
  });
});
