// Forwarder on the real stack: every reserved order reaches order-created exactly as recorded (key =
// order id, tag, payload body, trace context in properties), also with two forwarder replicas; repeats
// can only be the same order id again; lag is measured from the oldest unforwarded entry.
import assert from 'node:assert/strict';
import { systemClock } from '../../src/platform/clock';
import { createMqProducer } from '../../src/platform/mq';
import { OrderCreated } from '../../src/gen/shop/v1/events';
import { deadStreamOf, startStockWorkers, type StockWorkers } from '../../src/services/productcatalog/workers';
import { toEntries } from '../../src/services/productcatalog/workers/stream-entries';
import { oldestUnforwarded } from '../../src/services/productcatalog/workers/forwarder-lag';
import { testLogger } from '../support/test-logger';
import { ENDPOINTS, startOrderReader, type OrderReader } from './forwarder-harness';
import { figures, prng } from './stock-fixtures';
import { allDrained, payloadOf, redisMode, reserve, stockRig, traceOf, waitFor, type StockRig } from './stock-writer-harness';

const GROUP = 'order-forwarder';

describe(`forwarder: orders streams → RocketMQ order-created (${redisMode} Redis)`, function () {
  this.timeout(120_000);
  let rig: StockRig;
  let reader: OrderReader | undefined;
  const running: StockWorkers[] = [];

  before(async () => {
    rig = await stockRig(4);
  });
  after(async () => {
    await Promise.all(running.map(w => w.stop()));
    await reader?.stop();
    await rig?.cleanup();
  });

  it('forwards every reserved order (two replicas) with key, tag, protobuf body and trace context; refuses a bad payload; lag returns to 0', async () => {
    const skus = ['FW-A', 'FW-B', 'FW-C', 'FW-D', 'FW-E'];
    await rig.stock.warmUp(skus, figures(Object.fromEntries(skus.map(s => [s, { stock: 10_000 }]))));
    const prefix = `${rig.namespace}-f`;
    reader = await startOrderReader(prefix);

    const random = prng(5);
    const orders = new Map<string, { sku: string; qty: number }[]>();
    for (let i = 0; i < 120; i++) {
      const id = `${prefix}-${i}`;
      const picked = skus.filter(() => random() < 0.4).map(sku => ({ sku, qty: 1 }));
      const lines = picked.length ? picked : [{ sku: 'FW-A', qty: 1 }];
      assert.equal((await reserve(rig.stock, id, lines)).kind, 'RESERVED');
      orders.set(id, lines);
    }
    // An entry whose payload is not the agreed encoding: refused, never forwarded mangled.
    const badStream = rig.stock.keys.ordersStream(0);
    const bad = (await rig.redis.xadd(badStream, '*', 'order', `${prefix}-bad`, 'user', 'u', 'lines', 'FW-A:1', 'shards', '0', 'ts', '1', 'payload', '{not base64}', 'trace', '')) as string;
    const streams = rig.stock.keys.allShards().map(s => rig.stock.keys.ordersStream(s));
    const oldest = await Promise.all(streams.map(s => oldestUnforwarded(rig.redis, s, GROUP)));
    assert.ok(oldest.some(id => id !== null), 'before forwarding, the oldest unforwarded entry is known (lag > 0)');

    let lastLag = -1;
    const start = () =>
      startStockWorkers({
        redis: rig.redis, openBlocking: rig.openBlocking, stock: rig.stock, clock: systemClock, logger: testLogger('forwarder'),
        createProducer: () => createMqProducer({ endpoints: ENDPOINTS, namespace: '', topics: ['order-created'], logger: testLogger('producer'), startupTimeoutMs: 20_000 }),
        run: { writer: false, forwarder: true, trimmer: false },
        settings: { forwarder: { batchSize: 16, blockMs: 200, claimIdleMs: 5000, claimIntervalMs: 1000, lagProbeMs: 200 } },
        onForwarderLag: ms => (lastLag = ms),
      }).then(w => (running.push(w), w));
    const [a, b] = await Promise.all([start(), start()]);

    await waitFor('every order on order-created', () => [...orders.keys()].every(id => reader!.counts().has(id)), 60_000);
    await waitFor('the orders streams to drain', () => allDrained(rig.redis, streams, GROUP), 30_000);

    for (const m of reader.messages) {
      const id = m.keys[0]!;
      assert.ok(orders.has(id), `unexpected order id ${id}`);
      assert.equal(m.topic, 'order-created');
      assert.equal(m.tag, 'created');
      const created = OrderCreated.decode(m.body);
      assert.equal(created.order?.orderId, id, 'body is the OrderCreated protobuf');
      assert.deepEqual(created.order?.items.map(l => ({ sku: l.productId, qty: l.quantity })), orders.get(id));
      assert.deepEqual(m.body, Buffer.from(payloadOf(id, orders.get(id)!), 'base64'), 'byte for byte what Reserve stored');
      assert.equal(m.properties.get('traceparent'), traceOf(id).traceparent, 'trace context travels in properties');
    }
    const forwarded = a.stats().forwarder!.forwarded + b.stats().forwarder!.forwarded;
    assert.ok(forwarded >= orders.size, 'every entry was acked after a confirmed send');
    const dead = toEntries(await rig.redis.xrange(deadStreamOf(badStream), '-', '+'));
    assert.equal(dead.length, 1);
    assert.equal(dead[0]!.fields[dead[0]!.fields.indexOf('dead_id') + 1], bad);
    assert.match(dead[0]!.fields[dead[0]!.fields.indexOf('dead_reason') + 1]!, /not base64/);
    assert.ok(!reader.counts().has(`${prefix}-bad`));
    assert.equal(await a.forwarder!.probeLag(), 0);
    await waitFor('a lag report of 0', () => lastLag === 0, 10_000);
  });
});
