// The process metrics: scrape-time sampled gauges (values, failures, timeouts), the /metrics endpoint,
// the RocketMQ hook (counts and consumer lag) and the process-wide breaker state gauge.
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { createBreakers } from '../../src/platform/breaker';
import { ManualClock } from '../../src/platform/clock';
import { UnavailableError } from '../../src/platform/errors';
import {
  createMqMetricsHook,
  metricsRegistry,
  registerProcessBreakerMetrics,
  sampledGauge,
  startMetricsServer,
  codeName,
  rpcLabels,
} from '../../src/platform/metrics';
import { testLogger } from '../support/test-logger';

/** The value of one series in the exposition text, or undefined. */
async function valueOf(series: string): Promise<number | undefined> {
  const text = await metricsRegistry.metrics();
  const line = text.split('\n').find(l => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

function fetch(port: number, path: string): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, res => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type']) }));
    }).on('error', reject);
  });
}

describe('metrics: process registry', () => {
  it('sampled gauges take their values from sources at scrape time and drop failing or slow ones', async () => {
    const gauge = sampledGauge({ name: 'test_sampled_unit', help: 'h', labelNames: ['k'], timeoutMs: 50 });
    let n = 1;
    const removeOk = gauge.addSource(async set => set({ k: 'ok' }, n));
    const removeBad = gauge.addSource(async () => { throw new Error('redis down'); });
    const removeSlow = gauge.addSource(set => new Promise(resolve => setTimeout(() => { set({ k: 'slow' }, 9); resolve(); }, 500)));
    const failuresBefore = (await valueOf('app_metric_sample_failures_total{gauge="test_sampled_unit"}')) ?? 0;
    assert.equal(await valueOf('test_sampled_unit{k="ok"}'), 1);
    n = 5;
    assert.equal(await valueOf('test_sampled_unit{k="ok"}'), 5, 'read again at the next scrape');
    assert.equal(await valueOf('test_sampled_unit{k="slow"}'), undefined, 'a timed-out source shows nothing');
    const failuresAfter = (await valueOf('app_metric_sample_failures_total{gauge="test_sampled_unit"}')) ?? 0;
    assert.ok(failuresAfter >= failuresBefore + 2, `failures counted (${failuresBefore} → ${failuresAfter})`);
    removeOk();
    removeBad();
    removeSlow();
    assert.equal(await valueOf('test_sampled_unit{k="ok"}'), undefined, 'a removed source is gone');
  });

  it('serves the registry on GET /metrics and 404 elsewhere', async () => {
    const server = await startMetricsServer({ port: 0, host: '127.0.0.1', logger: testLogger() });
    try {
      const ok = await fetch(server.port, '/metrics');
      assert.equal(ok.status, 200);
      assert.match(ok.type, /^text\/plain/);
      assert.match(ok.body, /# TYPE app_order_placed_total counter/);
      assert.match(ok.body, /# TYPE grpc_server_handling_seconds histogram/);
      assert.equal((await fetch(server.port, '/')).status, 404);
    } finally {
      await server.close();
    }
  });

  it('RocketMQ hook: counts messages per event and sets the consumer lag from the oldest message', async () => {
    const clock = new ManualClock(100_000);
    const hook = createMqMetricsHook(clock);
    const where = { topic: 'unit-topic', group: 'unit-group' };
    hook({ type: 'sent', topic: 'unit-topic' });
    hook({ type: 'acked', ...where, count: 3 });
    hook({ type: 'delivered', ...where, count: 3, oldestReadyAt: 97_500 });
    assert.equal(await valueOf('rocketmq_client_messages_total{event="sent",topic="unit-topic",group=""}'), 1);
    assert.equal(await valueOf('rocketmq_client_messages_total{event="acked",topic="unit-topic",group="unit-group"}'), 3);
    assert.equal(await valueOf('rocketmq_consumer_lag_ms{topic="unit-topic",group="unit-group"}'), 2_500);
    hook({ type: 'polled', ...where, count: 0 });
    assert.equal(await valueOf('rocketmq_consumer_lag_ms{topic="unit-topic",group="unit-group"}'), 0, 'an empty receive: caught up');
  });

  it('circuit_breaker_state covers every live breaker set of the process', async () => {
    registerProcessBreakerMetrics();
    registerProcessBreakerMetrics(); // idempotent
    const settings = { timeoutMs: 1_000, errorThresholdPercentage: 50, resetTimeoutMs: 60_000, volumeThreshold: 1, rollingWindowMs: 10_000 };
    const a = createBreakers({ settings, logger: testLogger() });
    const b = createBreakers({ settings, logger: testLogger() });
    try {
      await a.run('unit-dep-a', async () => 'fine');
      await assert.rejects(b.run('unit-dep-b', async () => { throw new UnavailableError('down'); }));
      assert.equal(await valueOf('circuit_breaker_state{name="unit-dep-a"}'), 0);
      assert.equal(await valueOf('circuit_breaker_state{name="unit-dep-b"}'), 2, 'open');
    } finally {
      a.shutdown();
      b.shutdown();
    }
  });

  it('RPC labels and status names', () => {
    assert.deepEqual(rpcLabels('/hipstershop.CheckoutService/PlaceOrder', 'unary'), {
      grpc_service: 'hipstershop.CheckoutService', grpc_method: 'PlaceOrder', grpc_type: 'unary',
    });
    assert.equal(codeName(0), 'OK');
    assert.equal(codeName(5), 'NOT_FOUND');
    assert.equal(codeName(400), '400');
  });
});
