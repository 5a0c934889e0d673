import assert from 'node:assert/strict';
import { createMqProducer, MqNotRunningError } from '../../src/platform/mq';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const options = { endpoints: '127.0.0.1:1', namespace: '', topics: ['t'], logger: quiet, startupTimeoutMs: 1_000 };

describe('mq producer state (no broker needed)', () => {
  it('refuses to send before start, and creating one opens nothing (stop without start is a no-op)', async () => {
    const p = createMqProducer(options);
    await assert.rejects(p.send({ topic: 't', body: Buffer.from('x') }), MqNotRunningError);
    await p.stop();
    await p.stop();
    await assert.rejects(p.start(), MqNotRunningError);
  });

  it('needs at least one topic (routes are fetched and transaction checks registered per topic)', () => {
    assert.throws(() => createMqProducer({ ...options, topics: [] }), /at least one topic/);
  });
});
