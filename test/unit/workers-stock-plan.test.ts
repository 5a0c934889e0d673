import assert from 'node:assert/strict';
import type { StockChangeRecord } from '../../src/services/productcatalog/stock';
import { MAX_STOCK, planStockBatch } from '../../src/services/productcatalog/workers/stock-plan';

let seq = 0;
function rec(lines: [string, number, number][], extra: Partial<StockChangeRecord> = {}): StockChangeRecord {
  seq += 1;
  return {
    id: `100-${seq}`,
    orderId: `o${seq}`,
    reason: 'RESERVE',
    userId: 'u1',
    lines: lines.map(([sku, delta, after]) => ({ sku, delta, after })),
    ts: 100,
    trace: {},
    ...extra,
  };
}

describe('workers: stock batch plan', () => {
  it('sums deltas per SKU and logs every line with running before/after in stream order', () => {
    const a = rec([['A', -2, 8], ['B', -1, 4]]);
    const b = rec([['A', -3, 5]]);
    const c = rec([['A', 2, 7]], { reason: 'PAYMENT_DECLINED' });
    const plan = planStockBatch([a, b, c], new Set(), new Map([['A', 10], ['B', 5]]));
    assert.deepEqual(plan.apply.map(r => r.id), [a.id, b.id, c.id]);
    assert.deepEqual([...plan.deltas], [['A', -3], ['B', -1]]);
    assert.deepEqual(
      plan.log.map(l => [l.productId, l.delta, l.before, l.after, l.reason, l.streamId]),
      [
        ['A', -2, 10, 8, 'RESERVE', a.id],
        ['B', -1, 5, 4, 'RESERVE', a.id],
        ['A', -3, 8, 5, 'RESERVE', b.id],
        ['A', 2, 5, 7, 'PAYMENT_DECLINED', c.id],
      ],
    );
    assert.equal(plan.drift.length, 0, 'MySQL results match the Redis figures recorded');
  });

  it('skips entries already applied and repeats within the batch', () => {
    const a = rec([['A', -1, 9]]);
    const b = rec([['A', -1, 8]]);
    const plan = planStockBatch([a, b, b], new Set([a.id]), new Map([['A', 9]]));
    assert.deepEqual(plan.already.map(r => r.id), [a.id, b.id]);
    assert.deepEqual(plan.apply.map(r => r.id), [b.id]);
    assert.deepEqual([...plan.deltas], [['A', -1]]);
  });

  it('rejects a whole entry naming an unknown product; its other lines are not applied', () => {
    const a = rec([['A', -1, 9], ['GHOST', -1, 0]]);
    const plan = planStockBatch([a], new Set(), new Map([['A', 10]]));
    assert.equal(plan.apply.length, 0);
    assert.equal(plan.deltas.size, 0);
    assert.equal(plan.log.length, 0);
    assert.match(plan.rejected[0]!.reason, /unknown product GHOST/);
  });

  it('never goes below zero: the entry that would is rejected, later entries still apply', () => {
    const a = rec([['A', -2, 0]]);
    const b = rec([['A', -1, 0]]); // would be -1
    const c = rec([['A', 1, 1]]);
    const plan = planStockBatch([a, b, c], new Set(), new Map([['A', 2]]));
    assert.deepEqual(plan.apply.map(r => r.id), [a.id, c.id]);
    assert.deepEqual(plan.rejected.map(r => r.record.id), [b.id]);
    assert.match(plan.rejected[0]!.reason, /would become -1/);
    assert.deepEqual([...plan.deltas], [['A', -1]]);
  });

  it('refuses to overflow the unsigned column', () => {
    const a = rec([['A', 2, 0]]);
    const plan = planStockBatch([a], new Set(), new Map([['A', MAX_STOCK - 1]]));
    assert.equal(plan.rejected.length, 1);
  });

  it('leaves net-zero SKUs out of the UPDATE but keeps their log rows', () => {
    const a = rec([['A', -1, 4]]);
    const b = rec([['A', 1, 5]]);
    const plan = planStockBatch([a, b], new Set(), new Map([['A', 5]]));
    assert.equal(plan.deltas.size, 0);
    assert.equal(plan.log.length, 2);
  });

  it('reports drift when MySQL and Redis disagree on a result', () => {
    const a = rec([['A', -1, 3]]);
    const plan = planStockBatch([a], new Set(), new Map([['A', 10]]));
    assert.deepEqual(plan.drift, [{ streamId: a.id, sku: 'A', mysqlAfter: 9, redisAfter: 3 }]);
  });
});
