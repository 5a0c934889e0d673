// Dead letters as data (dlq-letters.ts), the DLQ handler's choice of reason and count (dlq-worker.ts)
// and the ListDeadLetters page token (dead-letter-handlers.ts).
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/platform/clock';
import type { MqMessage } from '../../src/platform/mq';
import { decodePageToken, encodePageToken } from '../../src/services/order/dead-letter-handlers';
import {
  deadLetterFromMessage, exhaustedReason, kindOfTopic, replayMessage, REPLAY_DELAY_MS, type DlqSource, type NewDeadLetter,
} from '../../src/services/order/workers/dlq-letters';
import type { FailureNotes } from '../../src/services/order/workers/dlq-failure-notes';
import { createDlqHandler } from '../../src/services/order/workers/dlq-worker';
import { testLogger } from '../support/test-logger';

const FIFO: DlqSource = { group: 'GID_order_status', topic: 'order-status', kind: 'FIFO' };
const NORMAL: DlqSource = { group: 'GID_order_created', topic: 'order-created', kind: 'NORMAL' };

function dead(overrides: Partial<MqMessage> = {}): MqMessage {
  return {
    messageId: 'MSG1', topic: '%DLQ%GID_order_status', body: Buffer.from([1, 2, 3]), keys: ['order-1'], tag: 'status',
    properties: new Map([['traceparent', '00-a-b-01'], ['__SHARDINGKEY', 'order-1']]), deliveryAttempt: 4,
    bornAt: new Date(0), messageGroup: 'order-1', deliverAt: undefined, ...overrides,
  };
}

describe('dead letters', () => {
  it('a DLQ message becomes a row under its ORIGINAL topic and group, keeping key, body, properties, tag and group', () => {
    const at = new Date(5);
    const l = deadLetterFromMessage(FIFO, dead(), 'boom', at);
    assert.deepEqual(l, {
      topic: 'order-status', consumerGroup: 'GID_order_status', messageId: 'MSG1', msgKey: 'order-1', body: Buffer.from([1, 2, 3]),
      properties: { traceparent: '00-a-b-01', __SHARDINGKEY: 'order-1', TAGS: 'status' }, reason: 'boom', attempts: 4, createdAt: at,
    });
  });

  it('long keys and reasons are clipped to their columns', () => {
    const l = deadLetterFromMessage(NORMAL, dead({ keys: ['k'.repeat(400)] }), 'r'.repeat(5_000), new Date());
    assert.equal(l.msgKey.length, 255);
    assert.equal(l.reason.length, 1024);
    assert.equal(deadLetterFromMessage(NORMAL, dead({ keys: [] }), '', new Date()).msgKey, '');
  });

  it('replay: FIFO letters get their group back (or the key), DELAY letters a short delay; bookkeeping properties stay home', () => {
    const l = deadLetterFromMessage(FIFO, dead(), 'boom', new Date());
    assert.deepEqual(replayMessage(l, 'FIFO'), {
      topic: 'order-status', body: Buffer.from([1, 2, 3]), properties: { traceparent: '00-a-b-01' }, keys: ['order-1'], tag: 'status', messageGroup: 'order-1',
    });
    const noGroup: NewDeadLetter = { ...l, properties: { traceparent: 'x' }, msgKey: 'order-9' };
    assert.equal(replayMessage(noGroup, 'FIFO').messageGroup, 'order-9');
    const delayed = replayMessage({ ...l, topic: 'order-timeout' }, 'DELAY');
    assert.equal(delayed.delayMs, REPLAY_DELAY_MS);
    assert.equal(delayed.messageGroup, undefined);
    const plain = replayMessage({ ...l, topic: 'order-created', properties: {} }, 'NORMAL');
    assert.equal(plain.messageGroup, undefined);
    assert.equal(plain.delayMs, undefined);
    assert.equal(plain.tag, undefined);
  });

  it('kindOfTopic: from the configured sources, NORMAL for topics no longer listed', () => {
    assert.equal(kindOfTopic([FIFO, NORMAL], 'order-status'), 'FIFO');
    assert.equal(kindOfTopic([FIFO, NORMAL], 'old-topic'), 'NORMAL');
  });

  it('the DLQ handler prefers the failing consumer\'s note (reason and true delivery count), else a generic reason', async () => {
    const stored: NewDeadLetter[] = [];
    const notes: FailureNotes = {
      record: async () => undefined,
      read: async (_g, id) => (id === 'NOTED' ? { reason: 'MySQL down', attempts: 2 } : id === 'REASON-ONLY' ? { reason: 'bad payload' } : undefined),
    };
    const handler = createDlqHandler(FIFO, {
      repo: { store: async l => (stored.push(...l), l.length), page: async () => [], countPending: async () => 0, get: async () => undefined, markReplayed: async () => true },
      notes, clock: new ManualClock(1), logger: testLogger('dlq-unit'),
    });
    const out = await handler([dead({ messageId: 'NOTED' }), dead({ messageId: 'REASON-ONLY' }), dead({ messageId: 'SILENT' })]);
    assert.deepEqual(out, [{ kind: 'ack' }, { kind: 'ack' }, { kind: 'ack' }]);
    assert.deepEqual(stored.map(l => [l.reason, l.attempts]), [['MySQL down', 2], ['bad payload', 4], [exhaustedReason(FIFO, 4), 4]]);
  });

  it('the DLQ handler retries the batch (nothing acked) while the rows cannot be stored', async () => {
    const handler = createDlqHandler(FIFO, {
      repo: { store: async () => { throw new Error('ECONNREFUSED'); }, page: async () => [], countPending: async () => 0, get: async () => undefined, markReplayed: async () => true },
      notes: { record: async () => undefined, read: async () => undefined }, clock: new ManualClock(1), logger: testLogger('dlq-unit'),
      storeBackoff: { initialMs: 1_000, maxMs: 60_000, jitter: 0 },
    });
    assert.deepEqual(await handler([dead({ deliveryAttempt: 3 })]), [{ kind: 'retry', delayMs: 4_000 }]);
  });

  it('page tokens round-trip and garbage is INVALID_ARGUMENT naming page_token', () => {
    assert.equal(decodePageToken(encodePageToken(123456789012345n)), 123456789012345n);
    assert.equal(decodePageToken(''), undefined);
    for (const bad of ['garbage', encodePageToken(0n), Buffer.from('dl1:-5').toString('base64url'), Buffer.from('xx:5').toString('base64url')]) {
      assert.throws(() => decodePageToken(bad), /^InvalidArgumentError: page_token: /);
    }
  });
});
