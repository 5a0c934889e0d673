import assert from 'node:assert/strict';
import { RowChanged, RowChangeOp } from '../../../src/gen/shop/v1/events';
import { changeBatchHandler, type ApplyChange } from '../../../src/services/cdc/change-handlers';
import type { Dedupe } from '../../../src/services/cdc/dedupe';
import type { MqMessage } from '../../../src/platform/mq';
import { testLogger } from '../../support/test-logger';

function message(key: string, group: string, pk = 'A', database = 'shop'): MqMessage {
  const body = Buffer.from(
    RowChanged.encode({
      table: 'products', primaryKey: pk, op: RowChangeOp.ROW_CHANGE_OP_UPDATE, before: {}, after: {}, binlogFile: 'f',
      binlogPosition: 1n, rowIndex: 0, gtid: '', committedAt: new Date(0), recordedStockDelta: 0n, database,
    }).finish(),
  );
  return { messageId: key, topic: 't', body, keys: [key], tag: 'products', properties: new Map(), deliveryAttempt: 1, bornAt: undefined, messageGroup: group, deliverAt: undefined };
}

function memoryDedupe(): Dedupe & { marks: Set<string> } {
  const marks = new Set<string>();
  return { marks, seen: async k => marks.has(k), mark: async k => void marks.add(k) };
}

describe('cdc change batch handler', () => {
  it('applies each event once: a replayed key is acked without applying', async () => {
    const dedupe = memoryDedupe();
    const applied: string[] = [];
    const apply: ApplyChange = async (_e, key) => void applied.push(key);
    const h = changeBatchHandler({ name: 't', apply, dedupe, retryMs: 10, logger: testLogger('cdc') });
    const out = await h([message('k1', 'g1'), message('k2', 'g2'), message('k1', 'g1')]);
    assert.deepEqual(out.map(o => o.kind), ['ack', 'ack', 'ack']);
    assert.deepEqual(applied, ['k1', 'k2']);
    await h([message('k2', 'g2')]);
    assert.deepEqual(applied, ['k1', 'k2']);
  });

  it('a failed event is retried and not marked; later events of the same row wait, other rows go on', async () => {
    const dedupe = memoryDedupe();
    const applied: string[] = [];
    const apply: ApplyChange = async (_e, key) => {
      if (key === 'bad') throw new Error('redis down');
      applied.push(key);
    };
    const h = changeBatchHandler({ name: 't', apply, dedupe, retryMs: 10, logger: testLogger('cdc') });
    const out = await h([message('bad', 'g1'), message('after-bad', 'g1'), message('other', 'g2')]);
    assert.deepEqual(out.map(o => o.kind), ['retry', 'retry', 'ack']);
    assert.deepEqual(applied, ['other']);
    assert.deepEqual([...dedupe.marks], ['other']);
  });

  it('an unreadable body is acked and counted as skipped', async () => {
    const stats = { applied: 0, duplicates: 0, retried: 0, skipped: 0 };
    const h = changeBatchHandler({ name: 't', apply: async () => undefined, dedupe: memoryDedupe(), retryMs: 10, logger: testLogger('cdc'), stats });
    const bad = { ...message('x', 'g'), body: Buffer.from([0xff, 0xff, 0xff]) };
    assert.deepEqual((await h([bad])).map(o => o.kind), ['ack']);
    assert.equal(stats.skipped, 1);
  });

  it("a change of another database, or an unstamped one, is acked unapplied (shared brokers never cross-repair)", async () => {
    const stats = { applied: 0, duplicates: 0, retried: 0, skipped: 0 };
    const applied: string[] = [];
    const dedupe = memoryDedupe();
    const h = changeBatchHandler({ name: 't', apply: async (_e, key) => void applied.push(key), dedupe, retryMs: 10, logger: testLogger('cdc'), stats, database: 'shop' });
    const out = await h([message('mine', 'g1'), message('theirs', 'g2', 'A', 'shop_test_x'), message('unstamped', 'g3', 'A', '')]);
    assert.deepEqual(out.map(o => o.kind), ['ack', 'ack', 'ack']);
    assert.deepEqual(applied, ['mine']);
    assert.equal(stats.skipped, 2);
    assert.deepEqual([...dedupe.marks], ['mine']);
  });
});
