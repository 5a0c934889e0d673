// The consumer-group loop's delivery contract, against a scripted fake Redis (fakes are fine in unit
// tests; the real thing is exercised by the integration suites).
import assert from 'node:assert/strict';
import pino from 'pino';
import { systemClock } from '../../src/platform/clock';
import type { RedisClient } from '../../src/platform/redis';
import type { StreamEntry } from '../../src/services/productcatalog/workers/stream-entries';
import { startStreamLoop, type BatchHandler } from '../../src/services/productcatalog/workers/stream-reader';
import { resolveWorkerSettings } from '../../src/services/productcatalog/workers/worker-settings';

const settings = resolveWorkerSettings({
  writer: { blockMs: 5, claimIntervalMs: 3_600_000, backoff: { initialMs: 1, maxMs: 5, jitter: 0 } },
}).writer;

function fakeRedis(reads: unknown[]) {
  const calls: string[] = [];
  const client = {
    status: 'ready',
    async xgroup(...args: unknown[]) {
      calls.push(`xgroup ${String(args[0])}`);
      return 'OK';
    },
    async xautoclaim() {
      calls.push('xautoclaim');
      return ['0-0', [], []];
    },
    async xreadgroup() {
      calls.push('xreadgroup');
      const next = reads.shift();
      if (next instanceof Error) throw next;
      await new Promise(r => setTimeout(r, 1));
      return next ?? null;
    },
    async quit() {
      client.status = 'end';
      return 'OK';
    },
    disconnect() {
      client.status = 'end';
    },
  };
  return { client: client as unknown as RedisClient, calls };
}

const entries = (...ids: string[]): StreamEntry[] => ids.map(id => ({ id, fields: ['k', id] }));
const reply = (...ids: string[]) => [['s', entries(...ids).map(e => [e.id, [...e.fields]])]];

function run(reads: unknown[], handle: BatchHandler) {
  const redis = fakeRedis([]);
  const blocking = fakeRedis(reads);
  const loop = startStreamLoop({
    stream: 's', group: 'g', consumer: 'c', redis: redis.client, blocking: blocking.client, settings, clock: systemClock,
    logger: pino({ level: 'silent' }), handle,
  });
  return { loop, redis, blocking };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise(r => setTimeout(r, 2));
  assert.ok(cond(), 'condition never met');
};

describe('workers: stream loop', () => {
  it('keeps a failing batch in hand and retries the same entries until the handler finishes them', async () => {
    const seen: string[][] = [];
    let attempts = 0;
    const { loop } = run([reply('1-0', '2-0', '3-0')], async batch => {
      seen.push(batch.map(e => e.id));
      attempts += 1;
      if (attempts <= 2) throw new Error('db down');
      if (attempts === 3) return batch.slice(1); // first one done, two left
      return [];
    });
    await until(() => attempts >= 4);
    await loop.stop();
    assert.deepEqual(seen, [['1-0', '2-0', '3-0'], ['1-0', '2-0', '3-0'], ['1-0', '2-0', '3-0'], ['2-0', '3-0']]);
    const stats = loop.stats();
    assert.equal(stats.received, 3, 'the retries are not new deliveries');
    assert.equal(stats.totalFailures, 3);
    assert.equal(stats.failures, 0, 'healthy again');
    assert.equal(stats.running, false);
  });

  it('stop() while a batch keeps failing ends the loop without further retries (entries stay pending)', async () => {
    let attempts = 0;
    const { loop } = run([reply('1-0')], async () => {
      attempts += 1;
      throw new Error('broker down');
    });
    await until(() => attempts >= 1);
    await loop.stop();
    const after = attempts;
    await new Promise(r => setTimeout(r, 20));
    assert.equal(attempts, after);
    assert.equal(loop.stats().running, false);
  });

  it('recreates its group after NOGROUP and claims idle entries first', async () => {
    const nogroup = new Error('NOGROUP No such key or consumer group');
    let handled = 0;
    const { loop, redis } = run([nogroup, reply('5-0')], async () => {
      handled += 1;
      return [];
    });
    await until(() => handled === 1);
    await loop.stop();
    assert.equal(redis.calls.filter(c => c === 'xgroup CREATE').length, 2);
    assert.equal(redis.calls[1], 'xautoclaim', 'the first round takes over what a dead consumer left');
  });
});
