import assert from 'node:assert/strict';
import { MalformedStockEntryError } from '../../src/services/productcatalog/stock/errors';
import {
  decodeDeltas,
  decodeLines,
  decodeShards,
  decodeTrace,
  encodeLines,
  encodeShards,
  encodeTrace,
} from '../../src/services/productcatalog/stock/line-codec';
import { parseOrderCreated, parseStockChange } from '../../src/services/productcatalog/stock/stream-records';

describe('stock line codec and stream records', () => {
  it('round-trips lines, shards and trace context', () => {
    const lines = [{ sku: 'A-1', qty: 2 }, { sku: 'b.2', qty: 10 }];
    assert.equal(encodeLines(lines), 'A-1:2,b.2:10');
    assert.deepEqual(decodeLines(encodeLines(lines)), lines);
    assert.deepEqual(decodeLines(''), []);
    assert.deepEqual(decodeShards(encodeShards([0, 3, 15])), [0, 3, 15]);
    assert.equal(encodeTrace(undefined), '');
    assert.equal(encodeTrace({}), '');
    assert.deepEqual(decodeTrace(encodeTrace({ traceparent: 't', tracestate: 's' })), { traceparent: 't', tracestate: 's' });
  });

  it('decodes deltas with their sign and the stock after', () => {
    assert.deepEqual(decodeDeltas('A:-2:998,B:3:7'), [{ sku: 'A', delta: -2, after: 998 }, { sku: 'B', delta: 3, after: 7 }]);
    for (const bad of ['A:0:1', 'A:-x:1', 'A:1', ':1:2', 'A:1:2:3']) assert.throws(() => decodeDeltas(bad), SyntaxError, bad);
    assert.throws(() => decodeLines('A:1:2'), SyntaxError);
    assert.throws(() => decodeShards('1,x'), SyntaxError);
    assert.throws(() => decodeTrace('[1]'), SyntaxError);
  });

  it('parses stock-change and order-created entries as the scripts write them', () => {
    const change = parseStockChange('1-0', ['order', 'o1', 'reason', 'RESERVE', 'user', 'u1', 'lines', 'A:-1:9', 'ts', '1700', 'trace', '{"traceparent":"t"}']);
    assert.deepEqual(change, { id: '1-0', orderId: 'o1', reason: 'RESERVE', userId: 'u1', lines: [{ sku: 'A', delta: -1, after: 9 }], ts: 1700, trace: { traceparent: 't' } });
    const created = parseOrderCreated('2-0', ['order', 'o1', 'user', 'u1', 'lines', 'A:1', 'shards', '3', 'ts', '1700', 'payload', '{"x":1}', 'trace', '']);
    assert.deepEqual(created, { id: '2-0', orderId: 'o1', userId: 'u1', lines: [{ sku: 'A', qty: 1 }], shards: [3], ts: 1700, payload: '{"x":1}', trace: {} });
  });

  it('reports a poison entry as MalformedStockEntryError naming the entry and the problem', () => {
    const cases: Array<[string[], RegExp]> = [
      [['order', 'o1'], /missing field lines/],
      [['order'], /odd number/],
      [['order', 'o1', 'reason', 'R', 'user', 'u', 'lines', '', 'ts', '1', 'trace', ''], /no lines/],
      [['order', 'o1', 'reason', 'R', 'user', 'u', 'lines', 'A:1:1', 'ts', 'soon', 'trace', ''], /bad ts/],
      [['order', 'o1', 'reason', 'R', 'user', 'u', 'lines', 'A:1:1', 'ts', '1', 'trace', '{'], /JSON/],
    ];
    for (const [fields, problem] of cases) {
      assert.throws(() => parseStockChange('9-9', fields), (err: unknown) => {
        assert.ok(err instanceof MalformedStockEntryError);
        assert.equal(err.entryId, '9-9');
        assert.match(err.message, problem);
        return true;
      });
    }
  });
});
