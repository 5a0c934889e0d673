import assert from 'node:assert/strict';
import { MqInvalidMessageError } from '../../src/platform/mq/errors';
import { toMessageOptions, toPropertyMap } from '../../src/platform/mq/message-codec';

describe('mq message codec', () => {
  const body = Buffer.from('x');

  it('copies properties from a record or a map into a fresh mutable Map', () => {
    const source = new Map([['a', '1']]);
    const copy = toPropertyMap(source);
    copy.set('traceparent', 'tp');
    assert.equal(source.has('traceparent'), false);
    assert.deepEqual([...toPropertyMap({ b: '2' })], [['b', '2']]);
    assert.equal(toPropertyMap(undefined).size, 0);
  });

  it('maps keys, tag, FIFO group and delay onto client options', () => {
    const props = new Map<string, string>();
    const opts = toMessageOptions({ topic: 't', body, keys: ['k1'], tag: 'created', messageGroup: 'order-1' }, props);
    assert.deepEqual(opts.keys, ['k1']);
    assert.equal(opts.tag, 'created');
    assert.equal(opts.messageGroup, 'order-1');
    assert.equal(opts.properties, props);
    const at = new Date(Date.UTC(2030, 0, 1));
    assert.equal(toMessageOptions({ topic: 't', body, deliverAt: at }, props).deliveryTimestamp, at);
    assert.equal(toMessageOptions({ topic: 't', body, delayMs: 2_000 }, props).delay, 2_000);
  });

  it('rejects contradictory or malformed messages before they reach the client', () => {
    const props = new Map<string, string>();
    const bad = [
      { topic: 't', body, delayMs: 10, deliverAt: new Date() },
      { topic: 't', body, delayMs: 10, messageGroup: 'g' },
      { topic: 't', body, deliverAt: new Date(), messageGroup: 'g' },
      { topic: 't', body, delayMs: 0 },
      { topic: 't', body, delayMs: Number.NaN },
      { topic: 't', body, deliverAt: new Date(Number.NaN) },
      { topic: 't', body, messageGroup: '' },
      { topic: '', body },
      { topic: 't', body: 'not a buffer' as unknown as Buffer },
    ];
    for (const req of bad) assert.throws(() => toMessageOptions(req, props), MqInvalidMessageError, JSON.stringify(req));
  });
});
