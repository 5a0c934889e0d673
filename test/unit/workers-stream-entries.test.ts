import assert from 'node:assert/strict';
import { autoClaimReply, groupInfos, pendingSummary, readGroupEntries } from '../../src/services/productcatalog/workers/stream-entries';
import { orderBodyFromPayload } from '../../src/services/productcatalog/workers/order-body';
import { resolveWorkerSettings } from '../../src/services/productcatalog/workers/worker-settings';

describe('workers: stream reply shapes and settings', () => {
  it('decodes XREADGROUP, XAUTOCLAIM, XINFO GROUPS and XPENDING replies', () => {
    assert.deepEqual(readGroupEntries(null), []);
    assert.deepEqual(readGroupEntries([['s', [['1-0', ['a', '1']]]]]), [{ id: '1-0', fields: ['a', '1'] }]);
    const claim = autoClaimReply(['0-0', [['1-0', ['a', '1']], ['2-0', null]], ['3-0']]);
    assert.deepEqual(claim, { cursor: '0-0', entries: [{ id: '1-0', fields: ['a', '1'] }], deleted: ['3-0'] });
    assert.deepEqual(groupInfos([['name', 'g', 'consumers', 1, 'pending', 2, 'last-delivered-id', '5-0', 'entries-read', 2, 'lag', 0]]), [
      { name: 'g', pending: 2, lastDeliveredId: '5-0' },
    ]);
    assert.deepEqual(pendingSummary([0, null, null, null]), { count: 0, minId: null });
    assert.deepEqual(pendingSummary([2, '4-0', '5-0', [['c', '2']]]), { count: 2, minId: '4-0' });
    assert.throws(() => readGroupEntries('nope'), TypeError);
  });

  it('validates settings once and freezes them', () => {
    const s = resolveWorkerSettings({ writer: { batchSize: 10 } });
    assert.equal(s.writer.batchSize, 10);
    assert.equal(s.forwarder.batchSize, 50);
    assert.ok(Object.isFrozen(s.writer));
    assert.throws(() => resolveWorkerSettings({ writer: { batchSize: 0 } }), /writer.batchSize/);
    assert.throws(() => resolveWorkerSettings({ forwarder: { group: 'stock-writer' } }), /must differ/);
  });
});

describe('workers: order-created body', () => {
  it('decodes the base64 payload strictly', () => {
    const bytes = Buffer.from([0x0a, 0x03, 0x01, 0xff, 0x00]);
    assert.deepEqual(orderBodyFromPayload(bytes.toString('base64')), bytes);
    for (const bad of ['', '{"order":1}', 'abc', 'ab=c', 'YW Jj']) assert.throws(() => orderBodyFromPayload(bad), /base64/, bad);
  });
});
