import assert from 'node:assert/strict';
import { resolveOutcomes } from '../../src/platform/mq/outcomes';
import { ack, retryLater, type MqMessage } from '../../src/platform/mq/types';

const msg = (id: string, messageGroup?: string): MqMessage => ({
  messageId: id, topic: 't', body: Buffer.from(id), keys: [], tag: undefined, properties: new Map(),
  deliveryAttempt: 1, bornAt: undefined, messageGroup, deliverAt: undefined,
});

describe('mq outcomes', () => {
  it('keeps well-formed per-message outcomes', () => {
    const out = resolveOutcomes([msg('a'), msg('b')], [ack, retryLater(250)], 5_000);
    assert.deepEqual(out, [{ kind: 'ack' }, { kind: 'retry', delayMs: 250 }]);
  });

  it('retries the whole batch when the handler failed or answered the wrong number of outcomes', () => {
    const fallback = { kind: 'retry', delayMs: 5_000 };
    assert.deepEqual(resolveOutcomes([msg('a'), msg('b')], undefined, 5_000), [fallback, fallback]);
    assert.deepEqual(resolveOutcomes([msg('a'), msg('b')], [ack], 5_000), [fallback, fallback]);
  });

  it('replaces a malformed retry delay with the default retry', () => {
    const out = resolveOutcomes([msg('a'), msg('b')], [retryLater(-1), retryLater(Number.NaN)], 700);
    assert.deepEqual(out, [{ kind: 'retry', delayMs: 700 }, { kind: 'retry', delayMs: 700 }]);
  });

  it('FIFO: never acks a group past a retried message, other groups and plain messages unaffected', () => {
    const batch = [msg('g1-1', 'g1'), msg('g2-1', 'g2'), msg('g1-2', 'g1'), msg('plain'), msg('g1-3', 'g1'), msg('g2-2', 'g2')];
    const out = resolveOutcomes(batch, [retryLater(100), ack, ack, ack, retryLater(300), ack], 5_000);
    assert.deepEqual(out.map(o => o.kind), ['retry', 'ack', 'retry', 'ack', 'retry', 'ack']);
    assert.deepEqual(out[2], { kind: 'retry', delayMs: 5_000 });
    assert.deepEqual(out[4], { kind: 'retry', delayMs: 300 });
  });
});
