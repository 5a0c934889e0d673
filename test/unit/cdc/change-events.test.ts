import assert from 'node:assert/strict';
import { RowChangeOp } from '../../../src/gen/shop/v1/events';
import { changeEvents, manualStockDelta, type BinlogTransaction } from '../../../src/services/cdc/change-events';
import { datetimeColumn, imageToText } from '../../../src/services/cdc/row-values';

const tx = (rows: BinlogTransaction['rows']): BinlogTransaction => ({ file: 'mariadb-bin.000004', position: 4242, gtid: '0-1-77', committedAtMs: 1_800_000_000_000, rows });

describe('cdc change events (binlog transaction → RowChanged)', () => {
  it('keeps watched tables only, with text images, the transaction coordinates and a stable key per row', () => {
    const events = changeEvents(
      tx([
        { table: 'products', op: 'update', before: { id: 'A', stock: 5, price_units: '10' }, after: { id: 'A', stock: 7, price_units: '10' } },
        { table: 'payment_charges', op: 'insert', after: { id: 'x' } },
        { table: 'orders', op: 'insert', after: { order_id: 'o1', status: 'PENDING_PAYMENT', tracking_id: null } },
        { table: 'orders', op: 'delete', before: { order_id: 'o2' } },
      ]),
      ['products', 'orders'],
    );
    assert.deepEqual(events.map(e => e.key), [
      'mariadb-bin.000004:4242:0:products:A:update',
      'mariadb-bin.000004:4242:2:orders:o1:insert',
      'mariadb-bin.000004:4242:3:orders:o2:delete',
    ]);
    assert.deepEqual(events.map(e => e.group), ['products:A', 'orders:o1', 'orders:o2']);
    const [p, o, d] = events.map(e => e.event);
    assert.deepEqual(p!.before, { id: 'A', stock: '5', price_units: '10' });
    assert.equal(p!.op, RowChangeOp.ROW_CHANGE_OP_UPDATE);
    assert.equal(p!.binlogPosition, 4242n);
    assert.equal(p!.gtid, '0-1-77');
    assert.deepEqual(o!.before, {});
    assert.deepEqual(o!.after, { order_id: 'o1', status: 'PENDING_PAYMENT' }, 'NULL columns are absent');
    assert.deepEqual(d!.after, {});
  });

  it('a replay of the same transaction yields the same keys', () => {
    const rows: BinlogTransaction['rows'] = [{ table: 'orders', op: 'update', before: { order_id: 'o' }, after: { order_id: 'o' } }];
    assert.deepEqual(changeEvents(tx(rows), ['orders']).map(e => e.key), changeEvents(tx(rows), ['orders']).map(e => e.key));
  });

  it('splits a product stock change into the write-behind part (stock_log rows with a stream) and the manual rest', () => {
    const events = changeEvents(
      tx([
        { table: 'products', op: 'update', before: { id: 'A', stock: 100 }, after: { id: 'A', stock: 95 } },
        { table: 'products', op: 'update', before: { id: 'B', stock: 10 }, after: { id: 'B', stock: 30 } },
        { table: 'stock_log', op: 'insert', after: { product_id: 'A', delta: -2, stream: '{inv:3}:stream:stock' } },
        { table: 'stock_log', op: 'insert', after: { product_id: 'A', delta: -3, stream: '{inv:3}:stream:stock' } },
        // A manual adjustment logged without a stream id is not the worker's: it stays manual.
        { table: 'stock_log', op: 'insert', after: { product_id: 'B', delta: 20, stream: null } },
      ]),
      ['products'],
    );
    assert.equal(events.length, 2);
    assert.equal(events[0]!.event.recordedStockDelta, -5n);
    assert.equal(manualStockDelta(events[0]!.event), 0n);
    assert.equal(events[1]!.event.recordedStockDelta, 0n);
    assert.equal(manualStockDelta(events[1]!.event), 20n);
  });

  it('an operator edit in the same transaction as worker deltas leaves only the operator part', () => {
    const [e] = changeEvents(
      tx([
        { table: 'products', op: 'update', before: { id: 'A', stock: 100 }, after: { id: 'A', stock: 107 } },
        { table: 'stock_log', op: 'insert', after: { product_id: 'A', delta: -3, stream: 's' } },
      ]),
      ['products'],
    );
    assert.equal(manualStockDelta(e!.event), 10n);
  });

  it('manual delta is 0 for inserts, deletes, other tables and rows without stock', () => {
    const events = changeEvents(
      tx([
        { table: 'products', op: 'insert', after: { id: 'N', stock: 5 } },
        { table: 'products', op: 'update', before: { id: 'P' }, after: { id: 'P' } },
        { table: 'orders', op: 'update', before: { order_id: 'o', stock: 1 }, after: { order_id: 'o', stock: 2 } },
      ]),
      ['products', 'orders'],
    );
    assert.deepEqual(events.map(e => manualStockDelta(e.event)), [0n, 0n, 0n]);
  });

  it('row values: bigint, Buffer, Date and JSON become text; DATETIME text is read as UTC', () => {
    assert.deepEqual(imageToText({ a: 2n ** 64n, b: Buffer.from('hi'), c: new Date(0), d: { x: [1n] }, e: undefined }), {
      a: '18446744073709551616',
      b: 'aGk=',
      c: '1970-01-01T00:00:00.000Z',
      d: '{"x":["1"]}',
    });
    assert.equal(datetimeColumn({ t: '2026-01-02 03:04:05.678' }, 't'), Date.UTC(2026, 0, 2, 3, 4, 5, 678));
    assert.equal(datetimeColumn({}, 't'), undefined);
  });
});
