import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/platform/config';
import { bigintSafe, componentLogger, createLogger } from '../../src/platform/logger';

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return { stream, lines: () => chunks.join('').trim().split('\n').map(l => JSON.parse(l) as Record<string, unknown>) };
}

describe('platform logger', () => {
  it('writes one JSON line with name, level label and component', () => {
    const out = capture();
    const log = createLogger(loadConfig({}), 'checkout', { destination: out.stream });
    componentLogger(log, 'payment-client').info({ orderId: 'o1' }, 'charged');
    const [line] = out.lines();
    assert.equal(line?.name, 'checkout');
    assert.equal(line?.level, 'info');
    assert.equal(line?.component, 'payment-client');
    assert.equal(line?.orderId, 'o1');
    assert.equal(line?.msg, 'charged');
  });

  it('logs BigInt money as exact decimal strings', () => {
    const out = capture();
    const log = createLogger(loadConfig({}), 't', { destination: out.stream });
    log.info({ units: 9007199254740993n, money: { units: 12n, nanos: 5 }, list: [1n] }, 'm');
    const [line] = out.lines();
    assert.equal(line?.units, '9007199254740993');
    assert.deepEqual(line?.money, { units: '12', nanos: 5 });
    assert.deepEqual(line?.list, ['1']);
  });

  it('redacts secrets at the top level and one object deep', () => {
    const out = capture();
    const log = createLogger(loadConfig({}), 't', { destination: out.stream });
    log.info({ password: 'p1', req: { authorization: 'Bearer x', creditCard: { number: '4111' } }, token: 'abc' }, 'x');
    const text = JSON.stringify(out.lines());
    for (const secret of ['p1', 'Bearer x', '4111', 'abc']) assert.ok(!text.includes(secret), text);
  });

  it('respects the configured level', () => {
    const out = capture();
    const log = createLogger(loadConfig({ LOG_LEVEL: 'warn' }), 't', { destination: out.stream });
    log.info('hidden');
    log.warn('shown');
    assert.deepEqual(out.lines().map(l => l.msg), ['shown']);
  });

  it('bigintSafe leaves bigint-free values untouched (same object)', () => {
    const o = { a: 1, b: { c: 'x' } };
    assert.equal(bigintSafe(o), o);
    const cyclic: Record<string, unknown> = { n: 1n };
    cyclic.self = cyclic;
    assert.equal((bigintSafe(cyclic) as Record<string, unknown>).n, '1');
  });
});
