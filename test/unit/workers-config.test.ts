// The stream workers' tunables come from config section `workers` (one source of defaults), and
// PRODUCTCATALOG_WORKERS picks which of them the productcatalog process runs.
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/platform/config';
import { DEFAULT_WORKER_SETTINGS, resolveWorkerSettings, workerPlanFromConfig } from '../../src/services/productcatalog/workers/worker-settings';

describe('productcatalog workers config', () => {
  it('defaults: all four workers, and the worker settings defaults are the config defaults', () => {
    const config = loadConfig({});
    assert.deepEqual(config.workers, {
      run: ['writer', 'forwarder', 'trimmer', 'sweeper'],
      writerBatchSize: 200,
      forwarderBatchSize: 50,
      blockMs: 2000,
      claimIdleMs: 60_000,
      claimIntervalMs: 15_000,
      maxAttempts: 5,
      forwarderLagProbeMs: 5000,
      trimIntervalMs: 60_000,
    });
    const plan = workerPlanFromConfig(config);
    assert.deepEqual(plan.run, { writer: true, forwarder: true, trimmer: true });
    assert.equal(plan.sweeper, true);
    assert.deepEqual(resolveWorkerSettings(plan.settings), DEFAULT_WORKER_SETTINGS, 'config defaults = worker defaults');
  });

  it('passes every key through to the worker settings', () => {
    const config = loadConfig({
      STOCK_WRITER_BATCH_SIZE: '300',
      FORWARDER_BATCH_SIZE: '20',
      STREAM_BLOCK_MS: '500',
      STREAM_CLAIM_IDLE_MS: '30000',
      STREAM_CLAIM_INTERVAL_MS: '7000',
      STREAM_MAX_ATTEMPTS: '3',
      FORWARDER_LAG_PROBE_MS: '1000',
      STREAM_TRIM_INTERVAL_MS: '120000',
      ORDER_CREATED_TOPIC: 'it-order-created',
    });
    const s = resolveWorkerSettings(workerPlanFromConfig(config).settings);
    const loop = { blockMs: 500, claimIdleMs: 30_000, claimIntervalMs: 7000, maxAttempts: 3 };
    assert.deepEqual({ ...s.writer }, { ...DEFAULT_WORKER_SETTINGS.writer, ...loop, batchSize: 300 });
    assert.deepEqual({ ...s.forwarder }, { ...DEFAULT_WORKER_SETTINGS.forwarder, ...loop, batchSize: 20, lagProbeMs: 1000, topic: 'it-order-created' });
    assert.equal(s.trimmer.intervalMs, 120_000);
  });

  it('PRODUCTCATALOG_WORKERS picks the workers; "none" runs the hot path only', () => {
    const plan = (value: string) => {
      const p = workerPlanFromConfig(loadConfig({ PRODUCTCATALOG_WORKERS: value }));
      return { ...p.run, sweeper: p.sweeper };
    };
    assert.deepEqual(plan('none'), { writer: false, forwarder: false, trimmer: false, sweeper: false });
    assert.deepEqual(plan('writer, sweeper'), { writer: true, forwarder: false, trimmer: false, sweeper: true });
    assert.deepEqual(plan('forwarder,trimmer,forwarder'), { writer: false, forwarder: true, trimmer: true, sweeper: false });
    for (const bad of ['writer,bogus', ',', 'none,writer', 'WRITER']) {
      assert.throws(() => loadConfig({ PRODUCTCATALOG_WORKERS: bad }), (err: unknown) => err instanceof ConfigError && err.key === 'PRODUCTCATALOG_WORKERS', bad);
    }
  });

  it('rejects out-of-range tunables naming the key', () => {
    for (const [key, value] of [['STOCK_WRITER_BATCH_SIZE', '0'], ['STREAM_BLOCK_MS', '60001'], ['STREAM_MAX_ATTEMPTS', '0'], ['FORWARDER_LAG_PROBE_MS', '0']] as const) {
      assert.throws(() => loadConfig({ [key]: value }), (err: unknown) => err instanceof ConfigError && err.key === key, key);
    }
  });
});
