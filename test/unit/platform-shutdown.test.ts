import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createShutdown, type SignalSource } from '../../src/platform/shutdown';
import { testLogger } from '../support/test-logger';

describe('platform shutdown', () => {
  it('runs phases in order (stop-accepting → drain → close) and each closer once', async () => {
    const order: string[] = [];
    const s = createShutdown({ logger: testLogger(), timeoutMs: 5000, exit: () => undefined });
    s.register('redis', 'close', () => void order.push('close:redis'));
    s.register('worker', 'drain', async () => {
      await new Promise(r => setImmediate(r));
      order.push('drain:worker');
    });
    s.register('grpc', 'stop-accepting', () => void order.push('stop:grpc'));
    const [r1, r2] = await Promise.all([s.run('test'), s.run('again')]);
    assert.deepEqual(order, ['stop:grpc', 'drain:worker', 'close:redis']);
    assert.equal(r1, r2);
    assert.deepEqual(r1, { reason: 'test', failed: [], timedOut: false });
    assert.throws(() => s.register('late', 'close', () => undefined), /already started/);
  });

  it('keeps going when a closer fails and reports it', async () => {
    const ran: string[] = [];
    const s = createShutdown({ logger: testLogger(), timeoutMs: 5000, exit: () => undefined });
    s.register('bad', 'drain', () => {
      throw new Error('boom');
    });
    s.register('db', 'close', () => void ran.push('db'));
    const r = await s.run('test');
    assert.deepEqual(r.failed, ['bad']);
    assert.deepEqual(ran, ['db']);
  });

  it('reports a timeout when a closer hangs', async () => {
    const s = createShutdown({ logger: testLogger(), timeoutMs: 20, exit: () => undefined });
    s.register('stuck', 'drain', () => new Promise<void>(() => undefined));
    const r = await s.run('test');
    assert.equal(r.timedOut, true);
  });

  it('SIGTERM runs the shutdown then exits 0; a second signal exits 1 at once', async () => {
    const codes: number[] = [];
    const source = new EventEmitter();
    let release!: () => void;
    const s = createShutdown({ logger: testLogger(), timeoutMs: 5000, exit: c => void codes.push(c) });
    s.register('slow', 'drain', () => new Promise<void>(r => (release = r)));
    const uninstall = s.installSignalHandlers(source as unknown as SignalSource);
    source.emit('SIGTERM');
    assert.equal(s.started, true);
    source.emit('SIGINT');
    assert.deepEqual(codes, [1]);
    release();
    await s.run('ignored');
    await new Promise(r => setImmediate(r));
    assert.deepEqual(codes, [1, 0]);
    uninstall();
    assert.equal(source.listenerCount('SIGTERM'), 0);
  });
});
